package io.github.cosmosspark.core.connection;

import com.datastax.spark.connector.cql.AuthConf;
import com.datastax.spark.connector.cql.AuthConfFactory;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.session.CosmosRuntime;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * SCC's {@code spark.cassandra.auth.conf.factory} for Cosmos. SCC calls it with the configuration
 * it merged for one read or write (Spark configuration, session configuration, then that read's
 * options). With {@code format("cosmoscassandra")} that holds the configuration the format
 * resolved, encoded ({@link CosmosCassandraConfig#encode()}), which is used as it is; set by hand
 * for SCC's own APIs, it resolves the Cosmos settings from SCC's merged configuration.
 */
public final class CosmosAuthConfFactory implements AuthConfFactory {

  @Override
  public AuthConf authConf(SparkConf conf) {
    Map<String, String> settings = new HashMap<>();
    for (Tuple2<String, String> entry : conf.getAll()) {
      settings.put(entry._1(), entry._2());
    }
    CosmosCassandraConfig resolved = CosmosCassandraConfig.decode(settings);
    if (resolved == null) {
      resolved =
          CosmosCassandraConfig.resolve(
              Collections.<String, String>emptyMap(), settings, CosmosRuntime.get().warnings());
    }
    return new CosmosAuthConf(resolved.forConnection());
  }
}

package io.github.cosmosspark.core.connection;

import com.datastax.spark.connector.cql.AuthConf;
import com.datastax.spark.connector.cql.AuthConfFactory;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.throughput.TableBudgets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * SCC's {@code spark.cassandra.auth.conf.factory} for Cosmos. SCC calls it with the configuration
 * it merged for one read or write (Spark configuration, session configuration, then that read's
 * options), so the Cosmos settings resolved here are the ones the user gave for that read.
 */
public final class CosmosAuthConfFactory implements AuthConfFactory {

  @Override
  public AuthConf authConf(SparkConf conf) {
    Map<String, String> settings = new HashMap<>();
    for (Tuple2<String, String> entry : conf.getAll()) {
      settings.put(entry._1(), entry._2());
    }
    CosmosCassandraConfig resolved = CosmosCassandraConfig.fromResolvedOptions(settings);
    if (resolved == null) {
      // Set by hand with the plain connector format: resolve from SCC's merged configuration.
      resolved = CosmosCassandraConfig.resolve(Collections.<String, String>emptyMap(), settings);
    }
    return new CosmosAuthConf(resolved.forConnection(), TableBudgets.fromResolvedOptions(settings));
  }
}

package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosConfigException;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.connection.TrustStores;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.cassandra.DefaultSource;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * The {@code cosmoscassandra} format. Resolves and checks the Cosmos configuration on the driver,
 * before any data moves, then hands SCC's own source ({@link DefaultSource}) the translated
 * options, so the table, its scans and its writes are SCC's.
 */
public final class CosmosCassandraTableProvider implements TableProvider, DataSourceRegister {

  /** The name users pass to {@code format(...)}. */
  public static final String SHORT_NAME = "cosmoscassandra";

  private final DefaultSource connectorSource = new DefaultSource();

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return connectorSource.inferSchema(translate(options.asCaseSensitiveMap()));
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return connectorSource.getTable(
        schema, partitioning, translate(properties).asCaseSensitiveMap());
  }

  private static CaseInsensitiveStringMap translate(Map<String, String> options) {
    Map<String, String> configuration = sparkConfiguration();
    CosmosCassandraConfig config = CosmosCassandraConfig.resolve(options, configuration);
    if (config.keyspace() == null || config.table() == null) {
      throw new CosmosConfigException(
          "Name the table to "
              + "read or write: .option(\""
              + CosmosOptions.KEYSPACE.name()
              + "\", \"<keyspace>\").option(\""
              + CosmosOptions.TABLE.name()
              + "\", \"<table>\")"
              + (config.keyspace() == null ? " (keyspace is missing)" : " (table is missing)")
              + ".");
    }
    if (config.tlsEnabled() && config.truststorePath() != null) {
      TrustStores.load(config);
    }
    return new CaseInsensitiveStringMap(ConnectorOptions.translate(config, options, configuration));
  }

  /** The Spark configuration with the session's settings over it, as SCC itself merges them. */
  private static Map<String, String> sparkConfiguration() {
    SparkSession session = SparkSession.active();
    Map<String, String> configuration = new HashMap<>();
    for (Tuple2<String, String> entry : session.sparkContext().getConf().getAll()) {
      configuration.put(entry._1(), entry._2());
    }
    configuration.putAll(JavaConverters.mapAsJavaMapConverter(session.conf().getAll()).asJava());
    return configuration;
  }
}

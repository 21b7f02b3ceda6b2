package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.PerReadOptions;
import io.github.cosmosspark.core.connection.DeprecatedConnectorSettings;
import io.github.cosmosspark.core.connection.Endpoints;
import io.github.cosmosspark.core.connection.TrustStores;
import io.github.cosmosspark.core.session.CosmosRuntime;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The connector options a catalog's own statements (DDL, schema metadata) need: the format's
 * translation of the catalog's options, with no table named. Tables the catalog loads go through
 * {@link CosmosCassandraTableProvider}, which adds the table's throughput budget.
 */
public final class CatalogConnectorOptions {

  private CatalogConnectorOptions() {}

  /**
   * Checks and resolves {@code given} (the catalog's {@code spark.sql.catalog.<name>.*} settings)
   * over the Spark configuration, as the format resolves a read's options, and translates them for
   * SCC.
   */
  public static Map<String, String> translate(Map<String, String> given) {
    CosmosRuntime runtime = CosmosRuntime.get();
    Map<String, String> catalogOptions =
        DeprecatedConnectorSettings.renamed(
            PerReadOptions.check(given, ConnectorKeys.get(), runtime.warnings()),
            runtime.warnings());
    SparkSession session = SparkSession.active();
    DeprecatedConnectorSettings.renameIn(session, runtime.warnings());
    Map<String, String> configuration = SparkSettings.merged(session);
    CosmosCassandraTableProvider.removeKeysTheConnectorRejects(session);
    CosmosCassandraConfig config =
        CosmosCassandraConfig.resolve(catalogOptions, configuration, runtime.warnings());
    if (config.tlsEnabled() && config.truststorePath() != null) {
      TrustStores.load(config);
    }
    Endpoints.requireResolvable(config);
    Map<String, String> translated =
        ConnectorOptions.translate(config, catalogOptions, configuration, runtime.warnings());
    translated.remove("keyspace");
    translated.remove("table");
    return translated;
  }
}

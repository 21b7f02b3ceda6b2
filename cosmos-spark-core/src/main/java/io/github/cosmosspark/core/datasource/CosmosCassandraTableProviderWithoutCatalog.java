package io.github.cosmosspark.core.datasource;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code cosmoscassandra-nocatalog} format: {@code cosmoscassandra} without the catalog it
 * resolves reads and writes through ({@link FormatCatalog}), for a Spark that refuses catalogs a
 * library declares (whether Databricks' standard access mode does is not known). Same tables,
 * options and checks; only a write without a mode, or in Ignore mode, gets Spark's own refusal
 * instead of cosmos-spark's.
 */
public final class CosmosCassandraTableProviderWithoutCatalog
    implements TableProvider, DataSourceRegister {

  /** The name users pass to {@code format(...)}. */
  public static final String SHORT_NAME = CosmosCassandraTableProvider.SHORT_NAME + "-nocatalog";

  private final CosmosCassandraTableProvider provider = new CosmosCassandraTableProvider();

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return provider.inferSchema(options);
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return provider.getTable(schema, partitioning, properties);
  }
}

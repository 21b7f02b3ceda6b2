package io.github.cosmosspark.core.datasource;

import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.datasource.CassandraInJoin;
import com.datastax.spark.connector.datasource.CassandraScan;
import com.datastax.spark.connector.datasource.CassandraScanBuilder;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** SCC's scan builder, pushdowns and all; the scans it builds also report Cosmos metrics. */
final class CosmosScanBuilder extends CassandraScanBuilder {

  CosmosScanBuilder(
      SparkSession session,
      TableDef tableDef,
      String catalogName,
      CaseInsensitiveStringMap options) {
    super(session, tableDef, catalogName, options);
  }

  @Override
  public Scan build() {
    Scan scan = super.build();
    if (scan instanceof CassandraScan) {
      return new CosmosScan((CassandraScan) scan);
    }
    if (scan instanceof CassandraInJoin) {
      return new CosmosInJoin((CassandraInJoin) scan);
    }
    return scan;
  }
}

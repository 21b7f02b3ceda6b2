package io.github.cosmosspark.core.datasource.read;

import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.datasource.CassandraInJoin;
import com.datastax.spark.connector.datasource.CassandraScan;
import com.datastax.spark.connector.datasource.CassandraScanBuilder;
import io.github.cosmosspark.core.throughput.TableBudget;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** SCC's scan builder, pushdowns and all; the scans it builds also report Cosmos metrics. */
public final class CosmosScanBuilder extends CassandraScanBuilder {
  private final TableBudget budget;

  /**
   * @param budget the job's budget on the table, registered where each task starts; or null
   */
  public CosmosScanBuilder(
      SparkSession session,
      TableDef tableDef,
      String catalogName,
      CaseInsensitiveStringMap options,
      TableBudget budget) {
    super(session, tableDef, catalogName, options);
    this.budget = budget;
  }

  @Override
  public Scan build() {
    Scan scan = super.build();
    if (scan instanceof CassandraScan) {
      return new CosmosScan((CassandraScan) scan, budget);
    }
    if (scan instanceof CassandraInJoin) {
      return new CosmosInJoin((CassandraInJoin) scan, budget);
    }
    return scan;
  }
}

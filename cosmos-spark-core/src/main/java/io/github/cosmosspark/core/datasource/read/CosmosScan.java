package io.github.cosmosspark.core.datasource.read;

import com.datastax.spark.connector.datasource.CassandraScan;
import com.datastax.spark.connector.rdd.ReadConf;
import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.throughput.TableBudget;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;

/**
 * SCC's scan, reporting what its requests cost. SCC's planner rules match {@link CassandraScan} by
 * class, so this extends it. Building it again from SCC's scan repeats SCC's split planning (one
 * size-estimate query), which happens once per query.
 */
final class CosmosScan extends CassandraScan {

  private final TableBudget budget;

  /** SCC's {@code scan} with {@code readConf} in place of its own (to apply a split count). */
  CosmosScan(CassandraScan scan, ReadConf readConf, TableBudget budget) {
    super(
        scan.session(),
        scan.connector(),
        scan.tableDef(),
        scan.cqlQueryParts(),
        scan.readSchema(),
        readConf,
        scan.consolidatedConf());
    this.budget = budget;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new MeteredReaderFactory(
        super.createReaderFactory(),
        tableDef().keyspaceName() + "." + tableDef().tableName(),
        budget);
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return CosmosMetrics.forReads();
  }
}

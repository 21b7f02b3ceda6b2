package io.github.cosmosspark.core.datasource.read;

import com.datastax.spark.connector.datasource.CassandraInJoin;
import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.throughput.TableBudget;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;

/** SCC's scan for a long {@code IN} list, read as a join, reporting what its requests cost. */
final class CosmosInJoin extends CassandraInJoin {

  private final TableBudget budget;

  CosmosInJoin(CassandraInJoin join, TableBudget budget) {
    super(
        join.session(),
        join.connector(),
        join.tableDef(),
        join.inClauses(),
        join.cqlQueryParts(),
        join.readSchema(),
        join.readConf(),
        join.consolidatedConf());
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

package io.github.cosmosspark.core.datasource.read;

import com.datastax.spark.connector.datasource.CassandraScan;
import com.datastax.spark.connector.rdd.ReadConf;
import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.throughput.ScanSplits;
import io.github.cosmosspark.core.throughput.TableBudget;
import java.util.function.Supplier;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;

/**
 * SCC's scan, reporting what its requests cost. SCC's planner rules match {@link CassandraScan} by
 * class, so this extends it. Building it again from SCC's scan repeats SCC's split planning (one
 * size-estimate query), which happens once per query.
 */
final class CosmosScan extends CassandraScan {

  private final TableBudget budget;
  private final transient ScanSplits splits;
  private final transient Supplier<ChangeFeedScan> stream;

  /**
   * SCC's {@code scan} with {@code readConf} in place of its own (to apply a split count).
   *
   * @param splits how the split count was chosen, or null when the user set it or SCC chose it
   */
  CosmosScan(
      CassandraScan scan,
      ReadConf readConf,
      TableBudget budget,
      ScanSplits splits,
      Supplier<ChangeFeedScan> stream) {
    super(
        scan.session(),
        scan.connector(),
        scan.tableDef(),
        scan.cqlQueryParts(),
        scan.readSchema(),
        readConf,
        scan.consolidatedConf());
    this.budget = budget;
    this.splits = splits;
    this.stream = stream;
  }

  /**
   * A streaming read: Spark builds a plain read's scan and asks it for a stream, which on this
   * table is its change feed.
   */
  @Override
  public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
    return stream.get().toMicroBatchStream(checkpointLocation);
  }

  /** How the split count was chosen, or null when the user set it or SCC chose it. */
  ScanSplits chosenSplits() {
    return splits;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new MeteredReaderFactory(
        super.createReaderFactory(),
        tableDef().keyspaceName() + "." + tableDef().tableName(),
        budget);
  }

  @Override
  public CustomTaskMetric[] reportDriverMetrics() {
    if (splits == null || splits.estimate() == null) {
      return new CustomTaskMetric[0];
    }
    return CosmosMetrics.planning(splits.estimate().requestUnits());
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return CosmosMetrics.forReads();
  }
}

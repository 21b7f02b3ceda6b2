package io.github.cosmosspark.core.datasource.read;

import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.throughput.TableBudget;
import java.io.IOException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * SCC's reader factory; each reader also reports its task's Cosmos requests to the table, and a
 * task registers the job's budget on its executor before it reads.
 */
final class MeteredReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;

  private final PartitionReaderFactory delegate;
  private final String table;
  private final TableBudget budget;

  MeteredReaderFactory(PartitionReaderFactory delegate, String table, TableBudget budget) {
    this.delegate = delegate;
    this.table = table;
    this.budget = budget;
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    RequestMetrics metrics = startTask();
    return new MeteredReader<>(delegate.createReader(partition), metrics);
  }

  @Override
  public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
    RequestMetrics metrics = startTask();
    return new MeteredReader<>(delegate.createColumnarReader(partition), metrics);
  }

  private RequestMetrics startTask() {
    return CosmosRuntime.get().startTask(table, budget);
  }

  private static final class MeteredReader<T> implements PartitionReader<T> {
    private final PartitionReader<T> delegate;
    private final RequestMetrics metrics;

    MeteredReader(PartitionReader<T> delegate, RequestMetrics metrics) {
      this.delegate = delegate;
      this.metrics = metrics;
    }

    @Override
    public boolean next() throws IOException {
      return delegate.next();
    }

    @Override
    public T get() {
      return delegate.get();
    }

    @Override
    public CustomTaskMetric[] currentMetricsValues() {
      return CosmosMetrics.values(metrics);
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}

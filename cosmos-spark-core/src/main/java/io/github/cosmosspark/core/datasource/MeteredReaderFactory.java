package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import java.io.IOException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** SCC's reader factory; each reader also reports its task's Cosmos requests to the table. */
final class MeteredReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;

  private final PartitionReaderFactory delegate;
  private final String table;

  MeteredReaderFactory(PartitionReaderFactory delegate, String table) {
    this.delegate = delegate;
    this.table = table;
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    return new MeteredReader<>(
        delegate.createReader(partition), RequestMetrics.forCurrentTask(table));
  }

  @Override
  public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
    return new MeteredReader<>(
        delegate.createColumnarReader(partition), RequestMetrics.forCurrentTask(table));
  }

  @Override
  public boolean supportColumnarReads(InputPartition partition) {
    return delegate.supportColumnarReads(partition);
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

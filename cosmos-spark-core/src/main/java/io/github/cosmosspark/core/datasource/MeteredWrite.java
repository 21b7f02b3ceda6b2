package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.metrics.FinalWriteMetrics;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import java.io.IOException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;

/** SCC's batch or streaming write, each task's writer reporting what its requests cost. */
final class MeteredWrite implements Write {
  private final WriteBuilder builder;
  private final String table;

  MeteredWrite(WriteBuilder builder, String table) {
    this.builder = builder;
    this.table = table;
  }

  @Override
  public String description() {
    return "Cosmos DB Cassandra write to " + table;
  }

  @Override
  @SuppressWarnings("deprecation")
  public BatchWrite toBatch() {
    return new Batch(builder.buildForBatch(), table);
  }

  @Override
  @SuppressWarnings("deprecation")
  public StreamingWrite toStreaming() {
    return new Streaming(builder.buildForStreaming(), table);
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return CosmosMetrics.forWrites();
  }

  private static final class Batch implements BatchWrite {
    private final BatchWrite delegate;
    private final String table;

    Batch(BatchWrite delegate, String table) {
      this.delegate = delegate;
      this.table = table;
    }

    @Override
    public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
      return new WriterFactory(delegate.createBatchWriterFactory(info), null, table);
    }

    @Override
    public boolean useCommitCoordinator() {
      return delegate.useCommitCoordinator();
    }

    @Override
    public void onDataWriterCommit(WriterCommitMessage message) {
      delegate.onDataWriterCommit(message);
    }

    @Override
    public void commit(WriterCommitMessage[] messages) {
      delegate.commit(messages);
    }

    @Override
    public void abort(WriterCommitMessage[] messages) {
      delegate.abort(messages);
    }
  }

  private static final class Streaming implements StreamingWrite {
    private final StreamingWrite delegate;
    private final String table;

    Streaming(StreamingWrite delegate, String table) {
      this.delegate = delegate;
      this.table = table;
    }

    @Override
    public StreamingDataWriterFactory createStreamingWriterFactory(PhysicalWriteInfo info) {
      return new WriterFactory(null, delegate.createStreamingWriterFactory(info), table);
    }

    @Override
    public boolean useCommitCoordinator() {
      return delegate.useCommitCoordinator();
    }

    @Override
    public void commit(long epochId, WriterCommitMessage[] messages) {
      delegate.commit(epochId, messages);
    }

    @Override
    public void abort(long epochId, WriterCommitMessage[] messages) {
      delegate.abort(epochId, messages);
    }
  }

  /** Serialized to the executors with SCC's factory inside it. */
  private static final class WriterFactory
      implements DataWriterFactory, StreamingDataWriterFactory {
    private static final long serialVersionUID = 1L;

    private final DataWriterFactory batch;
    private final StreamingDataWriterFactory streaming;
    private final String table;

    WriterFactory(DataWriterFactory batch, StreamingDataWriterFactory streaming, String table) {
      this.batch = batch;
      this.streaming = streaming;
      this.table = table;
    }

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
      return new MeteredWriter(
          batch.createWriter(partitionId, taskId), RequestMetrics.forCurrentTask(table));
    }

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId, long epochId) {
      return new MeteredWriter(
          streaming.createWriter(partitionId, taskId, epochId),
          RequestMetrics.forCurrentTask(table));
    }
  }

  private static final class MeteredWriter implements DataWriter<InternalRow> {
    private final DataWriter<InternalRow> delegate;
    private final RequestMetrics metrics;

    MeteredWriter(DataWriter<InternalRow> delegate, RequestMetrics metrics) {
      this.delegate = delegate;
      this.metrics = metrics;
    }

    @Override
    public void write(InternalRow record) throws IOException {
      delegate.write(record);
    }

    @Override
    public WriterCommitMessage commit() throws IOException {
      WriterCommitMessage message = delegate.commit();
      FinalWriteMetrics.publish(CosmosMetrics.values(metrics));
      return message;
    }

    @Override
    public void abort() throws IOException {
      delegate.abort();
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

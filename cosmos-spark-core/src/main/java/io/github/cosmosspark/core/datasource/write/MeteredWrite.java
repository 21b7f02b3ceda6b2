package io.github.cosmosspark.core.datasource.write;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.throughput.TableBudget;
import java.io.IOException;
import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.distributions.Distribution;
import org.apache.spark.sql.connector.distributions.Distributions;
import org.apache.spark.sql.connector.expressions.Expressions;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.SortDirection;
import org.apache.spark.sql.connector.expressions.SortOrder;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.RequiresDistributionAndOrdering;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;

/**
 * SCC's batch or streaming write, each task's writer reporting what its requests cost; it asks
 * Spark to cluster the rows by the table's partition key first unless told not to.
 */
final class MeteredWrite implements RequiresDistributionAndOrdering {
  private final WriteBuilder builder;
  private final String table;
  private final String counterColumn;
  private final RowCheck rowCheck;
  private final NamedReference[] clustering;
  private final NamedReference[] ordering;
  private final int numPartitions;
  private final TableBudget budget;

  /**
   * @param counterColumn the table's counter column, or null; a table with one takes no streaming
   *     writes
   * @param rowCheck what each task checks of a row before handing it to SCC
   * @param clustering the columns Spark is to cluster the rows by before writing; none for no
   *     shuffle
   * @param ordering the columns each task sorts its rows by; none with no clustering
   * @param numPartitions how many tasks the clustered rows are written by; 0 with no clustering
   * @param budget the job's budget on the table, or null
   */
  MeteredWrite(
      WriteBuilder builder,
      String table,
      String counterColumn,
      RowCheck rowCheck,
      NamedReference[] clustering,
      NamedReference[] ordering,
      int numPartitions,
      TableBudget budget) {
    this.builder = builder;
    this.table = table;
    this.counterColumn = counterColumn;
    this.rowCheck = rowCheck;
    this.clustering = clustering.clone();
    this.ordering = ordering.clone();
    this.numPartitions = numPartitions;
    this.budget = budget;
  }

  /**
   * Rows with equal partition keys together, by Spark's hash: each task then holds keys spread over
   * all of Cosmos's physical partitions. Unspecified, Spark leaves the input as it is.
   */
  @Override
  public Distribution requiredDistribution() {
    return clustering.length == 0
        ? Distributions.unspecified()
        : Distributions.clustered(clustering.clone());
  }

  /** See {@link PartitionKeyClustering#numPartitions}. */
  @Override
  public int requiredNumPartitions() {
    return numPartitions;
  }

  /** See {@link PartitionKeyClustering#ordering}. */
  @Override
  public SortOrder[] requiredOrdering() {
    SortOrder[] sortOrders = new SortOrder[ordering.length];
    for (int i = 0; i < ordering.length; i++) {
      sortOrders[i] = Expressions.sort(ordering[i], SortDirection.ASCENDING);
    }
    return sortOrders;
  }

  @Override
  public String description() {
    return "Cosmos DB Cassandra write to " + table;
  }

  @Override
  @SuppressWarnings("deprecation")
  public BatchWrite toBatch() {
    return new Batch(builder.buildForBatch(), new TaskStart(table, rowCheck, budget));
  }

  @Override
  @SuppressWarnings("deprecation")
  public StreamingWrite toStreaming() {
    if (counterColumn != null) {
      throw new CosmosConfigException(
          "Table '"
              + table
              + "' has the counter column '"
              + counterColumn
              + "'. A streaming query resends a micro-batch that was cut short, and a counter"
              + " write adds, so the replay would count twice. Write the counts to a table of"
              + " plain columns (an aggregation in update mode), or use foreachBatch with your"
              + " own de-duplication.");
    }
    return new Streaming(builder.buildForStreaming(), new TaskStart(table, rowCheck, budget));
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return CosmosMetrics.forWrites();
  }

  private static final class Batch implements BatchWrite {
    private final BatchWrite delegate;
    private final TaskStart start;

    Batch(BatchWrite delegate, TaskStart start) {
      this.delegate = delegate;
      this.start = start;
    }

    @Override
    public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
      return new WriterFactory(delegate.createBatchWriterFactory(info), null, start);
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
    private final TaskStart start;

    Streaming(StreamingWrite delegate, TaskStart start) {
      this.delegate = delegate;
      this.start = start;
    }

    @Override
    public StreamingDataWriterFactory createStreamingWriterFactory(PhysicalWriteInfo info) {
      return new WriterFactory(null, delegate.createStreamingWriterFactory(info), start);
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
    private final TaskStart start;

    WriterFactory(DataWriterFactory batch, StreamingDataWriterFactory streaming, TaskStart start) {
      this.batch = batch;
      this.streaming = streaming;
      this.start = start;
    }

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
      RequestMetrics metrics = start.metrics();
      return new MeteredWriter(batch.createWriter(partitionId, taskId), metrics, start.rowCheck);
    }

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId, long epochId) {
      RequestMetrics metrics = start.metrics();
      return new MeteredWriter(
          streaming.createWriter(partitionId, taskId, epochId), metrics, start.rowCheck);
    }
  }

  /**
   * What a write task does before SCC's writer sends anything: registers the job's budget on its
   * executor, and takes its request counters. Serialized to the executors with the factory.
   */
  private static final class TaskStart implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String table;
    private final RowCheck rowCheck;
    private final TableBudget budget;

    TaskStart(String table, RowCheck rowCheck, TableBudget budget) {
      this.table = table;
      this.rowCheck = rowCheck;
      this.budget = budget;
    }

    RequestMetrics metrics() {
      return CosmosRuntime.get().startTask(table, budget);
    }
  }

  private static final class MeteredWriter implements DataWriter<InternalRow> {
    private final DataWriter<InternalRow> delegate;
    private final RequestMetrics metrics;
    private final RowCheck rowCheck;

    MeteredWriter(DataWriter<InternalRow> delegate, RequestMetrics metrics, RowCheck rowCheck) {
      this.delegate = delegate;
      this.metrics = metrics;
      this.rowCheck = rowCheck;
    }

    @Override
    public void write(InternalRow record) throws IOException {
      rowCheck.verify(record);
      try {
        delegate.write(record);
      } catch (IOException e) {
        throw rowCheck.explain(e);
      }
    }

    @Override
    public WriterCommitMessage commit() throws IOException {
      WriterCommitMessage message;
      try {
        message = delegate.commit();
      } catch (IOException e) {
        throw rowCheck.explain(e);
      }
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

    /** Spark calls this last, whether the task succeeded or not. */
    @Override
    public void close() throws IOException {
      try {
        delegate.close();
      } catch (IOException | RuntimeException e) {
        FailedWriterSession.close(delegate);
        throw e;
      }
    }
  }
}

package io.github.cosmosspark.core.datasource.read;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.spark.connector.CassandraRowMetadata;
import com.datastax.spark.connector.CassandraRowMetadata$;
import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.datasource.UnsafeRowReader;
import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import io.github.cosmosspark.core.session.ChangeFeed;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.throughput.TableBudget;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * Reads feed ranges page by page, through the connector's retrying, throttled session. A task of a
 * micro-batch stops at its row limit (at the end of a page) or when a page comes back short or
 * empty, and records where it stopped; a task of a batch read reads until Cosmos answers an empty
 * page it charged for (an uncharged one is Cosmos's answer to a rate-limited feed read).
 */
final class ChangeFeedReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;

  private final CassandraConnector connector;
  private final StructType schema;
  private final int writeTimes;
  private final int pageSize;
  private final String table;
  private final TableBudget budget;

  /** Where a micro-batch's tasks record where they stopped; null for a batch read. */
  private final ChangeFeedRecords records;

  /** A batch read's end: rows written later are left out; null for none. */
  private final Long endAtMicros;

  ChangeFeedReaderFactory(
      CassandraConnector connector,
      StructType schema,
      int writeTimes,
      int pageSize,
      String table,
      TableBudget budget,
      ChangeFeedRecords records,
      Long endAtMicros) {
    this.connector = connector;
    this.schema = schema;
    this.writeTimes = writeTimes;
    this.pageSize = pageSize;
    this.table = table;
    this.budget = budget;
    this.records = records;
    this.endAtMicros = endAtMicros;
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    return new Reader((ChangeFeedPartition) partition);
  }

  private final class Reader implements PartitionReader<InternalRow> {
    private final ChangeFeedPartition partition;
    private final CqlSession session;
    private final RequestMetrics metrics;
    private final UnsafeRowReader rowReader = new UnsafeRowReader(schema);
    private final String cql;
    private ByteBuffer state;
    private Iterator<Row> page;
    private CassandraRowMetadata metadata;
    private InternalRow current;
    private long rows;
    private Long newestWriteMicros;
    private boolean lastPage;
    private boolean caughtUp;
    private boolean finished;

    Reader(ChangeFeedPartition partition) {
      this.partition = partition;
      this.metrics = CosmosRuntime.get().startTask(table, budget);
      this.session = connector.openSession();
      this.cql = partition.cql;
      this.state =
          partition.pagingState == null
              ? null
              : ByteBuffer.wrap(Base64.getDecoder().decode(partition.pagingState));
    }

    @Override
    public boolean next() {
      while (true) {
        if (page != null && page.hasNext()) {
          Row row = page.next();
          Long written = newestWriteTime(row);
          if (endAtMicros != null && written != null && written > endAtMicros) {
            continue; // changed after the read's end
          }
          if (written != null && (newestWriteMicros == null || written > newestWriteMicros)) {
            newestWriteMicros = written;
          }
          current = rowReader.read(row, metadata);
          rows++;
          return true;
        }
        if (lastPage || (records != null && rows >= partition.rowLimit)) {
          finished = true;
          return false;
        }
        int asked =
            (int)
                Math.max(
                    1, Math.min(pageSize, partition.rowLimit - Math.min(rows, partition.rowLimit)));
        ChangeFeed.Page read =
            ChangeFeed.readPageWhenAdmitted(session, cql, state, asked, table, records != null);
        if (read == null) {
          // Still rate-limited after the waits a micro-batch allows: the next batch goes on here.
          lastPage = true;
          continue;
        }
        state = read.next();
        List<Row> got = read.rows();
        if (got.isEmpty()) {
          caughtUp = true;
          lastPage = true;
          continue;
        }
        if (records != null && got.size() < asked) {
          // A short page: the feed has nothing more for now. A micro-batch stops here; a batch
          // read asks once more, until Cosmos says so with an empty page.
          caughtUp = true;
          lastPage = true;
        }
        metadata =
            CassandraRowMetadata$.MODULE$.fromResultSet(
                JavaConverters.asScalaBuffer(java.util.Arrays.asList(schema.fieldNames()))
                    .toIndexedSeq(),
                read.result(),
                session.getContext().getCodecRegistry());
        page = got.iterator();
      }
    }

    /** The newest of the row's write times (µs), or null when it has none. */
    private Long newestWriteTime(Row row) {
      Long newest = null;
      int first = schema.fields().length;
      for (int i = 0; i < writeTimes; i++) {
        if (!row.isNull(first + i)) {
          long written = row.getLong(first + i);
          newest = newest == null || written > newest ? written : newest;
        }
      }
      return newest;
    }

    @Override
    public InternalRow get() {
      return current;
    }

    @Override
    public CustomTaskMetric[] currentMetricsValues() {
      return CosmosMetrics.values(metrics);
    }

    @Override
    public void close() {
      try {
        if (finished && records != null) {
          records.write(
              partition.batch,
              partition.index,
              new ChangeFeedRecords.Record(
                  state == null ? null : Base64.getEncoder().encodeToString(toBytes(state)),
                  caughtUp,
                  rows,
                  metrics.centiRequestUnits() / 100.0,
                  newestWriteMicros,
                  System.currentTimeMillis()));
        }
      } finally {
        session.close();
      }
    }
  }

  private static byte[] toBytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}

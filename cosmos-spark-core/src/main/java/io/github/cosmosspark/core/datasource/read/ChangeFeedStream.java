package io.github.cosmosspark.core.datasource.read;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.session.ChangeFeed;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.connector.read.streaming.Offset;
import org.apache.spark.sql.connector.read.streaming.ReadLimit;
import org.apache.spark.sql.connector.read.streaming.ReportsSourceMetrics;
import org.apache.spark.sql.connector.read.streaming.SupportsAdmissionControl;
import org.apache.spark.sql.connector.read.streaming.SupportsTriggerAvailableNow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table's change feed as a micro-batch stream.
 *
 * <p>Cosmos's resume points (paging states) are opaque, so how far a micro-batch gets is known only
 * once its tasks have read: each task reads its feed range from the batch's start up to its share
 * of {@code changeFeed.maxRowsPerTrigger} (whole pages) or until the feed has nothing more, and
 * records where it stopped beside the checkpoint. The next offset is made of those records, and so
 * names the batch that starts from it. When every range had caught up, the next batch is planned
 * only if a one-row page finds a change (one small read per range and trigger while the table is
 * idle); with {@code Trigger.AvailableNow} the query ends there instead.
 *
 * <p>Delivery: a micro-batch replayed after a failure reads again from its start and may return
 * rows changed since in their newer version, and rows already delivered. Into a sink that upserts
 * by primary key the result is exact; an appending sink may see a row twice.
 */
final class ChangeFeedStream
    implements MicroBatchStream,
        SupportsAdmissionControl,
        SupportsTriggerAvailableNow,
        ReportsSourceMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedStream.class);

  private final ChangeFeedScan scan;
  private final ChangeFeedRecords records;
  private volatile boolean availableNow;

  /** With {@code Trigger.AvailableNow}: the first batch this run plans; before it, none. */
  private long firstBatchOfRun = Long.MAX_VALUE;

  ChangeFeedStream(ChangeFeedScan scan, String checkpointLocation) {
    this.scan = scan;
    this.records =
        new ChangeFeedRecords(
            checkpointLocation, SparkSession.active().sessionState().newHadoopConf());
  }

  @Override
  public Offset initialOffset() {
    Instant start = scan.options().startTime(Instant.now());
    List<ChangeFeedOffset.Position> positions = new ArrayList<>();
    for (String range : scan.feedRanges()) {
      positions.add(new ChangeFeedOffset.Position(range, null));
    }
    return new ChangeFeedOffset(
        scan.table(), start == null ? "beginning" : start.toString(), -1, positions);
  }

  @Override
  public Offset deserializeOffset(String json) {
    return ChangeFeedOffset.parse(json, scan.table());
  }

  @Override
  public ReadLimit getDefaultReadLimit() {
    Integer max = scan.options().maxRowsPerTrigger;
    return max == null ? ReadLimit.allAvailable() : ReadLimit.maxRows(max);
  }

  @Override
  public void prepareForTriggerAvailableNow() {
    availableNow = true;
  }

  @Override
  public Offset latestOffset() {
    throw new UnsupportedOperationException(
        "The change feed's stream is planned with latestOffset(start, limit)");
  }

  @Override
  public Offset latestOffset(Offset startOffset, ReadLimit limit) {
    ChangeFeedOffset from = (ChangeFeedOffset) startOffset;
    if (firstBatchOfRun == Long.MAX_VALUE) {
      firstBatchOfRun = from.batch + 1;
    }
    if (from.batch < 0) {
      return new ChangeFeedOffset(from.table, from.start, 0, from.positions);
    }
    List<ChangeFeedOffset.Position> reached = new ArrayList<>();
    boolean caughtUp = true;
    for (int i = 0; i < from.positions.size(); i++) {
      ChangeFeedOffset.Position position = from.positions.get(i);
      ChangeFeedRecords.Record record = records.read(from.batch, i);
      if (record == null) {
        // The batch's records are gone (a checkpoint copied without them): its range is read
        // again from the batch's start, delivering its rows a second time, not losing them.
        LOG.warn(
            "No record of where micro-batch {} stopped on feed range {} of {}; reading it again"
                + " from the batch's start.",
            from.batch,
            i,
            from.table);
        reached.add(position);
        caughtUp = false;
        continue;
      }
      reached.add(new ChangeFeedOffset.Position(position.range, record.pagingState));
      caughtUp &= record.caughtUp;
    }
    ChangeFeedOffset next = new ChangeFeedOffset(from.table, from.start, from.batch + 1, reached);
    if (!caughtUp) {
      return next;
    }
    if (availableNow && from.batch >= firstBatchOfRun) {
      return from; // every range has caught up during this run: it is done
    }
    return anyNewChange(next) ? next : from;
  }

  /** Whether a one-row page of any range finds a change past {@code offset}'s positions. */
  private boolean anyNewChange(ChangeFeedOffset offset) {
    ChangeFeedQueries queries = scan.queries(startOf(offset));
    try (CqlSession session = scan.connector().openSession()) {
      for (ChangeFeedOffset.Position position : offset.positions) {
        ByteBuffer state =
            position.pagingState == null
                ? null
                : ByteBuffer.wrap(Base64.getDecoder().decode(position.pagingState));
        ChangeFeed.Page page =
            ChangeFeed.readPage(session, queries.query(position.range), state, 1, offset.table);
        if (!page.rows().isEmpty() || page.rateLimited()) {
          return true; // a rate-limited probe says nothing: let a batch find out
        }
      }
    }
    return false;
  }

  @Override
  public InputPartition[] planInputPartitions(Offset start, Offset end) {
    ChangeFeedOffset to = (ChangeFeedOffset) end;
    Integer max = scan.options().maxRowsPerTrigger;
    int ranges = to.positions.size();
    long perRange = max == null ? Long.MAX_VALUE : Math.max(1, (max + ranges - 1) / ranges);
    ChangeFeedQueries queries = scan.queries(startOf(to));
    InputPartition[] partitions = new InputPartition[ranges];
    for (int i = 0; i < ranges; i++) {
      ChangeFeedOffset.Position position = to.positions.get(i);
      partitions[i] =
          new ChangeFeedPartition(
              i,
              position.range,
              queries.query(position.range),
              position.pagingState,
              perRange,
              to.batch);
    }
    return partitions;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return scan.streamReaderFactory(records);
  }

  @Override
  public void commit(Offset end) {
    records.removeBefore(((ChangeFeedOffset) end).batch);
  }

  @Override
  public void stop() {}

  @Override
  public Map<String, String> metrics(Optional<Offset> latestConsumedOffset) {
    Map<String, String> metrics = new HashMap<>();
    if (!latestConsumedOffset.isPresent()) {
      return metrics;
    }
    ChangeFeedOffset offset = (ChangeFeedOffset) latestConsumedOffset.get();
    metrics.put("feedRanges", Integer.toString(offset.positions.size()));
    long rows = 0;
    double requestUnits = 0;
    Long lag = null;
    for (int i = 0; i < offset.positions.size() && offset.batch >= 0; i++) {
      ChangeFeedRecords.Record record = records.read(offset.batch, i);
      if (record == null) {
        continue;
      }
      rows += record.rows;
      requestUnits += record.requestUnits;
      Long rangeLag = record.lagMillis();
      if (rangeLag != null && (lag == null || rangeLag > lag)) {
        lag = rangeLag;
      }
    }
    metrics.put("rowsRead", Long.toString(rows));
    metrics.put("requestUnits", String.format(java.util.Locale.ROOT, "%.2f", requestUnits));
    if (lag != null) {
      metrics.put("lagMillis", Long.toString(lag));
    }
    return metrics;
  }

  private static Instant startOf(ChangeFeedOffset offset) {
    return offset.start.equals("beginning") ? null : Instant.parse(offset.start);
  }
}

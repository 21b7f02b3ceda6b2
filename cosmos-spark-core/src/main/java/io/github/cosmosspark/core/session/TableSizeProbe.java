package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.github.cosmosspark.core.throughput.RowEstimate;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Estimates a table's rows cheaply, since Cosmos keeps no {@code system.size_estimates}: one page
 * of {@code SELECT token(pk) FROM ks.t WHERE token(pk) > ? AND token(pk) <= ? LIMIT n} in each of
 * {@value #SEGMENTS} equal segments of the token ring, extrapolated by {@link RowEstimate}; and,
 * since the schema knows no text's or blob's length, one page of {@value #ROWS_SIZED} whole rows to
 * learn what a row weighs (rows in token order, and tokens are a hash: a sample of the table at
 * random). At most {@value #SEGMENTS} × {@value #ROWS_PER_SEGMENT} tokens and {@value #ROWS_SIZED}
 * rows are read, through the session given (so the reads are admitted, resent and charged as any
 * other). Runs on the calling thread, which waits for each page: call it where Spark plans a query,
 * never on a driver I/O thread.
 */
public final class TableSizeProbe {
  /** Segments of the token ring read, one page each. */
  public static final int SEGMENTS = 8;

  /** Tokens read per segment at most. */
  public static final int ROWS_PER_SEGMENT = 500;

  /**
   * Whole rows read to learn a row's size: enough for an average within a few percent on rows of
   * one shape, few enough that rows near Cosmos's 2 MB limit cost a planning read of tens of MB,
   * not hundreds.
   */
  public static final int ROWS_SIZED = 20;

  private static final double SEGMENT_SIZE = Math.pow(2, 64) / SEGMENTS;
  private static final long SEGMENT_STEP = (long) SEGMENT_SIZE;

  /** The custom payload in which Cosmos says what a request cost. */
  private static final String REQUEST_CHARGE = "RequestCharge";

  private TableSizeProbe() {}

  /**
   * The table's rows as the probe finds them.
   *
   * @param keyspace the keyspace, as CQL writes it (quoted if need be)
   * @param table the table, as CQL writes it
   * @param partitionKey the partition key's columns in order, as CQL writes them
   * @throws RuntimeException whatever a request threw, or if {@code token()} is not a bigint
   */
  public static RowEstimate estimate(
      CqlSession session, String keyspace, String table, List<String> partitionKey) {
    String key = String.join(", ", partitionKey);
    String cql =
        "SELECT token("
            + key
            + ") FROM "
            + keyspace
            + "."
            + table
            + " WHERE token("
            + key
            + ") > ? AND token("
            + key
            + ") <= ? LIMIT "
            + ROWS_PER_SEGMENT;
    RowEstimate.Builder estimate = RowEstimate.builder();
    for (int segment = 0; segment < SEGMENTS; segment++) {
      long start = Long.MIN_VALUE + segment * SEGMENT_STEP;
      long end = segment == SEGMENTS - 1 ? Long.MAX_VALUE : start + SEGMENT_STEP;
      ResultSet page =
          session.execute(
              SimpleStatement.newInstance(cql, start, end)
                  .setPageSize(ROWS_PER_SEGMENT)
                  .setIdempotent(true));
      // Only the first page: with LIMIT n it holds every row, and asking for another would send
      // one more (empty) request.
      int rows = page.getAvailableWithoutFetching();
      long last = start;
      for (int i = 0; i < rows; i++) {
        Row row = page.one();
        last = row.getLong(0);
      }
      charged(page, estimate);
      estimate.segment(SEGMENT_SIZE, rows, (double) last - (double) start, rows < ROWS_PER_SEGMENT);
    }
    if (estimate.hasRows()) {
      sampleRowSizes(session, keyspace + "." + table, estimate);
    }
    return estimate.build();
  }

  /** One page of whole rows, their values' bytes summed as a page carries them. */
  private static void sampleRowSizes(
      CqlSession session, String keyspaceAndTable, RowEstimate.Builder estimate) {
    ResultSet page =
        session.execute(
            SimpleStatement.newInstance(
                    "SELECT * FROM " + keyspaceAndTable + " LIMIT " + ROWS_SIZED)
                .setPageSize(ROWS_SIZED)
                .setIdempotent(true));
    int rows = page.getAvailableWithoutFetching();
    long bytes = 0;
    for (int i = 0; i < rows; i++) {
      Row row = page.one();
      for (int column = 0; column < row.size(); column++) {
        ByteBuffer value = row.getBytesUnsafe(column);
        bytes += 4 + (value == null ? 0 : value.remaining());
      }
    }
    charged(page, estimate);
    estimate.sampledRows(rows, bytes);
  }

  private static void charged(ResultSet page, RowEstimate.Builder estimate) {
    ByteBuffer charge = page.getExecutionInfo().getIncomingPayload().get(REQUEST_CHARGE);
    if (charge != null && charge.remaining() == 8) {
      estimate.charged(charge.getDouble(charge.position()));
    }
  }
}

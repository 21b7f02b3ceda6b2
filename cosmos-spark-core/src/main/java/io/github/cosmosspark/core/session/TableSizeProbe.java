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
 * {@value #SEGMENTS} equal segments of the token ring, extrapolated by {@link RowEstimate}. At most
 * {@value #SEGMENTS} × {@value #ROWS_PER_SEGMENT} rows are read, through the session given (so the
 * reads are admitted, resent and charged as any other). Runs on the calling thread, which waits for
 * each page: call it where Spark plans a query, never on a driver I/O thread.
 */
public final class TableSizeProbe {
  /** Segments of the token ring read, one page each. */
  public static final int SEGMENTS = 8;

  /** Tokens read per segment at most. */
  public static final int ROWS_PER_SEGMENT = 500;

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
      ByteBuffer charge = page.getExecutionInfo().getIncomingPayload().get(REQUEST_CHARGE);
      if (charge != null && charge.remaining() == 8) {
        estimate.charged(charge.getDouble(charge.position()));
      }
      estimate.segment(SEGMENT_SIZE, rows, (double) last - (double) start, rows < ROWS_PER_SEGMENT);
    }
    return estimate.build();
  }
}

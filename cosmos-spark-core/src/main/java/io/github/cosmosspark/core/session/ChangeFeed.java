package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import io.github.cosmosspark.core.errors.CosmosDataException;
import io.github.cosmosspark.core.errors.CosmosRateLimitException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Cosmos's change feed for the Cassandra API, read with plain CQL: {@code SELECT ... WHERE
 * COSMOS_CHANGEFEED_START_TIME() = '<time>'} (or {@code COSMOS_CHANGEFEED_FROM_START() = true}),
 * optionally {@code AND COSMOS_FEEDRANGE() = '<range>'}, one page at a time, resumed with the
 * driver's paging state. Each page holds the latest version of rows changed since the start, in
 * modification order; deletes never appear. See docs/cosmos-behaviour.md, "Change feed".
 *
 * <p>Requests go through the session given, which for the connector is the retrying, throttled
 * session: a feed page is a read of its table and is admitted and charged as one.
 */
public final class ChangeFeed {
  /** Microsoft's samples write the start time so, in UTC. */
  private static final DateTimeFormatter START_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private static final String REQUEST_CHARGE = "RequestCharge";

  private ChangeFeed() {}

  /**
   * The table's feed ranges ({@code system_cosmos.feedranges}: one per physical partition), or an
   * empty list with the reason when the account answers no such table (feed ranges were a preview;
   * see docs/cosmos-behaviour.md): the caller then reads the whole table's feed as one range.
   */
  public static FeedRanges feedRanges(CqlSession session, String keyspace, String table) {
    try {
      List<String> ranges = new ArrayList<>();
      for (Row row :
          session.execute(
              SimpleStatement.newInstance(
                      "SELECT range FROM system_cosmos.feedranges WHERE keyspace_name = "
                          + literal(keyspace)
                          + " AND table_name = "
                          + literal(table))
                  .setIdempotent(true))) {
        ranges.add(row.getString(0));
      }
      Collections.sort(ranges);
      return new FeedRanges(ranges, ranges.isEmpty() ? "it listed no range" : null);
    } catch (QueryValidationException | ServerError e) {
      return new FeedRanges(Collections.<String>emptyList(), e.getMessage());
    }
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /**
   * The feed query of {@code table} (CQL names, quoted as needed) from {@code start} (null: from
   * the oldest change), in {@code range} (null: the whole table). {@code writeTimes} are selected
   * after {@code columns} as {@code writetime(c)}, for the time of each change.
   */
  public static String query(
      String keyspace,
      String table,
      List<String> columns,
      List<String> writeTimes,
      Instant start,
      String range) {
    StringBuilder cql = new StringBuilder("SELECT ");
    cql.append(String.join(", ", columns));
    for (String column : writeTimes) {
      cql.append(", writetime(").append(column).append(')');
    }
    cql.append(" FROM ").append(keyspace).append('.').append(table).append(" WHERE ");
    if (start == null) {
      cql.append("COSMOS_CHANGEFEED_FROM_START() = true");
    } else {
      cql.append("COSMOS_CHANGEFEED_START_TIME() = '")
          .append(START_TIME.format(start))
          .append('\'');
    }
    if (range != null) {
      cql.append(" AND COSMOS_FEEDRANGE() = ").append(literal(range));
    }
    return cql.toString();
  }

  /**
   * One page of the feed from {@code pagingState} (null: its start): blocks the calling thread (a
   * task's or the planner's, never a driver I/O thread) while the session's retries and budget
   * waits run on their own schedule.
   *
   * @param table {@code keyspace.table}, for the error when Cosmos refuses a resume point
   */
  public static Page readPage(
      CqlSession session, String cql, ByteBuffer pagingState, int pageSize, String table) {
    ResultSet result;
    try {
      result =
          session.execute(
              SimpleStatement.newInstance(cql)
                  .setPageSize(pageSize)
                  .setPagingState(pagingState)
                  .setIdempotent(true));
    } catch (InvalidQueryException e) {
      if (pagingState == null) {
        throw e;
      }
      throw new CosmosDataException(
          "Cosmos refused the change feed's resume point for "
              + table
              + ": "
              + e.getMessage()
              + ". A resume point is valid only for the table it came from: if the table was"
              + " dropped and created again since it was saved (in a streaming query's"
              + " checkpoint), restart the query with a new checkpoint location and"
              + " changeFeed.startFrom.",
          e);
    }
    int available = result.getAvailableWithoutFetching();
    List<Row> rows = new ArrayList<>(available);
    for (int i = 0; i < available; i++) {
      rows.add(result.one());
    }
    ByteBuffer next = result.getExecutionInfo().getPagingState();
    ByteBuffer charge = result.getExecutionInfo().getIncomingPayload().get(REQUEST_CHARGE);
    double requestUnits =
        charge != null && charge.remaining() == 8 ? charge.getDouble(charge.position()) : 0;
    return new Page(result, rows, next != null ? next : pagingState, requestUnits);
  }

  /**
   * {@link #readPage}, waiting out rate-limited answers: on the change feed Cosmos answers a read
   * over budget with an empty page it charges nothing for, not an error the session would resend.
   * The waits (50 ms doubling to 2 s) are scheduled on the runtime's timer; the calling thread
   * waits for them, as it waits for the page.
   *
   * @param quietly for a micro-batch: after about 30 s of rate-limited answers return null (the
   *     next batch goes on from the same place); else fail naming the table
   */
  public static Page readPageWhenAdmitted(
      CqlSession session,
      String cql,
      ByteBuffer pagingState,
      int pageSize,
      String table,
      boolean quietly) {
    long delay = 50;
    long waited = 0;
    int rateLimited = 0;
    while (true) {
      Page page = readPage(session, cql, pagingState, pageSize, table);
      if (!page.rateLimited()) {
        return page;
      }
      rateLimited++;
      if (waited >= MAX_RATE_LIMITED_WAIT_MILLIS) {
        if (quietly) {
          return null;
        }
        throw new CosmosRateLimitException(
            table,
            rateLimited,
            waited,
            "The change feed of "
                + table
                + " answered "
                + rateLimited
                + " reads in a row with an empty, uncharged page (Cosmos's answer to a rate-limited"
                + " feed read) over "
                + waited
                + " ms. Give the read more of the table's throughput (throughput.targetRuPerSecond)"
                + " or run it when the table is less busy.",
            null);
      }
      pause(delay);
      waited += delay;
      delay = Math.min(delay * 2, 2_000);
    }
  }

  private static final long MAX_RATE_LIMITED_WAIT_MILLIS = 30_000;

  private static void pause(long millis) {
    try {
      CosmosRuntime.get().timer().schedule(() -> null, millis, TimeUnit.MILLISECONDS).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting to read the change feed", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** A table's feed ranges, or why there are none. */
  public static final class FeedRanges {
    private final List<String> ranges;
    private final String unavailable;

    FeedRanges(List<String> ranges, String unavailable) {
      this.ranges = Collections.unmodifiableList(ranges);
      this.unavailable = unavailable;
    }

    /** The ranges, sorted; empty when the account offers none. */
    public List<String> ranges() {
      return ranges;
    }

    /** Why there are no ranges (Cosmos's error), or null. */
    public String unavailable() {
      return unavailable;
    }
  }

  /** One page of the feed. */
  public static final class Page {
    private final ResultSet result;
    private final List<Row> rows;
    private final ByteBuffer next;
    private final double requestUnits;

    Page(ResultSet result, List<Row> rows, ByteBuffer next, double requestUnits) {
      this.result = result;
      this.rows = rows;
      this.next = next;
      this.requestUnits = requestUnits;
    }

    /** The result the rows came in, for its column definitions. */
    public ResultSet result() {
      return result;
    }

    public List<Row> rows() {
      return rows;
    }

    /** Where the next page starts; the page's own start when Cosmos sent none. */
    public ByteBuffer next() {
      return next;
    }

    /** What Cosmos charged for the page (its {@code RequestCharge}), 0 when it said nothing. */
    public double requestUnits() {
      return requestUnits;
    }

    /**
     * Whether the page is an empty one Cosmos charged nothing for: on the change feed, Cosmos
     * answers a rate-limited read with an empty page rather than an error (Learn, change-feed page,
     * "Error handling"), so an uncharged empty page says "later", not "nothing new".
     */
    public boolean rateLimited() {
      return rows.isEmpty() && requestUnits <= 0;
    }
  }
}

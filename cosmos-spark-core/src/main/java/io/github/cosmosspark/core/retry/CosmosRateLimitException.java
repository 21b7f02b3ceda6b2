package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.servererrors.OverloadedException;

/**
 * Cosmos DB kept rate-limiting one request until {@code retry.maxAttempts} or {@code
 * retry.maxTimeMs} ran out. The message names the table, what was tried, and what to change; the
 * last rate-limit answer is the cause.
 */
public final class CosmosRateLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String table;
  private final int rateLimited;
  private final long waitedMillis;

  CosmosRateLimitException(
      String table,
      int rateLimited,
      long waitedMillis,
      long elapsedMillis,
      long provisionedRuPerSecond,
      RetrySettings settings,
      OverloadedException last) {
    super(
        message(table, rateLimited, waitedMillis, elapsedMillis, provisionedRuPerSecond, settings),
        last);
    this.table = table;
    this.rateLimited = rateLimited;
    this.waitedMillis = waitedMillis;
  }

  /** The {@code keyspace.table} the request was for. */
  public String table() {
    return table;
  }

  /** How many rate-limited (429) answers the request received. */
  public int rateLimited() {
    return rateLimited;
  }

  /** How long the request waited between its sends, in all. */
  public long waitedMillis() {
    return waitedMillis;
  }

  private static String message(
      String table,
      int rateLimited,
      long waitedMillis,
      long elapsedMillis,
      long provisionedRuPerSecond,
      RetrySettings settings) {
    return String.format(
        "Cosmos DB rate-limited a request to %s %s (429, request rate is large); gave up after"
            + " waiting %,d ms of %,d ms since the first send (limits: spark.cosmos.cassandra"
            + ".retry.maxAttempts=%d, spark.cosmos.cassandra.retry.maxTimeMs=%d). %s This job asks"
            + " for more request units per second than the table has. Raise the table's"
            + " throughput, or lower the job's demand: fewer executors or cores, or smaller"
            + " spark.cassandra.output.concurrent.writes and spark.cassandra.concurrent.reads.",
        table,
        rateLimited == 1 ? "once" : String.format("%,d times", rateLimited),
        waitedMillis,
        elapsedMillis,
        settings.maxAttempts(),
        settings.maxTimeMillis(),
        provisionedRuPerSecond > 0
            ? String.format("The table is provisioned with %,d RU/s.", provisionedRuPerSecond)
            : "Its provisioned throughput is not known here (Cosmos does not expose it over CQL;"
                + " see the portal).");
  }
}

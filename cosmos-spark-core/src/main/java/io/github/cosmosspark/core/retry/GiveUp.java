package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.RetrySettings;
import io.github.cosmosspark.core.errors.CosmosDataException;
import io.github.cosmosspark.core.errors.CosmosEndpointException;
import io.github.cosmosspark.core.errors.CosmosRateLimitException;

/**
 * The errors a request fails with when its retry limits run out, each naming the table, what was
 * tried, the limits (by their option keys) and what to change.
 */
final class GiveUp {
  private static final String LIMITS =
      "(limits: "
          + CosmosOptions.RETRY_MAX_ATTEMPTS.key()
          + "=%d, "
          + CosmosOptions.RETRY_MAX_TIME_MS.key()
          + "=%d)";

  private GiveUp() {}

  static CosmosEndpointException endpointDown(
      String table, int unsent, long elapsedMillis, RetrySettings settings, Throwable last) {
    return new CosmosEndpointException(
        table,
        String.format(
            "A request to %s could not be sent: the driver held the endpoint for down on %s over"
                + " %,d ms "
                + LIMITS
                + ". Check that the account's endpoint"
                + " is reachable from the executors (network, firewall, region outage); raise"
                + " retry.maxTimeMs to ride out a longer outage. Last error: %s",
            table,
            unsent == 1 ? "1 try" : String.format("%,d tries", unsent),
            elapsedMillis,
            settings.maxAttempts(),
            settings.maxTimeMillis(),
            last.getMessage()),
        last);
  }

  /**
   * The retry limits ran out while the endpoint kept dropping connections, leaving every connection
   * busy or timing out: {@code troubles} of the {@code attempts} ended so.
   */
  static CosmosEndpointException unanswered(
      String table,
      int attempts,
      int troubles,
      long elapsedMillis,
      RetrySettings settings,
      Throwable last) {
    return new CosmosEndpointException(
        table,
        String.format(
            "A request to %s got no answer in %s over %,d ms: %,d ended with the connection"
                + " lost, every connection busy, the endpoint down or no answer in time "
                + LIMITS
                + ". Check that the account's endpoint"
                + " is reachable from the executors and not restarting (network, firewall, region"
                + " outage); raise retry.maxTimeMs to ride out a longer outage. Last error: %s",
            table,
            attempts == 1 ? "1 try" : String.format("%,d tries", attempts),
            elapsedMillis,
            troubles,
            settings.maxAttempts(),
            settings.maxTimeMillis(),
            last.getMessage()),
        last);
  }

  static CosmosEndpointException timedOut(
      String table, int timeouts, boolean resendable, RetrySettings settings, Throwable last) {
    String tried =
        resendable
            ? String.format(
                "timed out %s (%s=%d)",
                timeouts == 1
                    ? "once"
                    : timeouts == 2 ? "twice" : String.format("%,d times", timeouts),
                CosmosOptions.RETRY_TIMEOUT_RETRIES.key(),
                settings.timeoutRetries())
            : "timed out and was not resent: it is a write that may not run twice (a counter"
                + " update, a list append or prepend, or a lightweight transaction), and it may"
                + " have run";
    return new CosmosEndpointException(
        table,
        String.format(
            "A request to %s%s %s: %s. The endpoint answered later than the request timeout; raise"
                + " spark.cassandra.read.timeoutMS (the driver's request timeout for reads and"
                + " writes) or retry.timeoutRetries, or lower the job's concurrency"
                + " (spark.cassandra.output.concurrent.writes, spark.cassandra.concurrent.reads).",
            table,
            isMetadata(table)
                ? " (the connector's metadata query, made while a read or write is planned)"
                : "",
            tried,
            last.getMessage()),
        last);
  }

  /**
   * The server answered a read or write timeout, and the driver's policy has resent it as often as
   * it may: on Cosmos, what an account with server-side retry answers after holding a request over
   * the table's throughput for 60 s, so the message points at the budget, not at the network.
   */
  static CosmosEndpointException serverTimedOut(
      String table, int sends, boolean resendable, RetrySettings settings, Throwable last) {
    String tried =
        resendable
            ? String.format(
                "timed out on the server %s (%s=%d)",
                sends == 1 ? "once" : sends == 2 ? "twice" : String.format("%,d times", sends),
                CosmosOptions.RETRY_TIMEOUT_RETRIES.key(),
                settings.timeoutRetries())
            : "timed out on the server and was not resent: it is a write that may not run twice (a"
                + " counter update, a list append or prepend, or a lightweight transaction), and it"
                + " may have run";
    return new CosmosEndpointException(
        table,
        String.format(
            "A request to %s%s %s: %s. Cosmos answers a read or write timeout when an account with"
                + " server-side retry has held a request over the table's throughput for 60 s: the"
                + " job asks for more request units per second than the table has. Declare the"
                + " table's throughput (%s) or set %s below it, so cosmos-spark paces the job from"
                + " its first request; or raise the table's throughput.",
            table,
            isMetadata(table)
                ? " (the connector's metadata query, made while a read or write is planned)"
                : "",
            tried,
            last.getMessage(),
            CosmosOptions.THROUGHPUT_PROVISIONED.key(),
            CosmosOptions.THROUGHPUT_TARGET.key()),
        last);
  }

  static CosmosRateLimitException rateLimited(
      String table,
      int rateLimited,
      long waitedMillis,
      long elapsedMillis,
      long provisionedRuPerSecond,
      RetrySettings settings,
      OverloadedException last) {
    return new CosmosRateLimitException(
        table,
        rateLimited,
        waitedMillis,
        String.format(
            "Cosmos DB rate-limited a request to %s %s (429, request rate is large); gave up after"
                + " waiting %,d ms of %,d ms since the first send "
                + LIMITS
                + ". %s This job asks"
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
                : "Its provisioned throughput is not known here (Cosmos does not expose it over"
                    + " CQL; see the portal)."),
        last);
  }

  /**
   * Cosmos refused a row over its 2 MB limit (413): sending it again cannot help. Names the table,
   * the row's partition key and its size, never a value of its other columns.
   */
  static CosmosDataException tooLarge(String table, RowSize row, Throwable last) {
    return new CosmosDataException(
        String.format(
            "Cosmos DB refused a write to %s: the row with key %s is %,d bytes, over Cosmos's limit"
                + " of %,d bytes (2 MB) per row (a write failure: 413, request entity too large)."
                + " The row was not written, and sending it again cannot help. Keep large values"
                + " elsewhere (such as Azure Blob Storage) with a reference in the row, or split"
                + " them over several rows. Rows the task wrote before it were written. (%s)",
            table,
            row.key() == null ? "(not known)" : row.key(),
            row.bytes(),
            RowSize.MAX_BYTES,
            last.getMessage()),
        last);
  }

  /**
   * A write kept getting write failures after {@code resends} resends, or got one and cannot be
   * sent twice safely. The Java driver does not show which Cosmos status it was, so the message
   * says what each means.
   */
  static CosmosDataException writeFailed(
      String table,
      RowSize row,
      int failures,
      int resends,
      boolean resendable,
      long elapsedMillis,
      Throwable last) {
    String tried =
        resendable
            ? String.format(
                "%s; gave up after resending it %s over %,d ms",
                failures == 1 ? "once" : String.format("%,d times", failures),
                resends == 1 ? "once" : String.format("%,d times", resends),
                elapsedMillis)
            : "and did not resend it: the write may not run twice (a counter update, a list"
                + " append or prepend, or a lightweight transaction such as IF NOT EXISTS), and"
                + " Cosmos does not say whether a refused write may have run";
    return new CosmosDataException(
        String.format(
            "Cosmos DB answered a write to %s (key %s%s) with a write failure %s. Cosmos sends one"
                + " when another write to the same row is in flight (449), when the row is locked"
                + " by a write being processed (423), when a precondition of the write fails"
                + " (412) or when what the write updates is not found (404); the Java driver does"
                + " not show which. Most often several writes update one row at once: rows with"
                + " the same primary key in one DataFrame, written by different tasks, or another"
                + " job writing the same rows. Remove the duplicates before writing"
                + " (dropDuplicates on the primary key columns), or keep them in one task"
                + " (repartition by the primary key), or stop the other writer. (%s)",
            table,
            row.key() == null ? "not known" : row.key(),
            row.bytes() >= 0 ? String.format(", %,d bytes", row.bytes()) : "",
            tried,
            last.getMessage()),
        last);
  }

  /** The keyspaces that hold the server's own tables, which SCC reads to plan a job. */
  private static boolean isMetadata(String table) {
    return table.startsWith("system.") || table.startsWith("system_");
  }
}

package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.RetrySettings;
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
                + " is reachable from the executors (network, firewall, region outage) and, if you set"
                + " spark.cassandra.connection.localDC, that it names the account's region; raise"
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
            : "timed out and was not resent: it is a write that is not idempotent, so it may"
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

  /** The keyspaces that hold the server's own tables, which SCC reads to plan a job. */
  private static boolean isMetadata(String table) {
    return table.startsWith("system.") || table.startsWith("system_");
  }
}

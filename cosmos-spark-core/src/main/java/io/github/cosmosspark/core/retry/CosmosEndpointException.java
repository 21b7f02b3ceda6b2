package io.github.cosmosspark.core.retry;

/**
 * A request to Cosmos DB got no answer: the endpoint stayed down, or kept answering later than the
 * request timeout, longer than the retry settings allow. The message names the table, what was
 * tried and what to change; the driver's last error is the cause.
 */
public final class CosmosEndpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String table;

  private CosmosEndpointException(String table, String message, Throwable last) {
    super(message, last);
    this.table = table;
  }

  /** The {@code keyspace.table} the request was for. */
  public String table() {
    return table;
  }

  static CosmosEndpointException down(
      String table, int unsent, long elapsedMillis, RetrySettings settings, Throwable last) {
    return new CosmosEndpointException(
        table,
        String.format(
            "A request to %s could not be sent: the driver held the endpoint for down on %s over"
                + " %,d ms (limits: spark.cosmos.cassandra.retry.maxAttempts=%d,"
                + " spark.cosmos.cassandra.retry.maxTimeMs=%d). Check that the account's endpoint"
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
                + " lost, every connection busy, the endpoint down or no answer in time (limits:"
                + " spark.cosmos.cassandra.retry.maxAttempts=%d,"
                + " spark.cosmos.cassandra.retry.maxTimeMs=%d). Check that the account's endpoint"
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
                "timed out %s (spark.cosmos.cassandra.retry.timeoutRetries=%d)",
                timeouts == 1
                    ? "once"
                    : timeouts == 2 ? "twice" : String.format("%,d times", timeouts),
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

  /** The keyspaces that hold the server's own tables, which SCC reads to plan a job. */
  private static boolean isMetadata(String table) {
    return table.startsWith("system.") || table.startsWith("system_");
  }
}

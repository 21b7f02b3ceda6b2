package io.github.cosmosspark.core.errors;

/**
 * Cosmos DB kept rate-limiting one request until {@code retry.maxAttempts} or {@code
 * retry.maxTimeMs} ran out. The message names the table, what was tried, and what to change; the
 * last rate-limit answer is the cause.
 */
public final class CosmosRateLimitException extends CosmosSparkException {
  private static final long serialVersionUID = 2L;

  private final String table;
  private final int rateLimited;
  private final long waitedMillis;

  public CosmosRateLimitException(
      String table, int rateLimited, long waitedMillis, String message, Throwable last) {
    super(message, last);
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

  @Override
  public Kind kind() {
    return Kind.RATE_LIMIT;
  }
}

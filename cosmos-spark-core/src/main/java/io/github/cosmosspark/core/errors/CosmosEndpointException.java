package io.github.cosmosspark.core.errors;

/**
 * A request to Cosmos DB got no answer: the endpoint stayed down, or kept answering later than the
 * request timeout, longer than the retry settings allow. The message names the table, what was
 * tried and what to change; the driver's last error is the cause.
 */
public final class CosmosEndpointException extends CosmosSparkException {
  private static final long serialVersionUID = 2L;

  private final String table;

  public CosmosEndpointException(String table, String message, Throwable last) {
    super(message, last);
    this.table = table;
  }

  /** The {@code keyspace.table} the request was for. */
  public String table() {
    return table;
  }

  @Override
  public Kind kind() {
    return Kind.ENDPOINT;
  }
}

package io.github.cosmosspark.core.errors;

/**
 * A session to Cosmos could not be opened. The message names the account and endpoint and says what
 * to check; it never carries the key.
 */
public final class CosmosConnectionException extends CosmosSparkException {
  private static final long serialVersionUID = 2L;

  public CosmosConnectionException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.ENDPOINT;
  }
}

package io.github.cosmosspark.core.connection;

/**
 * A session to Cosmos could not be opened. The message names the account and endpoint and says what
 * to check; it never carries the key.
 */
public final class CosmosConnectionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CosmosConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}

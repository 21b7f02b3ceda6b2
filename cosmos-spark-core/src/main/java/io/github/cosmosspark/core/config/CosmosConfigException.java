package io.github.cosmosspark.core.config;

/**
 * A configuration error: the message names the option at fault and says what to do. Thrown before
 * any data moves. Never carries a secret value.
 */
public final class CosmosConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public CosmosConfigException(String message) {
    super(message);
  }

  public CosmosConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.github.cosmosspark.core.errors;

/**
 * A configuration error: an option, a Spark setting, a DDL property or the classpath is wrong. The
 * message names the option at fault and says what to do. Thrown on the driver before any data
 * moves, except where an executor is the first to see the setting (a trust store missing on one
 * machine). Never carries a secret value.
 */
public final class CosmosConfigException extends CosmosSparkException {
  private static final long serialVersionUID = 2L;

  public CosmosConfigException(String message) {
    super(message);
  }

  public CosmosConfigException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.CONFIGURATION;
  }
}

package io.github.cosmosspark.core.config;

import java.io.Serializable;

/** How long and how often one request may be resent. Immutable; travels to executors. */
public final class RetrySettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The defaults documented with the options. */
  public static final RetrySettings DEFAULTS =
      new RetrySettings(
          CosmosOptions.RETRY_MAX_ATTEMPTS.defaultValue(),
          CosmosOptions.RETRY_MAX_TIME_MS.defaultValue(),
          CosmosOptions.RETRY_TIMEOUT_RETRIES.defaultValue());

  private final int maxAttempts;
  private final int maxTimeMillis;
  private final int timeoutRetries;

  public RetrySettings(int maxAttempts, int maxTimeMillis, int timeoutRetries) {
    this.maxAttempts = maxAttempts;
    this.maxTimeMillis = maxTimeMillis;
    this.timeoutRetries = timeoutRetries;
  }

  /** Sends of one rate-limited request, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Time one request may spend from its first send until its last resend. */
  public int maxTimeMillis() {
    return maxTimeMillis;
  }

  /** Immediate resends of an idempotent request after a timeout or a transient server error. */
  public int timeoutRetries() {
    return timeoutRetries;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof RetrySettings)) {
      return false;
    }
    RetrySettings that = (RetrySettings) other;
    return maxAttempts == that.maxAttempts
        && maxTimeMillis == that.maxTimeMillis
        && timeoutRetries == that.timeoutRetries;
  }

  @Override
  public int hashCode() {
    return (maxAttempts * 31 + maxTimeMillis) * 31 + timeoutRetries;
  }

  @Override
  public String toString() {
    return "RetrySettings{maxAttempts="
        + maxAttempts
        + ", maxTimeMillis="
        + maxTimeMillis
        + ", timeoutRetries="
        + timeoutRetries
        + "}";
  }
}

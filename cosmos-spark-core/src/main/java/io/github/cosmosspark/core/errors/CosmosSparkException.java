package io.github.cosmosspark.core.errors;

/**
 * The base of every error cosmos-spark raises on purpose. Its message says what is wrong, which
 * option, table or row, and what to do; it never carries a key, token or password. {@link #kind()}
 * tells callers what to do about it without parsing the message: fix the job's settings, fix the
 * data, look at the endpoint, or give the table more throughput.
 */
public abstract class CosmosSparkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What a failure is about, and so who can fix it. */
  public enum Kind {
    /** An option, setting, DDL property or library on the classpath: fix it before running. */
    CONFIGURATION,
    /** A row or a DataFrame's schema that the table cannot take. */
    DATA,
    /** The endpoint could not be reached, or did not answer in time. */
    ENDPOINT,
    /** Cosmos kept refusing requests for the table's throughput. */
    RATE_LIMIT
  }

  protected CosmosSparkException(String message) {
    super(message);
  }

  protected CosmosSparkException(String message, Throwable cause) {
    super(message, cause);
  }

  /** What this failure is about. */
  public abstract Kind kind();
}

package io.github.cosmosspark.testkit.cassandra;

/**
 * The test server could not be started, stopped or reached. The message says which and, when the
 * server JVM ran, ends with the last lines of its log.
 */
public final class CassandraServerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CassandraServerException(String message) {
    super(message);
  }

  public CassandraServerException(String message, Throwable cause) {
    super(message, cause);
  }
}

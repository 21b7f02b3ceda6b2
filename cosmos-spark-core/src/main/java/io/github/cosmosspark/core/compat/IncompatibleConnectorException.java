package io.github.cosmosspark.core.compat;

/**
 * The JVM loads a Spark Cassandra Connector of another minor version than the one cosmos-spark was
 * built against. The message names both versions and the jar the other one comes from.
 */
public final class IncompatibleConnectorException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  IncompatibleConnectorException(String message) {
    super(message);
  }
}

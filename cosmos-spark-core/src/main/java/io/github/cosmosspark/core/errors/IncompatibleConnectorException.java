package io.github.cosmosspark.core.errors;

/**
 * The JVM loads a Spark Cassandra Connector of another minor version than the one cosmos-spark was
 * built against. The message names both versions and the jar the other one comes from.
 */
public final class IncompatibleConnectorException extends CosmosSparkException {
  private static final long serialVersionUID = 2L;

  public IncompatibleConnectorException(String message) {
    super(message);
  }

  @Override
  public Kind kind() {
    return Kind.CONFIGURATION;
  }
}

package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.session.ProgrammaticArguments;
import com.datastax.oss.driver.internal.core.context.DefaultDriverContext;

/**
 * The driver's context for a Cosmos session, carrying what the driver's own plug-ins need from the
 * JVM's runtime: the driver creates {@link CosmosDriverRetryPolicy} by class name, so the context
 * is the only way to hand it the statistics it adds to.
 */
public final class CosmosDriverContext extends DefaultDriverContext {
  private final RetryStatistics retryStatistics;

  public CosmosDriverContext(
      DriverConfigLoader configLoader,
      ProgrammaticArguments programmaticArguments,
      RetryStatistics retryStatistics) {
    super(configLoader, programmaticArguments);
    this.retryStatistics = retryStatistics;
  }

  /** Where the driver's immediate resends are counted. */
  public RetryStatistics retryStatistics() {
    return retryStatistics;
  }
}

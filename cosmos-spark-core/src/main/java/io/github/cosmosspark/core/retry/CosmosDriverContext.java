package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.session.ProgrammaticArguments;
import com.datastax.oss.driver.internal.core.context.DefaultDriverContext;
import io.github.cosmosspark.core.config.RegionSettings;

/**
 * The driver's context for a Cosmos session, carrying what the driver's own plug-ins need from the
 * JVM's runtime and the session's settings: the driver creates {@link CosmosDriverRetryPolicy} and
 * the load-balancing policy by class name, so the context is the only way to hand them the
 * statistics they add to and the regions they route by.
 */
public final class CosmosDriverContext extends DefaultDriverContext {
  private final RetryStatistics retryStatistics;
  private final RegionSettings regions;

  public CosmosDriverContext(
      DriverConfigLoader configLoader,
      ProgrammaticArguments programmaticArguments,
      RetryStatistics retryStatistics,
      RegionSettings regions) {
    super(configLoader, programmaticArguments);
    this.retryStatistics = retryStatistics;
    this.regions = regions;
  }

  /** Where the session's reads and writes go on an account with several regions. */
  public RegionSettings regions() {
    return regions;
  }

  /** Where the driver's immediate resends are counted. */
  public RetryStatistics retryStatistics() {
    return retryStatistics;
  }
}

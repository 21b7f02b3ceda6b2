package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.session.ProgrammaticArguments;
import com.datastax.oss.driver.internal.core.context.DefaultDriverContext;
import com.datastax.oss.driver.internal.core.metadata.MetadataManager;
import com.datastax.oss.driver.internal.core.metadata.TopologyMonitor;

/**
 * The driver's context for a Cosmos session, carrying what the driver's own plug-ins need from the
 * JVM's runtime: the driver creates {@link CosmosDriverRetryPolicy} by class name, so the context
 * is the only way to hand it the statistics it adds to. It also gives the driver Cosmos's topology
 * in a form driver 4 can build a token map from ({@link CosmosTopologyMonitor}).
 */
public final class CosmosDriverContext extends DefaultDriverContext {
  private final RetryStatistics retryStatistics;
  private final NodeRegions nodeRegions;

  public CosmosDriverContext(
      DriverConfigLoader configLoader,
      ProgrammaticArguments programmaticArguments,
      RetryStatistics retryStatistics) {
    this(configLoader, programmaticArguments, retryStatistics, new NodeRegions());
  }

  /**
   * @param nodeRegions where this session's topology monitor records each node's data centre; the
   *     session's TLS engine factory reads it
   */
  public CosmosDriverContext(
      DriverConfigLoader configLoader,
      ProgrammaticArguments programmaticArguments,
      RetryStatistics retryStatistics,
      NodeRegions nodeRegions) {
    super(configLoader, programmaticArguments);
    this.retryStatistics = retryStatistics;
    this.nodeRegions = nodeRegions;
  }

  /** Where the driver's immediate resends are counted. */
  public RetryStatistics retryStatistics() {
    return retryStatistics;
  }

  /** Each node's data centre, as this session's topology monitor read it. */
  public NodeRegions nodeRegions() {
    return nodeRegions;
  }

  @Override
  protected TopologyMonitor buildTopologyMonitor() {
    return new CosmosTopologyMonitor(this, nodeRegions);
  }

  @Override
  protected MetadataManager buildMetadataManager() {
    return new CosmosMetadataManager(this);
  }
}

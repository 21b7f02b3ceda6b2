package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.DriverOption;
import com.datastax.oss.driver.api.core.session.ProgrammaticArguments;
import com.datastax.oss.driver.internal.core.context.DefaultDriverContext;
import com.datastax.oss.driver.internal.core.metadata.MetadataManager;
import com.datastax.oss.driver.internal.core.metadata.TopologyMonitor;
import com.datastax.oss.driver.internal.core.metadata.schema.queries.SchemaQueriesFactory;
import io.github.cosmosspark.core.config.RegionSettings;

/**
 * The driver's context for a Cosmos session, carrying what the driver's own plug-ins need from the
 * JVM's runtime and the session's settings: the driver creates {@link CosmosDriverRetryPolicy} and
 * the load-balancing policy by class name, so the context is the only way to hand them the
 * statistics they add to and the regions they route by. It also gives the driver Cosmos's topology
 * in a form driver 4 can build a token map from ({@link CosmosTopologyMonitor}).
 */
public final class CosmosDriverContext extends DefaultDriverContext {
  /**
   * How long, in ms, a schema refresh may wait for the control connection to come back (the
   * session's {@code retry.maxTimeMs}); see {@link CosmosMetadataManager}.
   */
  public static final DriverOption SCHEMA_OUTAGE_WAIT_MS =
      new DriverOption() {
        @Override
        public String getPath() {
          return "advanced.metadata.schema.cosmos-outage-wait-ms";
        }
      };

  private final RetryStatistics retryStatistics;
  private final RegionSettings regions;
  private final NodeRegions nodeRegions;

  public CosmosDriverContext(
      DriverConfigLoader configLoader,
      ProgrammaticArguments programmaticArguments,
      RetryStatistics retryStatistics,
      RegionSettings regions) {
    this(configLoader, programmaticArguments, retryStatistics, regions, new NodeRegions());
  }

  /**
   * @param regions where the session's reads and writes go
   * @param nodeRegions where this session's topology monitor records each node's data centre; the
   *     session's TLS engine factory reads it
   */
  public CosmosDriverContext(
      DriverConfigLoader configLoader,
      ProgrammaticArguments programmaticArguments,
      RetryStatistics retryStatistics,
      RegionSettings regions,
      NodeRegions nodeRegions) {
    super(configLoader, programmaticArguments);
    this.retryStatistics = retryStatistics;
    this.regions = regions;
    this.nodeRegions = nodeRegions;
  }

  /** Where the session's reads and writes go on an account with several regions. */
  public RegionSettings regions() {
    return regions;
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
  protected SchemaQueriesFactory buildSchemaQueriesFactory() {
    return new CosmosSchemaQueriesFactory(this);
  }

  @Override
  protected MetadataManager buildMetadataManager() {
    return new CosmosMetadataManager(this);
  }
}

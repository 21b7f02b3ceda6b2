package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.internal.core.context.InternalDriverContext;
import com.datastax.oss.driver.internal.core.metadata.MetadataManager;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The driver's metadata manager, which after a node list refresh hands the tokens to the node the
 * control connection moved to (see {@link CosmosTopologyMonitor}): refreshing that one node is the
 * driver's only public path that rebuilds the token map's owners when no node was added or removed.
 */
final class CosmosMetadataManager extends MetadataManager {
  private final InternalDriverContext context;

  CosmosMetadataManager(InternalDriverContext context) {
    super(context);
    this.context = context;
  }

  @Override
  public CompletionStage<Void> refreshNodes() {
    return super.refreshNodes()
        .thenCompose(
            refreshed -> {
              // Looked up here, not in the constructor: the driver builds its parts lazily, and
              // the topology monitor's own construction may lead back to this manager.
              UUID moved = ((CosmosTopologyMonitor) context.getTopologyMonitor()).movedOwner();
              Node node = moved == null ? null : getMetadata().getNodes().get(moved);
              return node == null
                  ? CompletableFuture.<Void>completedFuture(null)
                  : refreshNode(node);
            });
  }
}

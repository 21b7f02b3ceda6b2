package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.metadata.EndPoint;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.internal.core.adminrequest.AdminRow;
import com.datastax.oss.driver.internal.core.channel.DriverChannel;
import com.datastax.oss.driver.internal.core.context.InternalDriverContext;
import com.datastax.oss.driver.internal.core.metadata.DefaultNodeInfo;
import com.datastax.oss.driver.internal.core.metadata.DefaultTopologyMonitor;
import com.datastax.oss.driver.internal.core.metadata.NodeInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Iterator;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The driver's view of a Cosmos account's nodes, changed in one respect: only the node the control
 * connection reached (the row of {@code system.local}) has tokens; the other regions' nodes (the
 * rows of {@code system.peers}) have none. It also records every node's data centre in the
 * session's {@link NodeRegions}, for TLS host name checks.
 *
 * <p>Why: a Cosmos account shows one node per region, and every region's node reports the same 64
 * tokens. Driver 4 builds its token map from all nodes' tokens with a map that refuses a token
 * owned twice ("Multiple entries with same key: Murmur3Token…"), logs a warning and keeps no token
 * map at all; SCC then cannot plan a scan (its describeRing reads the token map and has no
 * fallback). Giving the tokens to one node is not a loss: Cosmos routes every key inside the region
 * that receives the request, so token-aware routing across regions means nothing; what SCC needs is
 * the ranges, and a replica per range for locality, which the node we are connected to serves as
 * well as any. The driver's load-balancing policy still sees every region's node and uses it as
 * before.
 *
 * <p>When the control connection moves to another region (its node went down), that region's node
 * becomes the owner. Driver 4 copies new tokens into its nodes in place but rebuilds the ranges'
 * owners only when nodes are added or removed ({@code FullNodeListRefresh}), so a moved owner's
 * tokens are withheld from the node list refresh and handed over through {@link #refreshNode},
 * after which the driver rebuilds the whole token map ({@code TokensChangedRefresh}); {@link
 * CosmosMetadataManager} asks for that refresh.
 */
public class CosmosTopologyMonitor extends DefaultTopologyMonitor {
  private final InternalDriverContext context;
  private final NodeRegions regions;

  /** The host id of the node whose tokens the driver's current token map was built from. */
  private volatile UUID owner;

  /** The control node's host id when it differs from {@link #owner}, until it is handed over. */
  private volatile UUID movedOwner;

  public CosmosTopologyMonitor(InternalDriverContext context, NodeRegions regions) {
    super(context);
    this.context = context;
    this.regions = regions;
  }

  /** The host id of the node the token map was built from, null before the first refresh. */
  public UUID tokenOwner() {
    return owner;
  }

  /** The node that should own the tokens but does not yet, or null. */
  UUID movedOwner() {
    return movedOwner;
  }

  @Override
  protected DefaultNodeInfo.Builder nodeInfoBuilder(
      AdminRow row, InetSocketAddress broadcastRpcAddress, EndPoint localEndPoint) {
    DefaultNodeInfo.Builder builder =
        super.nodeInfoBuilder(row, broadcastRpcAddress, localEndPoint);
    SocketAddress address = buildNodeEndPoint(row, broadcastRpcAddress, localEndPoint).resolve();
    if (address instanceof InetSocketAddress) {
      regions.record((InetSocketAddress) address, row.getString("data_center"));
    }
    if (row.contains("peer")) {
      // Another region's node: the same tokens as the control node's, so none.
      return builder.withTokens(Collections.<String>emptySet());
    }
    UUID hostId = row.getUuid("host_id");
    if (owner == null || owner.equals(hostId)) {
      owner = hostId;
      movedOwner = null;
      return builder;
    }
    // Withheld until refreshNode: copied here, the driver would keep the old owner's ranges.
    movedOwner = hostId;
    return builder.withTokens(Collections.<String>emptySet());
  }

  /**
   * For the node that should become the owner, its {@code system.local} row with its tokens (the
   * driver rebuilds the token map when a refreshed node's tokens change); for any other node, the
   * driver's own refresh.
   */
  @Override
  public CompletionStage<Optional<NodeInfo>> refreshNode(Node node) {
    UUID moved = movedOwner;
    if (moved == null || !moved.equals(node.getHostId())) {
      return super.refreshNode(node);
    }
    DriverChannel channel = context.getControlConnection().channel();
    if (channel == null) {
      return CompletableFuture.completedFuture(Optional.<NodeInfo>empty());
    }
    EndPoint localEndPoint = channel.getEndPoint();
    return query(channel, "SELECT * FROM system.local", Collections.<String, Object>emptyMap())
        .thenApply(
            result -> {
              Iterator<AdminRow> rows = result.iterator();
              if (!rows.hasNext()) {
                return Optional.<NodeInfo>empty();
              }
              AdminRow row = rows.next();
              if (!moved.equals(row.getUuid("host_id"))) {
                // The control connection moved again; the next node list refresh sorts it out.
                return Optional.<NodeInfo>empty();
              }
              owner = moved;
              return Optional.<NodeInfo>of(
                  nodeInfoBuilder(row, getBroadcastRpcAddress(row, localEndPoint), localEndPoint)
                      .build());
            });
  }
}

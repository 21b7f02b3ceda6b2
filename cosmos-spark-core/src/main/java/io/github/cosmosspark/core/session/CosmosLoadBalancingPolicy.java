package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.context.DriverContext;
import com.datastax.oss.driver.api.core.loadbalancing.LoadBalancingPolicy;
import com.datastax.oss.driver.api.core.loadbalancing.NodeDistance;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.session.Session;
import com.datastax.oss.driver.internal.core.context.InternalDriverContext;
import com.datastax.oss.driver.internal.core.metadata.DefaultNode;
import io.github.cosmosspark.core.config.RegionNames;
import io.github.cosmosspark.core.config.RegionSettings;
import io.github.cosmosspark.core.cql.CqlRequest;
import io.github.cosmosspark.core.retry.CosmosDriverContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a Cosmos session's requests by region. A Cosmos account has one node per region, the data
 * centre being the region's name, all with the same tokens, so token-aware routing has nothing to
 * choose between; what matters is which region:
 *
 * <ul>
 *   <li>reads: the preferred regions in order, then the write region (the node of the account's
 *       endpoint, the contact point), then every other region, by name;
 *   <li>writes: with multi-region writes, as reads; without, the write region's node only, since
 *       Cosmos refuses writes in read regions;
 *   <li>requests without a statement (the driver's own): the write region first, then as reads.
 * </ul>
 *
 * <p>A node the driver marks down is left out of plans until it is up again, when it is back in its
 * place. Preferred regions and the write region are LOCAL, others REMOTE: the driver keeps a pool
 * to REMOTE nodes too ({@code advanced.connection.pool.remote.size}, which SCC sets), so a plan
 * that falls through to them finds connections ready. The driver's {@code
 * load-balancing-policy.dc-failover} settings apply only to its own policy and are not read here.
 *
 * <p>Same behaviour as Microsoft's {@code CosmosLoadBalancingPolicy} for driver 4
 * (Azure/azure-cosmos-cassandra-extensions); written from its documented behaviour.
 *
 * <p>Plans are built from arrays computed when the nodes change, without locks or I/O: the driver
 * asks for one on its I/O threads for every request.
 */
public final class CosmosLoadBalancingPolicy implements LoadBalancingPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(CosmosLoadBalancingPolicy.class);

  private final DriverContext context;
  private final RegionSettings settings;
  private final Set<Node> down = ConcurrentHashMap.newKeySet();
  private final Set<Node> nodes = ConcurrentHashMap.newKeySet();
  private final Object changes = new Object();
  private volatile Routing routing = Routing.NONE;
  private volatile DistanceReporter distances;
  private volatile String writeRegion;

  /**
   * The constructor the driver calls; outside a Cosmos context, a one-region account's settings.
   */
  public CosmosLoadBalancingPolicy(DriverContext context, String profileName) {
    this.context = context;
    this.settings =
        context instanceof CosmosDriverContext
            ? ((CosmosDriverContext) context).regions()
            : RegionSettings.DEFAULTS;
  }

  @Override
  public void init(Map<UUID, Node> initial, DistanceReporter reporter) {
    this.distances = reporter;
    Node contactPoint = contactPointOf(initial);
    writeRegion = contactPoint != null ? contactPoint.getDatacenter() : null;
    for (Node node : initial.values()) {
      nodes.add(node);
      if (node.getState() == NodeState.DOWN || node.getState() == NodeState.FORCED_DOWN) {
        down.add(node);
      }
    }
    update();
    LOG.debug(
        "Routing {} by region: write region '{}', reads in order {}",
        settings,
        writeRegion,
        routing.regionOrder);
  }

  /**
   * The node the session first connected to: the contact point, which for a Cosmos account is its
   * global endpoint, answered by the write region. The driver reuses the contact point's node
   * object when it finds it among the nodes it lists; the end point is compared too for safety.
   */
  private Node contactPointOf(Map<UUID, Node> initial) {
    if (context instanceof InternalDriverContext) {
      Set<DefaultNode> contactPoints =
          ((InternalDriverContext) context).getMetadataManager().getContactPoints();
      for (Node node : initial.values()) {
        for (DefaultNode contactPoint : contactPoints) {
          if (node == contactPoint || node.getEndPoint().equals(contactPoint.getEndPoint())) {
            return node;
          }
        }
      }
    }
    // No contact point among the nodes: the first node listed stands for the write region.
    for (Node node : initial.values()) {
      return node;
    }
    return null;
  }

  @Override
  public Queue<Node> newQueryPlan(Request request, Session session) {
    Routing current = routing;
    Node[] order;
    if (request == null) {
      order = current.internal;
    } else if (CqlRequest.changesData(request)) {
      order = current.writes;
    } else {
      order = current.reads;
    }
    Queue<Node> plan = new ConcurrentLinkedQueue<>();
    for (Node node : order) {
      if (!down.contains(node)) {
        plan.add(node);
      }
    }
    return plan;
  }

  @Override
  public void onAdd(Node node) {
    nodes.add(node);
    update();
  }

  @Override
  public void onUp(Node node) {
    if (down.remove(node)) {
      LOG.info("Cosmos DB region '{}' ({}) is up again", node.getDatacenter(), node.getEndPoint());
    }
    if (nodes.add(node)) {
      update();
    }
  }

  @Override
  public void onDown(Node node) {
    if (down.add(node) && nodes.contains(node)) {
      LOG.warn(
          "Cosmos DB region '{}' ({}) is down; requests go to the next region in order until it is"
              + " back",
          node.getDatacenter(),
          node.getEndPoint());
    }
  }

  @Override
  public void onRemove(Node node) {
    nodes.remove(node);
    down.remove(node);
    update();
  }

  /** Recomputes the orders and distances; rare (nodes added or removed), so it may lock. */
  private void update() {
    synchronized (changes) {
      Routing next = Routing.of(new ArrayList<>(nodes), writeRegion, settings);
      routing = next;
      DistanceReporter reporter = distances;
      if (reporter != null) {
        for (Node node : nodes) {
          reporter.setDistance(node, next.isLocal(node) ? NodeDistance.LOCAL : NodeDistance.REMOTE);
        }
      }
    }
  }

  /** The settings this policy routes by. */
  public RegionSettings settings() {
    return settings;
  }

  /** The data centre of the account's endpoint: the write region; null before the session opens. */
  public String writeRegion() {
    return writeRegion;
  }

  /** The write region's nodes' end points, as the driver connects to them. */
  public List<String> writeRegionEndpoints() {
    List<String> endpoints = new ArrayList<>();
    for (Node node : routing.writeRegionNodes) {
      endpoints.add(String.valueOf(node.getEndPoint()));
    }
    return endpoints;
  }

  /** Every region of the account, in the order reads try them. */
  public List<String> regions() {
    return routing.regionOrder;
  }

  /**
   * The account's regions as an account lists them: the write region first, then the others by
   * name; for messages about the account rather than about one plan.
   */
  public List<String> accountRegions() {
    List<String> regions = new ArrayList<>();
    String write = writeRegion;
    if (write != null) {
      regions.add(write);
    }
    List<String> others = new ArrayList<>();
    for (String region : routing.regionOrder) {
      if (write == null || !RegionNames.same(region, write)) {
        others.add(region);
      }
    }
    Collections.sort(others);
    regions.addAll(others);
    return regions;
  }

  /** Whether every node of the write region is down. */
  public boolean writeRegionDown() {
    Node[] writeNodes = routing.writeRegionNodes;
    if (writeNodes.length == 0) {
      return false;
    }
    for (Node node : writeNodes) {
      if (!down.contains(node)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the driver has marked a node of {@code region} down. */
  public boolean isDown(String region) {
    boolean any = false;
    for (Node node : nodes) {
      if (RegionNames.same(String.valueOf(node.getDatacenter()), region)) {
        any = true;
        if (!down.contains(node)) {
          return false;
        }
      }
    }
    return any;
  }

  /**
   * The first preferred region that is not one of the account's, or null when all are: a misspelt
   * or foreign region would otherwise send every read to the write region, silently.
   */
  public String missingPreferredRegion() {
    for (String preferred : settings.preferredRegions()) {
      boolean found = false;
      for (String region : routing.regionOrder) {
        if (RegionNames.same(preferred, region)) {
          found = true;
          break;
        }
      }
      if (!found) {
        return preferred;
      }
    }
    return null;
  }

  @Override
  public void close() {}

  /** The orders plans are cut from, for one set of nodes: immutable, replaced whole. */
  private static final class Routing {
    static final Routing NONE =
        new Routing(
            new Node[0],
            new Node[0],
            new Node[0],
            new Node[0],
            Collections.<Node>emptySet(),
            Collections.<String>emptyList());

    final Node[] reads;
    final Node[] writes;
    final Node[] internal;
    final Node[] writeRegionNodes;
    final Set<Node> local;
    final List<String> regionOrder;

    private Routing(
        Node[] reads,
        Node[] writes,
        Node[] internal,
        Node[] writeRegionNodes,
        Set<Node> local,
        List<String> regionOrder) {
      this.reads = reads;
      this.writes = writes;
      this.internal = internal;
      this.writeRegionNodes = writeRegionNodes;
      this.local = local;
      this.regionOrder = regionOrder;
    }

    boolean isLocal(Node node) {
      return local.contains(node);
    }

    static Routing of(List<Node> nodes, String writeRegion, RegionSettings settings) {
      // Nodes by region, in the order the driver listed them.
      Map<String, List<Node>> byRegion = new LinkedHashMap<>();
      Map<String, String> names = new LinkedHashMap<>();
      for (Node node : nodes) {
        String region = node.getDatacenter() == null ? "" : node.getDatacenter();
        String key = RegionNames.normalize(region);
        byRegion.computeIfAbsent(key, k -> new ArrayList<>()).add(node);
        names.putIfAbsent(key, region);
      }
      String writeKey = writeRegion == null ? null : RegionNames.normalize(writeRegion);
      LinkedHashSet<String> readRegions = new LinkedHashSet<>();
      Set<String> localRegions = new LinkedHashSet<>();
      for (String preferred : settings.preferredRegions()) {
        String key = RegionNames.normalize(preferred);
        if (byRegion.containsKey(key)) {
          readRegions.add(key);
          localRegions.add(key);
        }
      }
      if (writeKey != null && byRegion.containsKey(writeKey)) {
        readRegions.add(writeKey);
        localRegions.add(writeKey);
      }
      // The other regions by name: a stable order, the same on every executor and in messages.
      List<String> others = new ArrayList<>(byRegion.keySet());
      others.sort((a, b) -> names.get(a).compareTo(names.get(b)));
      readRegions.addAll(others);

      List<Node> reads = new ArrayList<>();
      List<String> regionOrder = new ArrayList<>();
      for (String key : readRegions) {
        reads.addAll(byRegion.get(key));
        regionOrder.add(names.get(key));
      }
      List<Node> writeNodes =
          writeKey != null && byRegion.containsKey(writeKey)
              ? byRegion.get(writeKey)
              : Collections.<Node>emptyList();
      List<Node> internal = new ArrayList<>(writeNodes);
      for (Node node : reads) {
        if (!internal.contains(node)) {
          internal.add(node);
        }
      }
      List<Node> writes = settings.multiRegionWrites() || writeNodes.isEmpty() ? reads : writeNodes;
      Set<Node> local = new LinkedHashSet<>();
      for (String key : localRegions) {
        local.addAll(byRegion.get(key));
      }
      return new Routing(
          reads.toArray(new Node[0]),
          writes.toArray(new Node[0]),
          internal.toArray(new Node[0]),
          writeNodes.toArray(new Node[0]),
          Collections.unmodifiableSet(local),
          Collections.unmodifiableList(regionOrder));
    }
  }
}

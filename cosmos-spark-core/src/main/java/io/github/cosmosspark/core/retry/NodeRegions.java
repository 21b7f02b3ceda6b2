package io.github.cosmosspark.core.retry;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One driver session's record of which data centre (on Cosmos, which Azure region) each node's
 * address belongs to, filled by {@link CosmosTopologyMonitor} from the same {@code system.local}
 * and {@code system.peers} rows the driver builds its nodes from.
 *
 * <p>It exists for TLS: the driver reaches every node but the contact point at the IP address
 * Cosmos lists in {@code system.peers}, and no certificate names that address. Knowing the node's
 * region, the session's TLS engine factory can check the certificate against the region's host name
 * instead of turning the check off. A record is written before the driver can open a connection to
 * the node, since the driver learns of a node from the very rows recorded here.
 */
public final class NodeRegions {
  private final Map<InetSocketAddress, String> dataCentres = new ConcurrentHashMap<>();

  /** Records the data centre of the node reached at {@code address}; a null centre is ignored. */
  public void record(InetSocketAddress address, String dataCentre) {
    if (address != null && dataCentre != null) {
      dataCentres.put(address, dataCentre);
    }
  }

  /** The data centre of the node reached at {@code address}, or null when no row named it. */
  public String dataCentreOf(InetSocketAddress address) {
    // A resolved InetSocketAddress is equal by IP address and port only, so the contact point's
    // address (which carries the name it was resolved from) finds a peer row's record too.
    return address == null ? null : dataCentres.get(address);
  }

  @Override
  public String toString() {
    return "NodeRegions" + dataCentres;
  }
}

package io.github.cosmosspark.testkit.emulator;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * What a Cosmos account shows clients of its cluster: one node per region, each answering on its
 * region's endpoint, all with the same 64 tokens, the data centre named after the region. Region i
 * (0-based, the write region first) is bound to the loopback address 127.0.0.(1 + i); every other
 * region is listed in {@code system.peers}. Sources, and what is not confirmed, are in
 * docs/cosmos-behaviour.md ("Topology").
 */
final class Topology {

  /**
   * The region an emulated account is in unless the builder says otherwise: a display name
   * Microsoft Learn shows as a data centre (troubleshoot-common-issues, manage-data-java-v4-sdk).
   */
  static final String DEFAULT_REGION = "West US";

  /** cqlsh's banner on a Cosmos account ("Connected to CosmosProd"), read from system.local. */
  static final String CLUSTER_NAME = "CosmosProd";

  /** The same banner's {@code Cassandra 3.11.0}. */
  static final String RELEASE_VERSION = "3.11.0";

  /** The same banner's {@code CQL spec 3.4.4}. */
  static final String CQL_VERSION = "3.4.4";

  /**
   * The same banner's {@code Native protocol v66}: what Cosmos stores in {@code
   * native_protocol_version}, though it speaks v4 only.
   */
  static final String NATIVE_PROTOCOL_VERSION = "66";

  /** The same session's {@code DESCRIBE CLUSTER}. */
  static final String PARTITIONER = "org.apache.cassandra.dht.Murmur3Partitioner";

  /**
   * Not confirmed: no source shows Cosmos's rack; Cassandra's default, which no client relies on.
   */
  static final String RACK = "rack1";

  /** Not confirmed: Cassandra's value for a node that has joined. */
  static final String BOOTSTRAPPED = "COMPLETED";

  /**
   * The tokens the published {@code DESCRIBE CLUSTER} lists: 64, evenly spaced by 2^64 / 65
   * (rounded down), the first one step above the Murmur3 minimum, -2^63.
   */
  static final List<String> TOKENS = cosmosTokens();

  /** One region of the account: one node, with its own host id, on its own endpoint. */
  static final class Region {
    final String name;
    final UUID hostId;
    final InetAddress address;

    Region(String name, UUID hostId, InetAddress address) {
      this.name = name;
      this.hostId = hostId;
      this.address = address;
    }
  }

  private final List<Region> regions;
  private final UUID schemaVersion;

  /** The most regions an account can have here: one loopback address each, 127.0.0.1 to .254. */
  static final int MAX_REGIONS = 254;

  /**
   * @param regionNames the account's regions, the write region first, as Azure lists them
   */
  Topology(String account, List<String> regionNames) {
    if (regionNames.isEmpty() || regionNames.size() > MAX_REGIONS) {
      throw new IllegalArgumentException(
          "An account has 1 to " + MAX_REGIONS + " regions here, got " + regionNames);
    }
    List<Region> list = new ArrayList<>();
    for (int i = 0; i < regionNames.size(); i++) {
      String name = regionNames.get(i);
      list.add(new Region(name, stableId("host", account, name), address(i)));
    }
    this.regions = Collections.unmodifiableList(list);
    // Not confirmed: the emulator's schema version never changes, which is all a driver checks
    // (that every node reports the same one) before it trusts a schema change.
    this.schemaVersion = stableId("schema", account, "");
  }

  List<Region> regions() {
    return regions;
  }

  /** The region whose endpoint is bound to {@code address}; the first when none is. */
  Region regionAt(InetAddress address) {
    for (Region region : regions) {
      if (region.address.equals(address)) {
        return region;
      }
    }
    return regions.get(0);
  }

  /**
   * The loopback address of region {@code index}: 127.0.0.1 for the write region, which is also
   * where the account's global endpoint points, as the global name resolves to the write region on
   * Cosmos (see docs/cosmos-behaviour.md, "Endpoints, certificates and regions").
   */
  static InetAddress address(int index) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (1 + index)});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("Four bytes are always an IPv4 address", e);
    }
  }

  UUID schemaVersion() {
    return schemaVersion;
  }

  /**
   * A host id that is the same in every run for the same account and region, as a Cosmos region's
   * node keeps its id (driver 4 keys its nodes by it).
   */
  private static UUID stableId(String what, String account, String region) {
    return UUID.nameUUIDFromBytes(
        ("cosmos-emulator/"
                + what
                + "/"
                + account.toLowerCase(java.util.Locale.ROOT)
                + "/"
                + region)
            .getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> cosmosTokens() {
    BigInteger step = BigInteger.ONE.shiftLeft(64).divide(BigInteger.valueOf(65));
    BigInteger token = BigInteger.valueOf(Long.MIN_VALUE);
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      token = token.add(step);
      tokens.add(token.toString());
    }
    return Collections.unmodifiableList(tokens);
  }
}

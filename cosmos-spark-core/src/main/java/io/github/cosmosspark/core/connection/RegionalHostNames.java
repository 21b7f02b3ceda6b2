package io.github.cosmosspark.core.connection;

import io.github.cosmosspark.core.retry.NodeRegions;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host name a session's TLS handshake with a node checks the certificate against.
 *
 * <p>The driver reaches the contact point by the host the user configured, and every other region's
 * node by the IP address in {@code system.peers}, which no Cosmos certificate names. For such a
 * node whose data centre (Azure region) the topology monitor recorded, the name checked is the
 * region's endpoint, {@code <account>-<region in lower case without spaces>.<domain>}, e.g. {@code
 * acct-eastus.cassandra.cosmos.azure.com}; a node whose region is unknown keeps its IP address,
 * which fails the check: a refused connection, never an unchecked one. The pattern is Microsoft's
 * for regional endpoints (docs/cosmos-behaviour.md, "Endpoints, certificates and regions").
 *
 * <p>The domain is the configured host's when that host is a Cosmos endpoint of any Azure cloud
 * ({@code *.cassandra.cosmos.azure.com}, {@code .cn}, {@code .us}): a sovereign cloud's regions
 * share its domain. Otherwise (an IP address, a private DNS alias, the emulator) it is the public
 * cloud's, {@code cassandra.cosmos.azure.com}.
 */
final class RegionalHostNames {

  static final String PUBLIC_DOMAIN = "cassandra.cosmos.azure.com";

  private static final Pattern COSMOS_HOST =
      Pattern.compile("^[^.]+\\.(cassandra\\.cosmos\\.azure\\.[a-z]+)\\.?$");

  private final String configuredHost;
  private final String account;
  private final String domain;
  private final NodeRegions regions;

  RegionalHostNames(String configuredHost, String account, NodeRegions regions) {
    this.configuredHost = configuredHost;
    this.account = account.toLowerCase(Locale.ROOT);
    this.domain = domainOf(configuredHost);
    this.regions = regions;
  }

  /**
   * The Cosmos domain of the configured host, or the public cloud's when it is not a Cosmos name.
   */
  static String domainOf(String host) {
    Matcher matcher = COSMOS_HOST.matcher(host.toLowerCase(Locale.ROOT));
    return matcher.matches() ? matcher.group(1) : PUBLIC_DOMAIN;
  }

  /** A region's endpoint host name, as Azure writes it: lower case, without spaces. */
  static String regionalHostName(String account, String region, String domain) {
    return account.toLowerCase(Locale.ROOT)
        + "-"
        + region.replaceAll("\\s+", "").toLowerCase(Locale.ROOT)
        + "."
        + domain;
  }

  /** The name to check the certificate of the node at {@code address} against. */
  String peerHost(InetSocketAddress address) {
    String given = address.getHostString();
    if (given.equalsIgnoreCase(configuredHost)) {
      // The contact point, as the user gave it: the name its certificate must carry.
      return given;
    }
    String region = regions.dataCentreOf(address);
    return region == null ? given : regionalHostName(account, region, domain);
  }
}

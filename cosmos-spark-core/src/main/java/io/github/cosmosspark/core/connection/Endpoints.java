package io.github.cosmosspark.core.connection;

import com.datastax.spark.connector.cql.CassandraConnectorConf;
import com.datastax.spark.connector.cql.IpBasedContactInfo;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.core.errors.CosmosConnectionException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Refuses an endpoint whose host name does not resolve, before a session is built.
 *
 * <p>Java driver 4 drops a contact point whose host it cannot resolve ({@code ContactPoints}:
 * "Ignoring invalid contact point ... (unknown host ...)"), and, left with none, connects to its
 * default 127.0.0.1:9042 ({@code MetadataManager.addContactPoints}: "No contact points provided,
 * defaulting to ...") and logs in there with the account's key. SCC likewise drops a host of {@code
 * spark.cassandra.connection.host} it cannot resolve ("Unknown host"), handing the driver an empty
 * list. A misspelt account, whose derived host resolves nowhere, therefore sent its credentials to
 * whatever listened on the local port. Checked on the driver while a read or write is planned, and
 * again where each session is built.
 */
public final class Endpoints {

  private Endpoints() {}

  /**
   * Checks on the driver, while a read, write or catalog is set up, that the configured host
   * resolves.
   *
   * @throws CosmosConfigException naming the host and the option to check
   */
  public static void requireResolvable(CosmosCassandraConfig config) {
    String problem = unresolvable(config);
    if (problem != null) {
      throw new CosmosConfigException(problem);
    }
  }

  /**
   * Checks, where a session is about to be built, that the driver will have a contact point: the
   * resolved Cosmos endpoint when there is one ({@code config} not null), otherwise the hosts SCC
   * resolved from {@code spark.cassandra.connection.host}.
   *
   * @throws CosmosConnectionException naming the host and the option to check
   */
  static void requireContactPoint(CosmosCassandraConfig config, CassandraConnectorConf conf) {
    if (config != null) {
      String problem = unresolvable(config);
      if (problem != null) {
        throw new CosmosConnectionException(problem, null);
      }
    } else if (conf.contactInfo() instanceof IpBasedContactInfo
        && ((IpBasedContactInfo) conf.contactInfo()).hosts().isEmpty()) {
      throw new CosmosConnectionException(
          "No host in spark.cassandra.connection.host resolves on this machine (the connector"
              + " logged each as 'Unknown host'), and with no contact point the Java driver would"
              + " connect to its default, 127.0.0.1:9042. Check spark.cassandra.connection.host:"
              + " for Cosmos DB it is '<account>"
              + CosmosCassandraConfig.COSMOS_DOMAIN
              + "' or your regional or private endpoint. No connection was opened.",
          null);
    }
  }

  /** What is wrong with the configured host, or null when it resolves. */
  private static String unresolvable(CosmosCassandraConfig config) {
    String host = config.host();
    if (resolves(host)) {
      return null;
    }
    String derived = config.account() + CosmosCassandraConfig.COSMOS_DOMAIN;
    if (host.toLowerCase(Locale.ROOT).equals(derived.toLowerCase(Locale.ROOT))) {
      return "The host name '"
          + host
          + "', derived from account '"
          + config.account()
          + "' ("
          + CosmosOptions.ACCOUNT.key()
          + "), does not resolve on this machine. Check the account name: it must be an"
          + " existing Cosmos DB for Apache Cassandra account, spelt as the Azure portal shows"
          + " it. To connect through a regional or private endpoint, set "
          + CosmosOptions.HOST.key()
          + " to its host name. No connection was opened.";
    }
    return "The host name '"
        + host
        + "' ("
        + CosmosOptions.HOST.key()
        + ") does not resolve on this machine. Check the option: unset, it is derived from"
        + " account '"
        + config.account()
        + "' as '"
        + derived
        + "'; set, it must name your account's regional or private endpoint, and a private"
        + " endpoint resolves only inside its virtual network. No connection was opened.";
  }

  /**
   * Whether {@code host} resolves to an address. A blank name is refused: the JDK resolves it to
   * the loopback address.
   */
  private static boolean resolves(String host) {
    if (host == null || host.trim().isEmpty()) {
      return false;
    }
    try {
      return InetAddress.getAllByName(host).length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}

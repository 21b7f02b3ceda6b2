package io.github.cosmosspark.core.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.spark.connector.cql.CassandraConnectorConf;
import io.github.cosmosspark.core.DefaultContactPoint;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.core.errors.CosmosConnectionException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/**
 * Host names that do not resolve are refused before the driver sees them: it would drop them and
 * connect to its default 127.0.0.1:9042 instead (issue 22). This machine has no DNS to the
 * internet, so no Azure host name resolves here; {@code .invalid} resolves nowhere (RFC 6761).
 */
class EndpointsTest {
  private static final String KEY = "k3y-Secret-Value==";

  @Test
  void aHostDerivedFromAMisspeltAccountIsNamedWithTheAccountToCheck() {
    CosmosConfigException error =
        assertThrows(
            CosmosConfigException.class,
            () -> Endpoints.requireResolvable(config("no-such-account-typo", null)));
    assertEquals(
        "The host name 'no-such-account-typo.cassandra.cosmos.azure.com', derived from account"
            + " 'no-such-account-typo' (spark.cosmos.cassandra.account), does not resolve on this"
            + " machine. Check the account name: it must be an existing Cosmos DB for Apache"
            + " Cassandra account, spelt as the Azure portal shows it. To connect through a"
            + " regional or private endpoint, set spark.cosmos.cassandra.host to its host name."
            + " No connection was opened.",
        error.getMessage());
    assertFalse(error.getMessage().contains(KEY));
  }

  @Test
  void aGivenHostThatDoesNotResolveIsNamedWithTheHostOption() {
    CosmosConfigException error =
        assertThrows(
            CosmosConfigException.class,
            () -> Endpoints.requireResolvable(config("acct", "no-such-host.invalid")));
    assertEquals(
        "The host name 'no-such-host.invalid' (spark.cosmos.cassandra.host) does not resolve on"
            + " this machine. Check the option: unset, it is derived from account 'acct' as"
            + " 'acct.cassandra.cosmos.azure.com'; set, it must name your account's regional or"
            + " private endpoint, and a private endpoint resolves only inside its virtual network."
            + " No connection was opened.",
        error.getMessage());
  }

  @Test
  void aHostThatResolvesPasses() {
    Endpoints.requireResolvable(config("acct", "127.0.0.1"));
    Endpoints.requireResolvable(config("acct", "localhost"));
  }

  @Test
  void theSessionRefusesAnUnresolvableCosmosHostWithoutConnectingAnywhere() throws IOException {
    try (DefaultContactPoint localhost = new DefaultContactPoint()) {
      CosmosConnectionException error =
          assertThrows(
              CosmosConnectionException.class,
              () ->
                  new CosmosConnectionFactory()
                      .createSession(cosmosConnectorConf(config("no-such-account-typo", null))));
      assertTrue(
          error
              .getMessage()
              .startsWith(
                  "The host name 'no-such-account-typo.cassandra.cosmos.azure.com', derived from"
                      + " account 'no-such-account-typo'"),
          error.getMessage());
      assertFalse(error.getMessage().contains(KEY));
      assertEquals(0, localhost.accepted(), "a connection reached 127.0.0.1:9042");
    }
  }

  /**
   * SCC drops a host of {@code spark.cassandra.connection.host} it cannot resolve ("Unknown host"):
   * with none left, the factory set by hand for SCC's own format must refuse, not build a session.
   */
  @Test
  void theSessionRefusesWhenTheConnectorResolvedNoHostOfItsOwnSetting() throws IOException {
    for (String hosts : new String[] {"no-such-host.invalid", "no-such-host.invalid,", ","}) {
      try (DefaultContactPoint localhost = new DefaultContactPoint()) {
        SparkConf plain =
            new SparkConf(false)
                .set("spark.cassandra.connection.host", hosts)
                .set("spark.cassandra.auth.username", "acct")
                .set("spark.cassandra.auth.password", KEY);
        CosmosConnectionException error =
            assertThrows(
                CosmosConnectionException.class,
                () ->
                    new CosmosConnectionFactory()
                        .createSession(CassandraConnectorConf.apply(plain)),
                hosts);
        assertEquals(
            "No host in spark.cassandra.connection.host resolves on this machine (the connector"
                + " logged each as 'Unknown host'), and with no contact point the Java driver would"
                + " connect to its default, 127.0.0.1:9042. Check spark.cassandra.connection.host:"
                + " for Cosmos DB it is '<account>.cassandra.cosmos.azure.com' or your regional or"
                + " private endpoint. No connection was opened.",
            error.getMessage());
        assertEquals(0, localhost.accepted(), "a connection reached 127.0.0.1:9042");
      }
    }
  }

  private static CosmosCassandraConfig config(String account, String host) {
    Map<String, String> options = new HashMap<>();
    options.put("account", account);
    options.put("password", KEY);
    if (host != null) {
      options.put("host", host);
    }
    return CosmosCassandraConfig.resolve(options, new HashMap<>());
  }

  /** The connector's configuration as the format hands it over, resolved settings included. */
  private static CassandraConnectorConf cosmosConnectorConf(CosmosCassandraConfig config) {
    SparkConf conf =
        new SparkConf(false)
            .set("spark.cassandra.auth.conf.factory", CosmosAuthConfFactory.class.getName())
            .set("spark.cassandra.connection.host", config.host());
    for (Map.Entry<String, String> entry : config.encode().entrySet()) {
      conf.set(entry.getKey(), entry.getValue());
    }
    return CassandraConnectorConf.apply(conf);
  }
}

package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.NodeUnavailableException;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.EndPoint;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import com.datastax.oss.driver.api.core.ssl.SslEngineFactory;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.cassandra.ServerSessions;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A multi-region account: one endpoint and one node per region on 127.0.0.(1 + i), each showing its
 * own node in {@code system.local} and the others in {@code system.peers}, reads everywhere, writes
 * only in the write region unless multi-region writes are on, regions taken down and brought up,
 * and certificates that name a read region only by its regional host name.
 */
@CassandraTest
class MultiRegionTest {

  private static final List<String> REGIONS = Arrays.asList("West US", "East US", "North Europe");

  private static CosmosEmulator emulator;
  private static CqlSession westUs;
  private static CqlSession eastUs;

  @BeforeAll
  static void startEmulator(CassandraServer cassandra) {
    emulator =
        CosmosEmulator.builder(cassandra).regions(REGIONS.toArray(new String[0])).build().start();
    westUs = session(emulator, "West US");
    eastUs = session(emulator, "East US");
    westUs.execute(
        "CREATE KEYSPACE IF NOT EXISTS regions WITH cosmosdb_provisioned_throughput=400");
    westUs.execute("CREATE TABLE IF NOT EXISTS regions.books (id int PRIMARY KEY, title text)");
  }

  @AfterAll
  static void stopEmulator() {
    eastUs.close();
    westUs.close();
    emulator.close();
  }

  @BeforeEach
  void resetCounts() {
    emulator.resetStatistics();
  }

  @AfterEach
  void bringEveryRegionUp() {
    emulator.clearFaults();
  }

  @Test
  void theRegionsAreOnConsecutiveLoopbackAddressesAtOnePortWithAzuresHostNames() {
    assertEquals(REGIONS, emulator.regions());
    assertEquals("West US", emulator.writeRegion());
    assertEquals("West US", emulator.region());
    assertEquals("127.0.0.1", emulator.regionAddress("West US"));
    assertEquals(emulator.host(), emulator.regionAddress("West US"));
    assertEquals("127.0.0.2", emulator.regionAddress("East US"));
    assertEquals("127.0.0.3", emulator.regionAddress("North Europe"));
    assertEquals("127.0.0.3", emulator.regionAddress("northeurope"));
    assertEquals("localcosmos.cassandra.cosmos.azure.com", emulator.globalHostName());
    assertEquals(
        "localcosmos-westus.cassandra.cosmos.azure.com", emulator.regionalHostName("West US"));
    assertEquals(
        "localcosmos-eastus.cassandra.cosmos.azure.com", emulator.regionalHostName("East US"));
    assertEquals(
        "localcosmos-northeurope.cassandra.cosmos.azure.com",
        emulator.regionalHostName("North Europe"));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> emulator.regionAddress("UK South"));
    assertEquals(
        "Account 'localcosmos' has no region 'UK South'; its regions are"
            + " [West US, East US, North Europe]",
        unknown.getMessage());
  }

  @Test
  void eachRegionsSystemLocalShowsItsOwnNodeAtTheAddressTheClientReached() {
    UUID schemaVersion = null;
    for (int i = 0; i < REGIONS.size(); i++) {
      String region = REGIONS.get(i);
      try (CqlSession client = session(emulator, region)) {
        Row local =
            client
                .execute(
                    "SELECT data_center, host_id, rpc_address, broadcast_address, listen_address,"
                        + " tokens, schema_version FROM system.local WHERE key = 'local'")
                .one();
        assertEquals(region, local.getString("data_center"));
        assertEquals(hostId(region), local.getUuid("host_id"));
        InetAddress address = loopback(i + 1);
        assertEquals(address, local.getInetAddress("rpc_address"));
        assertEquals(address, local.getInetAddress("broadcast_address"));
        assertEquals(address, local.getInetAddress("listen_address"));
        assertEquals(cosmosTokens(), new TreeSet<>(local.getSet("tokens", String.class)));
        if (schemaVersion == null) {
          schemaVersion = local.getUuid("schema_version");
        }
        assertEquals(schemaVersion, local.getUuid("schema_version"));
      }
    }
  }

  @Test
  void eachRegionsSystemPeersListsEveryOtherRegionWithTheSameTokensAndSchemaVersion() {
    for (int i = 0; i < REGIONS.size(); i++) {
      try (CqlSession client = session(emulator, REGIONS.get(i))) {
        UUID schemaVersion =
            client.execute("SELECT schema_version FROM system.local").one().getUuid(0);
        Map<InetAddress, String> peers = new HashMap<>();
        for (Row peer : client.execute("SELECT * FROM system.peers").all()) {
          InetAddress address = peer.getInetAddress("peer");
          String region = peer.getString("data_center");
          peers.put(address, region);
          assertEquals(loopback(REGIONS.indexOf(region) + 1), address);
          assertEquals(address, peer.getInetAddress("rpc_address"));
          assertEquals(hostId(region), peer.getUuid("host_id"));
          assertEquals(cosmosTokens(), new TreeSet<>(peer.getSet("tokens", String.class)));
          assertEquals(schemaVersion, peer.getUuid("schema_version"));
          assertEquals("rack1", peer.getString("rack"));
          assertEquals("3.11.0", peer.getString("release_version"));
          assertNull(peer.getInetAddress("preferred_ip"));
        }
        Map<InetAddress, String> expected = new HashMap<>();
        for (int j = 0; j < REGIONS.size(); j++) {
          if (j != i) {
            expected.put(loopback(j + 1), REGIONS.get(j));
          }
        }
        assertEquals(expected, peers, "peers of " + REGIONS.get(i));
        assertTrue(client.checkSchemaAgreement());
      }
    }
  }

  @Test
  void theDriverSeesOneNodePerRegionWithDistinctStableHostIds() {
    Map<String, InetSocketAddress> endpoints = new TreeMap<>();
    Map<String, UUID> hostIds = new TreeMap<>();
    for (Node node : eastUs.getMetadata().getNodes().values()) {
      endpoints.put(node.getDatacenter(), node.getBroadcastRpcAddress().get());
      hostIds.put(node.getDatacenter(), node.getHostId());
    }
    Map<String, InetSocketAddress> expectedEndpoints = new TreeMap<>();
    Map<String, UUID> expectedHostIds = new TreeMap<>();
    for (String region : REGIONS) {
      expectedEndpoints.put(
          region, new InetSocketAddress(emulator.regionAddress(region), emulator.port()));
      expectedHostIds.put(region, hostId(region));
    }
    assertEquals(expectedEndpoints, endpoints);
    assertEquals(expectedHostIds, hostIds);
    assertEquals(3, new TreeSet<>(hostIds.values()).size());
  }

  @Test
  void theDriverBuildsNoTokenMapFromRegionsThatShareTheirTokensAsOnCosmos() {
    // Driver 4 refuses two nodes with one token ("Multiple entries with same key") and keeps the
    // map it had, none: what Microsoft's driver extensions report for multi-region accounts.
    assertEquals(3, eastUs.getMetadata().getNodes().size());
    assertFalse(eastUs.getMetadata().getTokenMap().isPresent());
  }

  @Test
  void aReadInAReadRegionIsServedAndCountedThere() {
    westUs.execute("INSERT INTO regions.books (id, title) VALUES (1, 'Dune')");
    Row read = eastUs.execute("SELECT title FROM regions.books WHERE id = 1").one();
    assertEquals("Dune", read.getString(0));
    PreparedStatement select = eastUs.prepare("SELECT title FROM regions.books WHERE id = ?");
    assertEquals("Dune", eastUs.execute(select.bind(1)).one().getString(0));
    assertEquals(2, emulator.readsServed("East US"));
    assertEquals(0, emulator.writesServed("East US"));
    assertEquals(0, emulator.writesRefused("East US"));
    assertEquals(0, emulator.readsServed("West US"));
    assertEquals(1, emulator.writesServed("West US"));
    assertEquals(0, emulator.readsServed("North Europe"));
    emulator.resetStatistics();
    assertEquals(0, emulator.readsServed("East US"));
    assertEquals(0, emulator.writesServed("West US"));
  }

  @Test
  void aWriteInAReadRegionIsRefusedNotRunAndCounted() {
    ServerError refused =
        assertThrows(
            ServerError.class,
            () -> eastUs.execute("INSERT INTO regions.books (id, title) VALUES (2, 'Emma')"));
    assertEquals(
        "Region 'East US' of account 'localcosmos' is a read region and the account does not"
            + " have multi-region writes enabled: writes go to the write region 'West US' (the"
            + " emulator refuses them here without running them; what Cosmos does is not"
            + " confirmed)",
        refused.getMessage());
    PreparedStatement insert =
        eastUs.prepare("INSERT INTO regions.books (id, title) VALUES (?, ?)");
    assertThrows(ServerError.class, () -> eastUs.execute(insert.bind(3, "Ulysses")));
    assertThrows(
        ServerError.class,
        () ->
            eastUs.execute(
                BatchStatement.newInstance(
                    BatchType.UNLOGGED, insert.bind(4, "Walden"), insert.bind(5, "Beloved"))));
    assertThrows(ServerError.class, () -> eastUs.execute("DELETE FROM regions.books WHERE id = 1"));
    assertEquals(4, emulator.writesRefused("East US"));
    assertEquals(0, emulator.writesServed("East US"));
    assertEquals(0, emulator.writesRefused("West US"));
    assertEquals(0, emulator.writesServed("West US"));
    for (int id = 2; id <= 5; id++) {
      assertNull(
          westUs
              .execute(SimpleStatement.newInstance("SELECT id FROM regions.books WHERE id = ?", id))
              .one(),
          "row " + id);
    }
    emulator.resetStatistics();
    assertEquals(0, emulator.writesRefused("East US"));
  }

  @Test
  void withMultiRegionWritesEveryRegionTakesWrites(CassandraServer cassandra) {
    try (CosmosEmulator multiWrite =
            CosmosEmulator.builder(cassandra)
                .regions(REGIONS.toArray(new String[0]))
                .multiRegionWrites(true)
                .build()
                .start();
        CqlSession northEurope = session(multiWrite, "North Europe");
        CqlSession west = session(multiWrite, "West US")) {
      northEurope.execute("INSERT INTO regions.books (id, title) VALUES (10, 'Middlemarch')");
      PreparedStatement insert =
          northEurope.prepare("INSERT INTO regions.books (id, title) VALUES (?, ?)");
      northEurope.execute(
          BatchStatement.newInstance(
              BatchType.UNLOGGED, insert.bind(11, "Persuasion"), insert.bind(12, "Rebecca")));
      assertEquals(2, multiWrite.writesServed("North Europe"));
      assertEquals(0, multiWrite.writesRefused("North Europe"));
      assertEquals(0, multiWrite.writesServed("West US"));
      assertEquals(
          "Middlemarch",
          west.execute("SELECT title FROM regions.books WHERE id = 10").one().getString(0));
      assertEquals(
          "Rebecca",
          west.execute("SELECT title FROM regions.books WHERE id = 12").one().getString(0));
    }
  }

  @Test
  void aRegionTakenDownClosesItsConnectionsAndRefusesNewOnesUntilBroughtUp() {
    try (CqlSession northEurope = session(emulator, "North Europe")) {
      int open = emulator.openClientConnections();
      emulator.takeDown("North Europe");
      awaitDown(northEurope.getMetadata().getNodes().values(), "North Europe");
      assertTrue(
          emulator.openClientConnections() < open,
          "open before: " + open + ", after: " + emulator.openClientConnections());
      awaitNoNodeAvailable(northEurope, "SELECT title FROM regions.books WHERE id = 1");
      assertThrows(AllNodesFailedException.class, () -> session(emulator, "North Europe"));
      // The other regions serve on.
      eastUs.execute("SELECT title FROM regions.books WHERE id = 1");
      emulator.bringUp("North Europe");
      try (CqlSession again = session(emulator, "North Europe")) {
        again.execute("SELECT title FROM regions.books WHERE id = 1");
      }
      assertEquals(1, emulator.readsServed("North Europe"));
    }
  }

  @Test
  void clearFaultsBringsEveryRegionUp() {
    emulator.takeDown("East US");
    emulator.takeDown("North Europe");
    emulator.clearFaults();
    try (CqlSession northEurope = session(emulator, "North Europe")) {
      northEurope.execute("SELECT title FROM regions.books WHERE id = 1");
    }
    assertEquals(1, emulator.readsServed("North Europe"));
  }

  @Test
  void aReadRegionsCertificateVerifiesForItsRegionalHostName() {
    Map<String, String> peerHosts = new HashMap<>();
    peerHosts.put("127.0.0.2", "localcosmos-eastus.cassandra.cosmos.azure.com");
    try (CqlSession client = session(emulator, "East US", peerHosts)) {
      assertEquals(
          "East US", client.execute("SELECT data_center FROM system.local").one().getString(0));
    }
  }

  @Test
  void aReadRegionsCertificateDoesNotVerifyForItsIpAddress() {
    AllNodesFailedException failed =
        assertThrows(
            AllNodesFailedException.class,
            () -> session(emulator, "East US", new HashMap<String, String>()));
    assertTrue(
        causes(failed).contains("No subject alternative names matching IP address 127.0.0.2 found"),
        causes(failed).toString());
  }

  @Test
  void theWriteRegionsCertificateNamesTheGlobalAndRegionalHostNamesAndItsAddress() {
    for (String peerHost :
        Arrays.asList(
            "localcosmos.cassandra.cosmos.azure.com",
            "localcosmos-westus.cassandra.cosmos.azure.com",
            "localhost",
            "127.0.0.1")) {
      Map<String, String> peerHosts = new HashMap<>();
      peerHosts.put("127.0.0.1", peerHost);
      try (CqlSession client = session(emulator, "West US", peerHosts)) {
        assertEquals(
            "West US",
            client.execute("SELECT data_center FROM system.local").one().getString(0),
            peerHost);
      }
    }
  }

  @Test
  void regionsAreValidated(CassandraServer cassandra) {
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () -> CosmosEmulator.builder(cassandra).regions("West US", "East US", "westus"));
    assertEquals(
        "regions must not name a region twice: 'West US' and 'westus' are the same region"
            + " (compared ignoring case and spaces)",
        twice.getMessage());
    IllegalArgumentException blank =
        assertThrows(
            IllegalArgumentException.class,
            () -> CosmosEmulator.builder(cassandra).regions("West US", ""));
    assertEquals(
        "region must be an Azure region's display name such as \"West US\", got ''",
        blank.getMessage());
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class, () -> CosmosEmulator.builder(cassandra).regions());
    assertEquals(
        "regions needs at least one Azure region's display name, the write region first, such as"
            + " \"West US\"",
        none.getMessage());
    String[] tooMany = new String[255];
    for (int i = 0; i < tooMany.length; i++) {
      tooMany[i] = "Region " + i;
    }
    IllegalArgumentException overLoopback =
        assertThrows(
            IllegalArgumentException.class,
            () -> CosmosEmulator.builder(cassandra).regions(tooMany));
    assertEquals(
        "regions takes at most 254 regions (one loopback address each), got 255",
        overLoopback.getMessage());
    IllegalArgumentException withCassandrasTopology =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CosmosEmulator.builder(cassandra)
                    .regions("West US", "East US")
                    .cassandraTopology()
                    .build());
    assertEquals(
        "cassandraTopology() shows the one node of the Cassandra behind the emulator and cannot"
            + " serve several regions; got regions [West US, East US]",
        withCassandrasTopology.getMessage());
  }

  /** A session to one region, verifying host names, with the region's host name as peer host. */
  private static CqlSession session(CosmosEmulator cosmos, String region) {
    Map<String, String> peerHosts = new HashMap<>();
    for (String each : cosmos.regions()) {
      peerHosts.put(cosmos.regionAddress(each), cosmos.regionalHostName(each));
    }
    return session(cosmos, region, peerHosts);
  }

  /**
   * A session to one region whose TLS peer host for an address is {@code peerHosts}' entry, else
   * the IP address itself.
   */
  private static CqlSession session(
      CosmosEmulator cosmos, String region, Map<String, String> peerHosts) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(cosmos.regionAddress(region), cosmos.port()))
        .withLocalDatacenter(region)
        .withAuthCredentials(cosmos.account(), cosmos.key())
        .withSslEngineFactory(new PeerHostSslEngineFactory(cosmos.clientSslContext(), peerHosts))
        .withConfigLoader(ServerSessions.testTimeouts())
        .build();
  }

  /** Host name verification against a peer host chosen by address, as a client given names. */
  private static final class PeerHostSslEngineFactory implements SslEngineFactory {
    private final SSLContext context;
    private final Map<String, String> peerHosts;

    PeerHostSslEngineFactory(SSLContext context, Map<String, String> peerHosts) {
      this.context = context;
      this.peerHosts = peerHosts;
    }

    @Override
    public SSLEngine newSslEngine(EndPoint endPoint) {
      InetSocketAddress address = (InetSocketAddress) endPoint.resolve();
      String ip = address.getAddress().getHostAddress();
      String peerHost = peerHosts.containsKey(ip) ? peerHosts.get(ip) : ip;
      SSLEngine engine = context.createSSLEngine(peerHost, address.getPort());
      engine.setUseClientMode(true);
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(parameters);
      return engine;
    }

    @Override
    public void close() {}
  }

  /** Waits (at most 10 s) until the driver has seen the region's node go down. */
  private static void awaitDown(java.util.Collection<Node> nodes, String region) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    for (Node node : nodes) {
      if (node.getDatacenter().equals(region)) {
        while (node.getState() != NodeState.DOWN && System.nanoTime() < deadline) {
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
        assertEquals(NodeState.DOWN, node.getState());
      }
    }
  }

  /**
   * Waits until a request finds no node to send to. The driver marks a node down before its
   * load-balancing policy hears of it (an event on another thread), so for a moment a request may
   * still pick the node and fail on its empty pool ({@code NodeUnavailableException}).
   */
  private static void awaitNoNodeAvailable(CqlSession session, String query) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        session.execute(query);
        throw new AssertionError("a request to a region taken down was served: " + query);
      } catch (NoNodeAvailableException expected) {
        return;
      } catch (AllNodesFailedException e) {
        for (List<Throwable> errors : e.getAllErrors().values()) {
          for (Throwable error : errors) {
            if (!(error instanceof NodeUnavailableException)) {
              throw e;
            }
          }
        }
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static List<String> causes(AllNodesFailedException failed) {
    List<String> messages = new ArrayList<>();
    for (List<Throwable> errors : failed.getAllErrors().values()) {
      for (Throwable error : errors) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
          messages.add(cause.getMessage());
        }
      }
    }
    return messages;
  }

  private static UUID hostId(String region) {
    return UUID.nameUUIDFromBytes(
        ("cosmos-emulator/host/localcosmos/" + region).getBytes(StandardCharsets.UTF_8));
  }

  private static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TreeSet<String> cosmosTokens() {
    BigInteger step = BigInteger.ONE.shiftLeft(64).divide(BigInteger.valueOf(65));
    TreeSet<String> tokens = new TreeSet<>();
    BigInteger token = BigInteger.valueOf(Long.MIN_VALUE);
    for (int i = 0; i < 64; i++) {
      token = token.add(step);
      tokens.add(token.toString());
    }
    return tokens;
  }
}

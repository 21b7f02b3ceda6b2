package io.github.cosmosspark.core.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.context.DriverContext;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.metadata.token.TokenRange;
import com.datastax.oss.driver.api.core.session.ProgrammaticArguments;
import com.datastax.oss.driver.api.core.ssl.SslEngineFactory;
import com.datastax.spark.connector.cql.CassandraConnector;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.config.RegionSettings;
import io.github.cosmosspark.core.retry.CosmosDriverContext;
import io.github.cosmosspark.core.retry.NodeRegions;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Driver sessions on a three-region account, as Cosmos shows it: one node per region, each with the
 * same 64 tokens, each region's certificate naming only its regional host name (the write region's
 * also its address). Through our driver context the token map has one owner of the 64 ranges, and
 * TLS verifies every region's node against its regional host name.
 */
@CassandraTest
class MultiRegionSessionTest {
  private static final String WEST = "West US";
  private static final String EAST = "East US";
  private static final String NORTH = "North Europe";

  private static CosmosEmulator emulator;

  @BeforeAll
  static void startThreeRegionAccount(CassandraServer cassandra) {
    emulator =
        CosmosEmulator.builder(cassandra)
            .regions(WEST, EAST, NORTH)
            .idleTimeout(Duration.ZERO)
            .build()
            .start();
    EmulatorBooks.createKeyspace(emulator, "regions");
    EmulatorBooks.createTable(emulator, "regions", "books", 10_000);
    try (CqlSession session = emulator.newSession()) {
      session.execute("INSERT INTO regions.books (id, title, pages) VALUES (1, 'one', 1)");
    }
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @Test
  void aPlainDriverSessionHasNoTokenMapOnIdenticalTokens() {
    try (CqlSession session = emulator.newSession()) {
      assertEquals(3, session.getMetadata().getNodes().size());
      assertEquals(Optional.empty(), session.getMetadata().getTokenMap());
    }
  }

  @Test
  void aSessionThroughOurFactoryHasATokenMapOf64RangesOwnedByTheWriteRegion() {
    SparkConf conf = new SparkConf(false);
    EmulatorBooks.connectionOptions(emulator).forEach(conf::set);
    conf.set("spark.cassandra.connection.factory", CosmosConnectionFactory.class.getName());
    conf.set("spark.cassandra.auth.conf.factory", CosmosAuthConfFactory.class.getName());
    try (CqlSession session = CassandraConnector.apply(conf).openSession()) {
      assertEquals(
          new HashSet<>(Arrays.asList(WEST, EAST, NORTH)), dataCentres(session.getMetadata()));
      TokenMap tokens = session.getMetadata().getTokenMap().get();
      assertEquals(64, tokens.getTokenRanges().size());
      assertEquals(WEST, onlyOwner(tokens).getDatacenter());
    }
  }

  @Test
  void tlsWithVerificationReachesEveryRegionsNodeByItsRegionalHostName() {
    NodeRegions regions = new NodeRegions();
    SslEngineFactory tls =
        new CosmosSslEngineFactory(
            emulator.clientSslContext(),
            true,
            new RegionalHostNames(emulator.host(), emulator.account(), regions));
    try (CqlSession session = session(regions, tls)) {
      for (String region : emulator.regions()) {
        Node node = nodeIn(session, region);
        awaitTrue(() -> node.getOpenConnections() > 0, "no connection open to " + region);
        long before = emulator.readsServed(region);
        session.execute(
            SimpleStatement.newInstance("SELECT * FROM regions.books WHERE id = 1").setNode(node));
        assertEquals(before + 1, emulator.readsServed(region), region);
      }
      assertEquals(
          EAST, regions.dataCentreOf(new InetSocketAddress(emulator.regionAddress(EAST), port())));
    }
  }

  @Test
  void withoutRegionalHostNamesTheReadRegionsRefuseTheHandshake() {
    SslEngineFactory tls = new CosmosSslEngineFactory(emulator.clientSslContext(), true);
    try (CqlSession session = session(new NodeRegions(), tls)) {
      Node west = nodeIn(session, WEST);
      awaitTrue(() -> west.getOpenConnections() > 0, "no connection open to " + WEST);
      for (String region : Arrays.asList(EAST, NORTH)) {
        Node node = nodeIn(session, region);
        long before = emulator.readsServed(region);
        assertThrows(
            AllNodesFailedException.class,
            () ->
                session.execute(
                    SimpleStatement.newInstance("SELECT * FROM regions.books WHERE id = 1")
                        .setNode(node)));
        assertEquals(0, node.getOpenConnections(), region);
        assertEquals(before, emulator.readsServed(region), region);
      }
    }
  }

  @Test
  void whenTheControlConnectionMovesToAnotherRegionItsNodeOwnsTheTokens() {
    NodeRegions regions = new NodeRegions();
    SslEngineFactory tls =
        new CosmosSslEngineFactory(
            emulator.clientSslContext(),
            true,
            new RegionalHostNames(emulator.host(), emulator.account(), regions));
    try (CqlSession session = session(regions, tls)) {
      assertEquals(WEST, onlyOwner(session.getMetadata().getTokenMap().get()).getDatacenter());
      emulator.takeDown(WEST);
      try {
        awaitTrue(
            () -> {
              String owner = ownerRegion(session);
              return owner != null && !owner.equals(WEST);
            },
            "the tokens stayed with " + WEST);
        TokenMap tokens = session.getMetadata().getTokenMap().get();
        assertEquals(64, tokens.getTokenRanges().size());
        assertTrue(
            Arrays.asList(EAST, NORTH).contains(onlyOwner(tokens).getDatacenter()),
            onlyOwner(tokens).getDatacenter());
      } finally {
        emulator.bringUp(WEST);
      }
    }
  }

  /**
   * A session through our driver context that keeps a pool to one node of every other region, so
   * that TLS to each region is tried (SCC's own policy ignores other data centres).
   */
  private static CqlSession session(NodeRegions regions, SslEngineFactory tls) {
    CqlSessionBuilder builder =
        new CqlSessionBuilder() {
          @Override
          protected DriverContext buildContext(
              DriverConfigLoader configLoader, ProgrammaticArguments arguments) {
            return new CosmosDriverContext(
                configLoader, arguments, new RetryStatistics(), RegionSettings.DEFAULTS, regions);
          }
        };
    return builder
        .addContactPoint(new InetSocketAddress(emulator.host(), emulator.port()))
        .withLocalDatacenter(WEST)
        .withAuthCredentials(emulator.account(), emulator.key())
        .withSslEngineFactory(tls)
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withString(DefaultDriverOption.PROTOCOL_VERSION, "V4")
                .withInt(DefaultDriverOption.LOAD_BALANCING_DC_FAILOVER_MAX_NODES_PER_REMOTE_DC, 1)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(5))
                .withDuration(
                    DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(
                    DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(
                    DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1))
                .build())
        .build();
  }

  private static int port() {
    return emulator.port();
  }

  private static Node nodeIn(CqlSession session, String region) {
    for (Node node : session.getMetadata().getNodes().values()) {
      if (region.equals(node.getDatacenter())) {
        return node;
      }
    }
    throw new AssertionError("no node in " + region + ": " + session.getMetadata().getNodes());
  }

  private static Set<String> dataCentres(
      com.datastax.oss.driver.api.core.metadata.Metadata metadata) {
    Set<String> centres = new HashSet<>();
    for (Node node : metadata.getNodes().values()) {
      centres.add(node.getDatacenter());
    }
    return centres;
  }

  /** The one node every range of the token map names as its replica in the test's keyspace. */
  private static Node onlyOwner(TokenMap tokens) {
    Map<Node, Integer> ranges = rangesByReplica(tokens);
    assertEquals(1, ranges.size(), "owners: " + ranges);
    Node owner = ranges.keySet().iterator().next();
    assertEquals(64, ranges.get(owner).intValue());
    return owner;
  }

  private static Map<Node, Integer> rangesByReplica(TokenMap tokens) {
    Map<Node, Integer> ranges = new HashMap<>();
    for (TokenRange range : tokens.getTokenRanges()) {
      for (Node replica : tokens.getReplicas("regions", range)) {
        ranges.merge(replica, 1, Integer::sum);
      }
    }
    return ranges;
  }

  /** The region of the token map's one owner of 64 ranges, or null while there is none. */
  private static String ownerRegion(CqlSession session) {
    Optional<TokenMap> tokens = session.getMetadata().getTokenMap();
    if (!tokens.isPresent()) {
      return null;
    }
    Map<Node, Integer> ranges = rangesByReplica(tokens.get());
    if (ranges.size() != 1 || ranges.values().iterator().next() != 64) {
      return null;
    }
    return ranges.keySet().iterator().next().getDatacenter();
  }

  private static void awaitTrue(BooleanSupplier condition, String message) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertFalse(System.nanoTime() > deadline, message);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(message, e);
      }
    }
  }
}

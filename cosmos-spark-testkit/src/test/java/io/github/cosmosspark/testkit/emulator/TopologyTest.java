package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.metadata.token.Token;
import com.datastax.oss.driver.api.core.metadata.token.TokenRange;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client learns of the cluster through the emulator: Cosmos's single-region topology by
 * default (docs/cosmos-behaviour.md, "Topology"), Cassandra's with the switch.
 */
@CassandraTest
class TopologyTest {

  private static final long FIRST_TOKEN = -8_939_575_974_182_321_168L;
  private static final long LAST_TOKEN = 8_939_575_974_182_321_152L;
  private static final long TOKEN_STEP = 283_796_062_672_454_640L;

  private static CosmosEmulator emulator;
  private static CqlSession session;

  @BeforeAll
  static void startEmulator(CassandraServer cassandra) {
    emulator = CosmosEmulator.builder(cassandra).build().start();
    session = emulator.newSession();
    session.execute(
        "CREATE KEYSPACE IF NOT EXISTS topology WITH cosmosdb_provisioned_throughput=400");
    session.execute("CREATE TABLE IF NOT EXISTS topology.books (id int PRIMARY KEY, title text)");
  }

  @AfterAll
  static void stopEmulator() {
    session.close();
    emulator.close();
  }

  @Test
  void theDriverSeesOneNodeInTheAccountsRegionAtTheEmulatorsAddress() {
    assertEquals("West US", emulator.region());
    assertEquals(1, session.getMetadata().getNodes().size());
    Node node = session.getMetadata().getNodes().values().iterator().next();
    assertEquals("West US", node.getDatacenter());
    assertEquals("rack1", node.getRack());
    assertEquals("3.11.0", node.getCassandraVersion().toString());
    InetSocketAddress endpoint = new InetSocketAddress(emulator.host(), emulator.port());
    assertEquals(endpoint, node.getEndPoint().resolve());
    assertEquals(endpoint, node.getBroadcastRpcAddress().get());
    assertEquals(InetAddress.getLoopbackAddress(), node.getBroadcastAddress().get().getAddress());
    assertEquals(InetAddress.getLoopbackAddress(), node.getListenAddress().get().getAddress());
    assertEquals(
        UUID.nameUUIDFromBytes("cosmos-emulator/host/localcosmos/West US".getBytes()),
        node.getHostId());
    assertEquals("CosmosProd", session.getMetadata().getClusterName().get());
  }

  @Test
  void theTokenMapHasCosmossSixtyFourTokensAndFindsTheOneReplica() {
    TokenMap tokens = session.getMetadata().getTokenMap().get();
    assertEquals("org.apache.cassandra.dht.Murmur3Partitioner", tokens.getPartitionerName());
    Node node = session.getMetadata().getNodes().values().iterator().next();
    List<String> owned = new ArrayList<>();
    for (Token token : tokens.getTokens(node)) {
      owned.add(tokens.format(token));
    }
    assertEquals(64, owned.size());
    assertEquals(expectedTokens(), new TreeSet<>(owned));
    Set<TokenRange> ranges = tokens.getTokenRanges();
    assertEquals(64, ranges.size());
    assertEquals(64, tokens.getTokenRanges(node).size());
    ByteBuffer key = TypeCodecs.INT.encode(42, session.getContext().getProtocolVersion());
    assertEquals(
        Collections.singleton(node), tokens.getReplicas(CqlIdentifier.fromCql("topology"), key));
    // The range ending at the first token wraps around from the last one.
    TokenRange wrapping =
        tokens.newTokenRange(
            tokens.parse(Long.toString(LAST_TOKEN)), tokens.parse(Long.toString(FIRST_TOKEN)));
    assertTrue(ranges.contains(wrapping), ranges.toString());
  }

  @Test
  void theTokensAreEvenlySpacedByATwoToTheSixtyFourthOverSixtyFive() {
    List<String> tokens = Topology.TOKENS;
    assertEquals(64, tokens.size());
    assertEquals(Long.toString(FIRST_TOKEN), tokens.get(0));
    assertEquals(Long.toString(LAST_TOKEN), tokens.get(63));
    BigInteger step = BigInteger.ONE.shiftLeft(64).divide(BigInteger.valueOf(65));
    assertEquals(TOKEN_STEP, step.longValueExact());
    for (int i = 1; i < 64; i++) {
      assertEquals(
          TOKEN_STEP, Long.parseLong(tokens.get(i)) - Long.parseLong(tokens.get(i - 1)), "i=" + i);
    }
  }

  @Test
  void systemLocalAnswersWithCassandra311sColumnsAndCosmossValues() {
    Row row = session.execute("SELECT * FROM system.local WHERE key='local'").one();
    List<String> columns = new ArrayList<>();
    for (ColumnDefinition column : row.getColumnDefinitions()) {
      columns.add(column.getName().asInternal());
    }
    assertEquals(
        Arrays.asList(
            "key",
            "bootstrapped",
            "broadcast_address",
            "cluster_name",
            "cql_version",
            "data_center",
            "gossip_generation",
            "host_id",
            "listen_address",
            "native_protocol_version",
            "partitioner",
            "rack",
            "release_version",
            "rpc_address",
            "schema_version",
            "thrift_version",
            "tokens",
            "truncated_at"),
        columns);
    assertEquals("local", row.getString("key"));
    assertEquals("COMPLETED", row.getString("bootstrapped"));
    assertEquals(InetAddress.getLoopbackAddress(), row.getInetAddress("broadcast_address"));
    assertEquals("CosmosProd", row.getString("cluster_name"));
    assertEquals("3.4.4", row.getString("cql_version"));
    assertEquals("West US", row.getString("data_center"));
    assertTrue(row.isNull("gossip_generation"));
    assertEquals("66", row.getString("native_protocol_version"));
    assertEquals("org.apache.cassandra.dht.Murmur3Partitioner", row.getString("partitioner"));
    assertEquals("3.11.0", row.getString("release_version"));
    assertEquals(InetAddress.getLoopbackAddress(), row.getInetAddress("rpc_address"));
    assertEquals(InetAddress.getLoopbackAddress(), row.getInetAddress("listen_address"));
    assertTrue(row.isNull("thrift_version"));
    assertEquals(expectedTokens(), new TreeSet<>(row.getSet("tokens", String.class)));
    assertEquals(
        session.execute("SELECT schema_version FROM system.local").one().getUuid(0),
        row.getUuid("schema_version"));
    assertTrue(session.checkSchemaAgreement());
  }

  @Test
  void systemLocalAnswersPreparedStatementsAndFiltersOnTheKey() {
    PreparedStatement select =
        session.prepare("SELECT data_center, release_version FROM system.local WHERE key = ?");
    Row local = session.execute(select.bind("local")).one();
    assertEquals("West US", local.getString("data_center"));
    assertEquals("3.11.0", local.getString(1));
    assertEquals(0, session.execute(select.bind("elsewhere")).all().size());
    assertEquals(
        "West US",
        session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT data_center FROM system.local WHERE key = ?", "local"))
            .one()
            .getString(0));
  }

  @Test
  void systemPeersIsEmptyForASingleRegionAccount() {
    ResultSet all = session.execute("SELECT * FROM system.peers");
    assertEquals(0, all.all().size());
    assertEquals(
        Arrays.asList(
            "peer",
            "data_center",
            "host_id",
            "preferred_ip",
            "rack",
            "release_version",
            "rpc_address",
            "schema_version",
            "tokens"),
        names(all));
    // cqlsh's and the Python driver's form, and driver 4's look-up of one peer.
    assertEquals(
        0,
        session
            .execute(
                "SELECT peer, data_center, host_id, rack, rpc_address, release_version,"
                    + " schema_version FROM system.peers")
            .all()
            .size());
    assertEquals(
        0,
        session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT * FROM system.peers WHERE peer = ?", InetAddress.getLoopbackAddress()))
            .all()
            .size());
    assertEquals(1.00, charge(all), 1e-9);
  }

  @Test
  void systemPeersV2IsRefusedAsCassandra311RefusesIt() {
    InvalidQueryException queried =
        assertThrows(
            InvalidQueryException.class, () -> session.execute("SELECT * FROM system.peers_v2"));
    assertEquals("unconfigured table peers_v2", queried.getMessage());
    InvalidQueryException prepared =
        assertThrows(
            InvalidQueryException.class,
            () -> session.prepare("SELECT * FROM system.peers_v2 WHERE peer = ?"));
    assertEquals("unconfigured table peers_v2", prepared.getMessage());
    assertThrows(
        InvalidQueryException.class, () -> session.execute("SELECT * FROM system.table_estimates"));
  }

  @Test
  void systemSizeEstimatesHasNoRows() {
    // SCC's DataSizeEstimates, as it sends it.
    ResultSet estimates =
        session.execute(
            SimpleStatement.newInstance(
                "SELECT range_start, range_end, partitions_count, mean_partition_size"
                    + " FROM system.size_estimates WHERE keyspace_name = ? AND table_name = ?",
                "topology",
                "books"));
    assertEquals(0, estimates.all().size());
    assertEquals(0, session.execute("SELECT * FROM system.size_estimates").all().size());
  }

  @Test
  void otherFormsOnTheseTablesAreRefusedNeverPassedOn() {
    InvalidQueryException counted =
        assertThrows(
            InvalidQueryException.class,
            () -> session.execute("SELECT count(*) FROM system.local"));
    assertTrue(counted.getMessage().startsWith("The Cosmos emulator answers system.local itself"));
    InvalidQueryException undefined =
        assertThrows(
            InvalidQueryException.class,
            () -> session.execute("SELECT native_port FROM system.local"));
    assertEquals("Undefined column name native_port", undefined.getMessage());
  }

  @Test
  void aRegionSetOnTheBuilderIsTheDataCentre(CassandraServer cassandra) {
    try (CosmosEmulator inUkSouth = CosmosEmulator.builder(cassandra).region("UK South").build();
        CqlSession client = inUkSouth.start().newSession()) {
      Node node = client.getMetadata().getNodes().values().iterator().next();
      assertEquals("UK South", node.getDatacenter());
      assertEquals(
          UUID.nameUUIDFromBytes("cosmos-emulator/host/localcosmos/UK South".getBytes()),
          node.getHostId());
    }
  }

  @Test
  void aBlankRegionIsRefused(CassandraServer cassandra) {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> CosmosEmulator.builder(cassandra).region(" "));
    assertEquals(
        "region must be an Azure region's display name such as \"West US\", got ' '",
        refused.getMessage());
  }

  @Test
  void theSwitchShowsCassandrasOwnTopology(CassandraServer cassandra) {
    try (CosmosEmulator plain = CosmosEmulator.builder(cassandra).cassandraTopology().build();
        CqlSession client = plain.start().newSession()) {
      assertEquals(CassandraServer.DATACENTER, plain.localDatacenter());
      assertEquals(1, client.getMetadata().getNodes().size());
      Node node = client.getMetadata().getNodes().values().iterator().next();
      assertEquals(CassandraServer.DATACENTER, node.getDatacenter());
      assertEquals(5, node.getCassandraVersion().getMajor());
      assertEquals(0, client.execute("SELECT * FROM system.peers_v2").all().size());
      Set<String> tokens =
          client.execute("SELECT tokens FROM system.local").one().getSet(0, String.class);
      assertNotEquals(expectedTokens(), new TreeSet<>(tokens));
      assertFalse(tokens.isEmpty());
      assertNotEquals(
          "CosmosProd", client.execute("SELECT cluster_name FROM system.local").one().getString(0));
    }
  }

  private static TreeSet<String> expectedTokens() {
    TreeSet<String> tokens = new TreeSet<>();
    for (int i = 0; i < 64; i++) {
      tokens.add(Long.toString(FIRST_TOKEN + i * TOKEN_STEP));
    }
    return tokens;
  }

  private static List<String> names(ResultSet result) {
    List<String> names = new ArrayList<>();
    for (ColumnDefinition column : result.getColumnDefinitions()) {
      names.add(column.getName().asInternal());
    }
    return names;
  }

  private static double charge(ResultSet result) {
    ByteBuffer payload = result.getExecutionInfo().getIncomingPayload().get("RequestCharge");
    assertTrue(payload != null, "no RequestCharge payload");
    return payload.duplicate().getDouble();
  }
}

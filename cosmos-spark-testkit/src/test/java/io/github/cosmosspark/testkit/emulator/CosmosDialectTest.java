package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cosmos's CQL dialect: what the emulator refuses, accepts and stores where Cassandra differs. */
@CassandraTest
class CosmosDialectTest {

  private static final int TWENTY_YEARS = 630_720_000;

  private static CosmosEmulator cosmos;
  private static CosmosEmulator cassandraDialect;
  private static CqlSession session;

  @BeforeAll
  static void startEmulators(CassandraServer cassandra) {
    cosmos = CosmosEmulator.builder(cassandra).build().start();
    cassandraDialect = CosmosEmulator.builder(cassandra).cassandraDialect().build().start();
    session = cosmos.newSession();
  }

  @AfterAll
  static void stopEmulators() {
    session.close();
    cosmos.close();
    cassandraDialect.close();
  }

  @Test
  void aLoggedBatchIsRefusedWithCosmosMessageAndWritesNothing(TestKeyspace direct) {
    String table = createTable(direct, "batched");
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");

    ServerError refused =
        assertThrows(
            ServerError.class,
            () ->
                session.execute(
                    BatchStatement.newInstance(
                        DefaultBatchType.LOGGED, insert.bind(1, "a"), insert.bind(2, "b"))));
    ServerError refusedText =
        assertThrows(
            ServerError.class,
            () ->
                session.execute(
                    "BEGIN BATCH INSERT INTO " + table + " (id, v) VALUES (3, 'c'); APPLY BATCH"));

    assertEquals(
        "Logged batches are not supported by the service yet. Please use unlogged batches"
            + " instead.",
        refused.getMessage());
    assertEquals(refused.getMessage(), refusedText.getMessage());
    assertEquals(0, direct.session().execute("SELECT * FROM " + table).all().size());
  }

  @Test
  void unloggedBatchesAreWrittenRowByRow(TestKeyspace direct) {
    String table = createTable(direct, "unlogged_rows");
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");

    session.execute(
        BatchStatement.newInstance(
            DefaultBatchType.UNLOGGED, insert.bind(1, "a"), insert.bind(2, "b")));
    session.execute(
        "BEGIN UNLOGGED BATCH INSERT INTO " + table + " (id, v) VALUES (3, 'c'); APPLY BATCH");

    assertEquals(
        expected(1, "a", 2, "b", 3, "c"),
        rowsById(direct.session().execute("SELECT id, v FROM " + table).all()));
  }

  @Test
  void statementsTheFeatureSupportPageListsAsUnsupportedAreRefused(TestKeyspace direct) {
    String table = createTable(direct, "refusals");
    List<String[]> statements =
        Arrays.asList(
            new String[] {
              "CREATE FUNCTION "
                  + direct.name()
                  + ".twice (x int) RETURNS NULL ON NULL INPUT"
                  + " RETURNS int LANGUAGE java AS 'return x * 2;'",
              "CREATE FUNCTION"
            },
            new String[] {
              "CREATE OR REPLACE AGGREGATE " + direct.name() + ".total (int) SFUNC plus STYPE int",
              "CREATE OR REPLACE AGGREGATE"
            },
            new String[] {"DROP FUNCTION " + direct.name() + ".twice", "DROP FUNCTION"},
            new String[] {
              "CREATE TRIGGER audit ON " + table + " USING 'org.example.Audit'", "CREATE TRIGGER"
            },
            new String[] {
              "CREATE CUSTOM INDEX ON " + table + " (v) USING 'StorageAttachedIndex'",
              "CREATE CUSTOM INDEX"
            },
            new String[] {
              "CREATE INDEX ON " + table + " (v) USING 'sai'",
              "CREATE CUSTOM INDEX (an index with an index class)"
            },
            new String[] {
              "CREATE ROLE analyst WITH PASSWORD = 'x' AND LOGIN = true", "CREATE ROLE"
            },
            new String[] {"GRANT SELECT ON " + table + " TO analyst", "GRANT"},
            new String[] {"LIST ROLES", "LIST ROLES"},
            new String[] {"ALTER TYPE " + direct.name() + ".address ADD zip text", "ALTER TYPE"},
            new String[] {"SELECT DISTINCT id FROM " + table, "SELECT DISTINCT"},
            new String[] {"SELECT toJson(v) FROM " + table, "toJson() and fromJson()"},
            new String[] {
              "/* a comment */ INSERT INTO " + table + " (id, v) VALUES (1, fromJson('\"x\"'))",
              "toJson() and fromJson()"
            });

    for (String[] statement : statements) {
      InvalidQueryException refused =
          assertThrows(
              InvalidQueryException.class, () -> session.execute(statement[0]), statement[0]);
      assertEquals(
          statement[1] + " is not supported by Azure Cosmos DB for Apache Cassandra",
          refused.getMessage(),
          statement[0]);
    }
    InvalidQueryException preparing =
        assertThrows(
            InvalidQueryException.class, () -> session.prepare("SELECT DISTINCT id FROM " + table));
    assertEquals(
        "SELECT DISTINCT is not supported by Azure Cosmos DB for Apache Cassandra",
        preparing.getMessage());
    // The words inside a literal are data, not a function call.
    session.execute("INSERT INTO " + table + " (id, v) VALUES (7, 'toJson(x) and DISTINCT')");
    assertEquals(
        "toJson(x) and DISTINCT",
        direct.session().execute("SELECT v FROM " + table + " WHERE id = 7").one().getString(0));
    assertEquals(
        0,
        direct
            .session()
            .execute("SELECT * FROM system_schema.functions WHERE keyspace_name = ?", direct.name())
            .all()
            .size());
  }

  @Test
  void cellLevelOptionsAreAcceptedKeptAndNotPassedToCassandra(TestKeyspace direct) {
    String table = direct.qualified("cells");
    session.execute(
        "CREATE TABLE "
            + table
            + " (pk text, ts timestamp, v int, PRIMARY KEY (pk, ts))"
            + " WITH CLUSTERING ORDER BY (ts DESC) AND cosmosdb_cell_level_timestamp=true"
            + " AND cosmosdb_cell_level_timestamp_tombstones=true"
            + " AND cosmosdb_cell_level_timetolive=true");
    Map<String, String> all = new LinkedHashMap<>();
    all.put("cosmosdb_cell_level_timestamp", "true");
    all.put("cosmosdb_cell_level_timestamp_tombstones", "true");
    all.put("cosmosdb_cell_level_timetolive", "true");
    assertEquals(all, cosmos.cellLevelOptions(table));
    assertEquals(
        "desc",
        direct
            .session()
            .execute(
                "SELECT clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND"
                    + " table_name = 'cells' AND column_name = 'ts'",
                direct.name())
            .one()
            .getString(0));

    // An ALTER with only Cosmos options is answered by the emulator.
    session.execute("ALTER TABLE " + table + " WITH cosmosdb_cell_level_timetolive = false");
    all.put("cosmosdb_cell_level_timetolive", "false");
    assertEquals(all, cosmos.cellLevelOptions(table));

    InvalidQueryException invalid =
        assertThrows(
            InvalidQueryException.class,
            () ->
                session.execute(
                    "ALTER TABLE " + table + " WITH cosmosdb_cell_level_timestamp = 'yes'"));
    assertEquals(
        "cosmosdb_cell_level_timestamp must be true or false, got 'yes'", invalid.getMessage());
    assertEquals(all, cosmos.cellLevelOptions(table));
  }

  @Test
  void aTwentyYearDefaultTtlIsStoredAndReadBack(TestKeyspace direct) {
    String table = direct.qualified("long_lived");
    // Microsoft's sample notebooks create their tables with default_time_to_live=630720000.
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, v text) WITH cosmosdb_provisioned_throughput=400"
            + " , WITH default_time_to_live="
            + TWENTY_YEARS);
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
    for (int id = 0; id < 20; id++) {
      session.execute(insert.bind(id, "v" + id));
    }
    session.execute(
        "INSERT INTO " + table + " (id, v) VALUES (99, 'own') USING TTL " + TWENTY_YEARS);

    List<Row> rows = session.execute("SELECT id, v, TTL(v) FROM " + table).all();
    assertEquals(21, rows.size());
    Map<Integer, String> read = new TreeMap<>();
    for (Row row : rows) {
      read.put(row.getInt(0), row.getString(1));
      int ttl = row.getInt(2);
      assertTrue(ttl > TWENTY_YEARS - 600 && ttl <= TWENTY_YEARS, "TTL " + ttl);
    }
    Map<Integer, String> expected = new TreeMap<>();
    for (int id = 0; id < 20; id++) {
      expected.put(id, "v" + id);
    }
    expected.put(99, "own");
    assertEquals(expected, read);
  }

  @Test
  void cassandraDialectRunsWhatCosmosRefuses(TestKeyspace direct) {
    String table = createTable(direct, "plain");
    try (CqlSession plain = cassandraDialect.newSession()) {
      PreparedStatement insert = plain.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
      plain.execute(
          BatchStatement.newInstance(
              DefaultBatchType.LOGGED, insert.bind(1, "a"), insert.bind(2, "b")));
      List<Row> distinct = plain.execute("SELECT DISTINCT id FROM " + table).all();
      assertEquals(2, distinct.size());
      plain.execute(
          "CREATE TABLE "
              + direct.qualified("plain_cells")
              + " (id int PRIMARY KEY) WITH cosmosdb_cell_level_timestamp=true");
    }
    assertEquals(
        expected(1, "a", 2, "b"),
        rowsById(direct.session().execute("SELECT id, v FROM " + table).all()));
  }

  @Test
  void aClientAskingForCompressionCannotConnect() {
    AllNodesFailedException refused =
        assertThrows(
            AllNodesFailedException.class,
            () ->
                cosmos
                    .sessionBuilder(cosmos.key())
                    .withConfigLoader(
                        DriverConfigLoader.programmaticBuilder()
                            .withString(DefaultDriverOption.PROTOCOL_COMPRESSION, "lz4")
                            .build())
                    .build()
                    .close());
    assertTrue(
        refused.getMessage().contains("Cql request had unsupported headers Compression"),
        refused.getMessage());
  }

  @Test
  void aConnectionCarryingOnlyHeartbeatsIsClosedAfterTheIdleTimeout(CassandraServer cassandra)
      throws Exception {
    try (CosmosEmulator shortIdle =
            CosmosEmulator.builder(cassandra).idleTimeout(Duration.ofSeconds(1)).build().start();
        CosmosEmulator keepsIdle =
            CosmosEmulator.builder(cassandra)
                .cassandraDialect()
                .idleTimeout(Duration.ofSeconds(1))
                .build()
                .start()) {
      DriverConfigLoader heartbeatsOnly =
          DriverConfigLoader.programmaticBuilder()
              .withDuration(DefaultDriverOption.HEARTBEAT_INTERVAL, Duration.ofMillis(200))
              // No reconnection within the test, so what the emulator closed stays closed.
              .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMinutes(1))
              .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofMinutes(1))
              .build();
      try (CqlSession idle =
              shortIdle.sessionBuilder(shortIdle.key()).withConfigLoader(heartbeatsOnly).build();
          CqlSession plain =
              keepsIdle.sessionBuilder(keepsIdle.key()).withConfigLoader(heartbeatsOnly).build()) {
        int opened = keepsIdle.openClientConnections();
        assertTrue(opened > 0 && shortIdle.openClientConnections() == opened, "" + opened);

        // Once the short-idle emulator has closed them all, the other's connections have been idle
        // as long, past the same limit: no fixed wait needed to see that it kept them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (shortIdle.openClientConnections() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }

        assertEquals(0, shortIdle.openClientConnections());
        assertEquals(opened, shortIdle.idleConnectionsClosed());
        assertEquals(opened, keepsIdle.openClientConnections());
        assertEquals(0, keepsIdle.idleConnectionsClosed());
        // Cassandra's dialect kept them open, and they still serve.
        assertEquals(1, plain.execute("SELECT release_version FROM system.local").all().size());
      }
    }
  }

  private static String createTable(TestKeyspace direct, String name) {
    String table = direct.qualified(name);
    session.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
    return table;
  }

  private static Map<Integer, String> rowsById(List<Row> rows) {
    Map<Integer, String> byId = new TreeMap<>();
    for (Row row : rows) {
      byId.put(row.getInt("id"), row.getString("v"));
    }
    return byId;
  }

  private static Map<Integer, String> expected(Object... idsAndValues) {
    Map<Integer, String> byId = new TreeMap<>();
    List<Object> list = new ArrayList<>(Arrays.asList(idsAndValues));
    for (int i = 0; i < list.size(); i += 2) {
      byId.put((Integer) list.get(i), (String) list.get(i + 1));
    }
    return byId;
  }
}

package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultProtocolVersion;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.cql.ExecutionInfo;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@CassandraTest
class CosmosEmulatorTest {

  // Microsoft's published figures for a row of 1 KB ("understand-request-unit-consumption").
  private static final double READ_1_KB = 1.00;
  private static final double WRITE_1_KB = 4.95;

  private static final AtomicInteger KEYSPACES = new AtomicInteger();
  private static CosmosEmulator emulator;
  private static CqlSession session;

  @BeforeAll
  static void startEmulator(CassandraServer cassandra) {
    emulator = CosmosEmulator.builder(cassandra).build().start();
    session = connect(emulator.key());
  }

  @AfterAll
  static void stopEmulator() {
    session.close();
    emulator.close();
  }

  @Test
  void theDriverNegotiatesDownToV4AndLogsInWithTheAccountKey() {
    assertEquals(
        DefaultProtocolVersion.V4, session.getContext().getProtocolVersion(), "Cosmos speaks v4");
    assertEquals(1, session.execute("SELECT release_version FROM system.local").all().size());
  }

  @Test
  void writesAndReadsGoThroughToCassandraWithAChargeOnEveryResponse() {
    String ks = newKeyspace();
    session.execute(
        "CREATE TABLE "
            + ks
            + ".books (id int PRIMARY KEY, title text) WITH cosmosdb_provisioned_throughput=100000");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + ks + ".books (id, title) VALUES (?, ?)");
    Map<Integer, String> written = new HashMap<>();
    for (int id = 0; id < 300; id++) {
      ResultSet result = session.execute(insert.bind(id, "title-" + id));
      // A row under 1 KB costs what Microsoft publishes for a 1 KB row.
      assertEquals(WRITE_1_KB, charge(result.getExecutionInfo()), 1e-9);
      written.put(id, "title-" + id);
    }

    ResultSet pages =
        session.execute(
            SimpleStatement.newInstance("SELECT id, title FROM " + ks + ".books").setPageSize(50));
    Map<Integer, String> read = new HashMap<>();
    for (Row row : pages) {
      read.put(row.getInt("id"), row.getString("title"));
    }

    assertEquals(written, read);
    // 300 rows in pages of 50; Cassandra may end with an empty page when the last one is full.
    int pageCount = pages.getExecutionInfos().size();
    assertTrue(pageCount == 6 || pageCount == 7, "pages: " + pageCount);
    // 50 rows of at most 13 B are under 1 KB together: each page costs the least a read does.
    for (ExecutionInfo page : pages.getExecutionInfos()) {
      assertEquals(READ_1_KB, charge(page), 1e-9);
    }
    ResultSet one = session.execute("SELECT title FROM " + ks + ".books WHERE id = 7");
    assertEquals(READ_1_KB, charge(one.getExecutionInfo()), 1e-9);
  }

  @Test
  void rowsOfPublishedSizesCostMicrosoftsFiguresToWriteAndToRead() {
    String ks = newKeyspace();
    session.execute(
        "CREATE TABLE "
            + ks
            + ".blobs (id int PRIMARY KEY, data blob) WITH cosmosdb_provisioned_throughput=100000");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + ks + ".blobs (id, data) VALUES (?, ?)");
    PreparedStatement select =
        session.prepare("SELECT id, data FROM " + ks + ".blobs WHERE id = ?");
    // Microsoft's table: 4 KB 1.14 / 6.67, 64 KB 4.76 / 22.67, 1 MB 145.90 / 625.00 (read / write).
    int[] kilobytes = {4, 64, 1024};
    double[] reads = {1.14, 4.76, 145.90};
    double[] writes = {6.67, 22.67, 625.00};
    for (int i = 0; i < kilobytes.length; i++) {
      // A row of exactly the size: its 4-byte int key and a blob of the rest.
      ByteBuffer data = ByteBuffer.allocate(kilobytes[i] * 1024 - 4);
      ResultSet written = session.execute(insert.bind(i, data));
      assertEquals(writes[i], charge(written.getExecutionInfo()), 1e-9, kilobytes[i] + " KB");
      ResultSet read = session.execute(select.bind(i));
      assertEquals(data, read.one().getByteBuffer("data"));
      assertEquals(reads[i], charge(read.getExecutionInfo()), 1e-9, kilobytes[i] + " KB");
    }
  }

  /**
   * A query is charged for the rows and columns it returns: with a LIMIT that is what Cassandra
   * read; under a filter (ALLOW FILTERING) or a projection Cosmos reads more than it returns, which
   * the emulator does not see, and charges less than Cosmos would (docs/emulator.md).
   */
  @Test
  void aQueryIsChargedForWhatItReturnsWhichUnderAFilterIsLessThanWhatItRead() {
    String ks = newKeyspace();
    session.execute(
        "CREATE TABLE "
            + ks
            + ".rows (pk int, ck int, tag int, data blob, PRIMARY KEY (pk, ck))"
            + " WITH cosmosdb_provisioned_throughput=100000");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + ks + ".rows (pk, ck, tag, data) VALUES (0, ?, ?, ?)");
    for (int ck = 0; ck < 10; ck++) {
      // Rows of 2 KB: three 4-byte ints and a blob of the rest.
      session.execute(insert.bind(ck, ck, ByteBuffer.allocate(2048 - 12)));
    }
    double read2Kb = 1.04; // Microsoft's figure for a 2 KB row

    ResultSet limited = session.execute("SELECT * FROM " + ks + ".rows WHERE pk = 0 LIMIT 3");
    assertEquals(3, limited.all().size());
    assertEquals(3 * read2Kb, charge(limited.getExecutionInfo()), 1e-9);

    ResultSet filtered =
        session.execute("SELECT * FROM " + ks + ".rows WHERE pk = 0 AND tag = 5 ALLOW FILTERING");
    assertEquals(1, filtered.all().size());
    assertEquals(read2Kb, charge(filtered.getExecutionInfo()), 1e-9, "10 rows read, 1 charged");

    ResultSet projected = session.execute("SELECT ck FROM " + ks + ".rows WHERE pk = 0");
    assertEquals(10, projected.all().size());
    assertEquals(1.00, charge(projected.getExecutionInfo()), 1e-9, "40 B returned of 20 KB read");
  }

  @Test
  void openClientConnectionsCountsASessionsConnectionsUntilItCloses() throws Exception {
    int before = settledClientConnections();
    int during;
    try (CqlSession another = connect(emulator.key())) {
      another.execute("SELECT release_version FROM system.local");
      during = emulator.openClientConnections();
    }
    // The server sees the close a moment after the client's close returns.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (emulator.openClientConnections() != before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(during > before, "a new session opened connections: " + before + " -> " + during);
    assertEquals(before, emulator.openClientConnections());
  }

  /** The count once it has held for 250 ms: an earlier test's session may still be closing. */
  private int settledClientConnections() throws InterruptedException {
    int count = emulator.openClientConnections();
    long stableSince = System.nanoTime();
    long deadline = stableSince + 10_000_000_000L;
    while (System.nanoTime() - stableSince < 250_000_000L && System.nanoTime() < deadline) {
      Thread.sleep(10);
      int now = emulator.openClientConnections();
      if (now != count) {
        count = now;
        stableSince = System.nanoTime();
      }
    }
    return count;
  }

  @Test
  void throughputInDdlIsStrippedRecordedAndChangedLive() {
    String ks = "emu_ks_" + KEYSPACES.incrementAndGet();
    session.execute(
        "CREATE KEYSPACE "
            + ks
            + " WITH REPLICATION = {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}"
            + " AND cosmosdb_provisioned_throughput=2000");
    session.execute(
        "CREATE TABLE "
            + ks
            + ".books (id int PRIMARY KEY, title text) WITH cosmosdb_provisioned_throughput=4000"
            + " , WITH default_time_to_live=630720000");
    session.execute("CREATE TABLE " + ks + ".shared (id int PRIMARY KEY)");
    assertEquals(new Throughput(2000, false), emulator.throughput(ks + ".shared").get());
    assertEquals(new Throughput(4000, false), emulator.throughput(ks + ".books").get());
    assertEquals(630720000, defaultTtl(ks, "books"));

    session.execute(
        "ALTER TABLE "
            + ks
            + ".books WITH cosmosdb_provisioned_throughput=8000, WITH default_time_to_live=0");
    assertEquals(new Throughput(8000, false), emulator.throughput(ks + ".books").get());
    assertEquals(0, defaultTtl(ks, "books"));

    session.execute("ALTER TABLE " + ks + ".books WITH cosmosdb_autoscale_max_throughput=10000");
    assertEquals(new Throughput(10000, true), emulator.throughput(ks + ".books").get());

    session.execute("INSERT INTO " + ks + ".books (id, title) VALUES (1, 'written')");
    assertEquals(
        "written",
        session.execute("SELECT title FROM " + ks + ".books WHERE id = 1").one().getString(0),
        "a keyspace created with RF 3 in its DDL still takes writes on one node");
  }

  @Test
  void preparedStatementsAndBatchesAreChargedToTheirOwnTable() {
    String ks = newKeyspace();
    session.execute(
        "CREATE TABLE "
            + ks
            + ".a (id int PRIMARY KEY, v text) WITH cosmosdb_provisioned_throughput=10000");
    session.execute(
        "CREATE TABLE "
            + ks
            + ".b (id int PRIMARY KEY, v text) WITH cosmosdb_provisioned_throughput=10000");
    session.execute("USE " + ks);
    PreparedStatement intoA = session.prepare("INSERT INTO a (id, v) VALUES (?, ?)");
    PreparedStatement intoB = session.prepare("INSERT INTO b (id, v) VALUES (?, ?)");
    for (int i = 0; i < 5; i++) {
      session.execute(intoA.bind(i, "a"));
    }
    session.execute(
        com.datastax.oss.driver.api.core.cql.BatchStatement.newInstance(
            com.datastax.oss.driver.api.core.cql.DefaultBatchType.UNLOGGED,
            intoB.bind(1, "b"),
            intoB.bind(2, "b")));

    assertEquals(5, emulator.statistics(ks + ".a").get().requests());
    assertEquals(5 * WRITE_1_KB, emulator.statistics(ks + ".a").get().requestUnits(), 1e-9);
    assertEquals(1, emulator.statistics(ks + ".b").get().requests());
    // One request, two rows written: each statement of a batch is a write of its own.
    assertEquals(2 * WRITE_1_KB, emulator.statistics(ks + ".b").get().requestUnits(), 1e-9);
    assertEquals(2, session.execute("SELECT * FROM b").all().size());
  }

  @Test
  void aClientThatDisconnectsMidRequestLeavesOthersServed() throws Exception {
    String ks = newKeyspace();
    session.execute("CREATE TABLE " + ks + ".t (id int PRIMARY KEY)");
    CqlSession leaving = connect(emulator.key());
    for (int i = 0; i < 50; i++) {
      leaving.executeAsync("INSERT INTO " + ks + ".t (id) VALUES (" + i + ")");
    }
    // Closes the connections at once, with requests still in flight.
    leaving.forceCloseAsync().toCompletableFuture().join();
    assertEquals(1, session.execute("SELECT release_version FROM system.local").all().size());
  }

  @Test
  void ddlWithoutCosmosOptionsReachesCassandraUnchanged(TestKeyspace direct) {
    String ks = newKeyspace();
    session.execute("CREATE TABLE " + ks + ".t (id int PRIMARY KEY)");
    session.execute("ALTER TABLE " + ks + ".t ADD with_tax int");
    session.execute("ALTER TABLE " + ks + ".t WITH comment = 'a AND b WITH c'");
    session.execute("INSERT INTO " + ks + ".t (id, with_tax) VALUES (1, 19)");
    assertEquals(
        19, session.execute("SELECT with_tax FROM " + ks + ".t WHERE id = 1").one().getInt(0));
    assertEquals(
        "a AND b WITH c",
        session
            .execute(
                "SELECT comment FROM system_schema.tables WHERE keyspace_name = ? AND table_name = 't'",
                ks)
            .one()
            .getString(0));
  }

  @Test
  void unqualifiedDdlAfterUseAndIfNotExistsKeepTheRightThroughput() {
    String ks = newKeyspace();
    try (CqlSession scoped = connect(emulator.key())) {
      scoped.execute("USE " + ks);
      scoped.execute(
          "CREATE TABLE t (id int PRIMARY KEY) WITH cosmosdb_provisioned_throughput=7000");
      assertEquals(new Throughput(7000, false), emulator.throughput(ks + ".t").get());
      scoped.execute("CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY)");
      assertEquals(new Throughput(7000, false), emulator.throughput(ks + ".t").get());
    }
  }

  @Test
  void aNewTableIfNotExistsInASharedKeyspaceGetsItsOwnThroughput() {
    String ks = newKeyspace();
    session.execute(
        "CREATE TABLE IF NOT EXISTS "
            + ks
            + ".own (id int PRIMARY KEY) WITH cosmosdb_provisioned_throughput=1500");

    assertEquals(new Throughput(1500, false), emulator.throughput(ks + ".own").get());
    session.execute("INSERT INTO " + ks + ".own (id) VALUES (1)");
    assertTrue(emulator.statistics(ks + ".own").isPresent(), "drew on its own budget");
  }

  @Test
  void aTextBatchIsAWriteChargedToItsTable() {
    String ks = newKeyspace();
    session.execute("CREATE TABLE " + ks + ".t (id int PRIMARY KEY)");
    ResultSet result =
        session.execute(
            "BEGIN UNLOGGED BATCH INSERT INTO "
                + ks
                + ".t (id) VALUES (1); INSERT INTO "
                + ks
                + ".t (id) VALUES (2); APPLY BATCH");
    // A batch in one query string is charged as one row: the emulator does not split its text.
    assertEquals(WRITE_1_KB, charge(result.getExecutionInfo()), 1e-9);
    // The keyspace has shared throughput: its tables draw on the keyspace's budget.
    assertEquals(1, emulator.statistics(ks).get().requests());
  }

  @Test
  void aStatementTheEmulatorDoesNotKnowIsPreparedAgain(TestKeyspace direct) {
    String table = direct.name() + ".forgotten";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY) WITH cosmosdb_provisioned_throughput=1000");
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id) VALUES (?)");
    emulator.forgetPreparedStatements();

    session.execute(insert.bind(42));

    assertEquals(42, direct.session().execute("SELECT id FROM " + table).one().getInt(0));
    assertEquals(1, emulator.statistics(table).get().requests(), "charged to its table");
  }

  @Test
  void aTableCreatedWithoutThroughputGetsCosmossDefault() {
    String ks = newKeyspace();
    session.execute("CREATE TABLE " + ks + ".plain (id int PRIMARY KEY)");
    assertEquals(new Throughput(400, false), emulator.throughput(ks + ".plain").get());
  }

  @Test
  void invalidThroughputIsRefusedNamingTheOption() {
    String ks = newKeyspace();
    for (String value : new String[] {"300", "0", "-400", "lots"}) {
      InvalidQueryException error =
          assertThrows(
              InvalidQueryException.class,
              () ->
                  session.execute(
                      "CREATE TABLE "
                          + ks
                          + ".t (id int PRIMARY KEY) WITH cosmosdb_provisioned_throughput="
                          + value));
      assertTrue(
          error.getMessage().contains("cosmosdb_provisioned_throughput"), error.getMessage());
      assertTrue(error.getMessage().contains("at least 400"), error.getMessage());
    }
  }

  @Test
  void aWrongKeyIsRefused() {
    AllNodesFailedException error =
        assertThrows(AllNodesFailedException.class, () -> connect(emulator.key() + "x").close());
    assertInstanceOf(
        AuthenticationException.class, error.getAllErrors().values().iterator().next().get(0));
  }

  @Test
  void theReadOnlyKeyReadsButCannotWrite() {
    String ks = newKeyspace();
    session.execute("CREATE TABLE " + ks + ".books (id int PRIMARY KEY, title text)");
    session.execute("INSERT INTO " + ks + ".books (id, title) VALUES (1, 'one')");
    try (CqlSession reader = connect(emulator.readOnlyKey())) {
      assertEquals(
          "one",
          reader.execute("SELECT title FROM " + ks + ".books WHERE id = 1").one().getString(0));
      UnauthorizedException refused =
          assertThrows(
              UnauthorizedException.class,
              () -> reader.execute("INSERT INTO " + ks + ".books (id, title) VALUES (2, 'two')"));
      assertTrue(refused.getMessage().contains("read-only key"), refused.getMessage());
    }
    assertEquals(1, session.execute("SELECT * FROM " + ks + ".books").all().size());
  }

  private static String newKeyspace() {
    String ks = "emu_" + KEYSPACES.incrementAndGet();
    session.execute("CREATE KEYSPACE " + ks + " WITH cosmosdb_provisioned_throughput=400");
    return ks;
  }

  private static int defaultTtl(String ks, String table) {
    return session
        .execute(
            "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND"
                + " table_name = ?",
            ks,
            table)
        .one()
        .getInt(0);
  }

  private static double charge(ExecutionInfo info) {
    ByteBuffer payload = info.getIncomingPayload().get("RequestCharge");
    assertTrue(payload != null, "no RequestCharge payload");
    return payload.duplicate().getDouble();
  }

  private static CqlSession connect(String key) {
    return emulator.sessionBuilder(key).build();
  }
}

package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.DefaultWriteType;
import com.datastax.oss.driver.api.core.servererrors.WriteFailureException;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cosmos's write failures: a write to a row (its primary key) another write is updating gets 449,
 * as does one to a partition another write is writing as a whole; a row over 2 MB gets 413, and
 * injected codes answer the writes asked for; each is a CQL WRITE_FAILURE, is not executed, and is
 * counted.
 */
@CassandraTest
class WriteFailuresTest {

  private static CosmosEmulator emulator;
  private static CqlSession session;

  @BeforeAll
  static void startEmulator(CassandraServer cassandra) {
    emulator = CosmosEmulator.builder(cassandra).build().start();
    session = emulator.sessionBuilder(emulator.key()).build();
  }

  @AfterAll
  static void stopEmulator() {
    session.close();
    emulator.close();
  }

  @AfterEach
  void clear() {
    emulator.clearFaults();
    emulator.concurrentWriteConflicts(true);
  }

  @Test
  void aSecondWriteToARowWhileTheFirstIsInFlightGets449AndIsNotExecuted(TestKeyspace direct) {
    String table = createTable(direct, "overlap", "value int");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, value) VALUES (?, ?)");
    // The first write is held in the emulator for 500 ms: the second, on the same connection,
    // arrives while it is in flight.
    emulator.injectLatency(Duration.ofMillis(500));
    CompletableFuture<AsyncResultSet> first =
        session.executeAsync(insert.bind(1, 10)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> second =
        session
            .executeAsync(
                insert.bind(1, 20).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))
            .toCompletableFuture();
    CompletableFuture<AsyncResultSet> otherRow =
        session.executeAsync(insert.bind(2, 30)).toCompletableFuture();

    first.join();
    otherRow.join();
    WriteFailureException failure =
        assertInstanceOf(
            WriteFailureException.class,
            assertThrows(CompletionException.class, second::join).getCause());
    // The request's own consistency, as Cassandra reports it.
    assertEquals(DefaultConsistencyLevel.LOCAL_QUORUM, failure.getConsistencyLevel());
    assertEquals(DefaultWriteType.SIMPLE, failure.getWriteType());
    assertEquals(1, failure.getBlockFor());
    assertEquals(0, failure.getReceived());
    assertEquals(1, failure.getNumFailures());

    assertEquals(10, valueOf(direct, table, 1), "the refused write did not run");
    assertEquals(30, valueOf(direct, table, 2));
    TableStatistics statistics = emulator.statistics(table).get();
    assertEquals(1, statistics.writeFailures(449));
    assertEquals(2, statistics.requests(), "the refused write was not executed or charged");

    // Once the first write has answered, the row is free again.
    emulator.clearFaults();
    session.execute(insert.bind(1, 40));
    assertEquals(40, valueOf(direct, table, 1));
  }

  @Test
  void overlappingWritesToDifferentRowsOfOnePartitionBothLand(TestKeyspace direct) {
    String table = createClusteredTable(direct, "rows");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, seq, value) VALUES (?, ?, ?)");
    PreparedStatement update =
        session.prepare("UPDATE " + table + " SET value = ? WHERE id = ? AND seq = ?");
    emulator.injectLatency(Duration.ofMillis(500));
    CompletableFuture<AsyncResultSet> first =
        session.executeAsync(insert.bind(1, 1, 10)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> second =
        session.executeAsync(insert.bind(1, 2, 20)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> third =
        session.executeAsync(update.bind(30, 1, 3)).toCompletableFuture();
    first.join();
    second.join();
    third.join();

    assertEquals(10, valueOf(direct, table, 1, 1));
    assertEquals(20, valueOf(direct, table, 1, 2));
    assertEquals(30, valueOf(direct, table, 1, 3));
    assertEquals(0, emulator.statistics(table).get().writeFailures(449));
    assertEquals(3, emulator.statistics(table).get().requests());
  }

  @Test
  void overlappingWritesToOnePrimaryKeyOfAClusteredTableGet449(TestKeyspace direct) {
    String table = createClusteredTable(direct, "samerow");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, seq, value) VALUES (?, ?, ?)");
    PreparedStatement update =
        session.prepare("UPDATE " + table + " SET value = ? WHERE id = ? AND seq = ?");
    emulator.injectLatency(Duration.ofMillis(500));
    CompletableFuture<AsyncResultSet> first =
        session.executeAsync(insert.bind(1, 1, 10)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> second =
        session.executeAsync(update.bind(20, 1, 1)).toCompletableFuture();
    first.join();
    assertInstanceOf(
        WriteFailureException.class,
        assertThrows(CompletionException.class, second::join).getCause());

    assertEquals(10, valueOf(direct, table, 1, 1), "the refused write did not run");
    assertEquals(1, emulator.statistics(table).get().writeFailures(449));
  }

  @Test
  void aPartitionDeleteAndAWriteToOneOfItsRowsConflictEitherWayRound(TestKeyspace direct) {
    String table = createClusteredTable(direct, "wholepartition");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, seq, value) VALUES (?, ?, ?)");
    PreparedStatement deletePartition = session.prepare("DELETE FROM " + table + " WHERE id = ?");
    session.execute(insert.bind(1, 1, 10));
    emulator.resetStatistics();
    emulator.injectLatency(Duration.ofMillis(500));

    // A row write in flight: the partition's delete is refused.
    CompletableFuture<AsyncResultSet> write =
        session.executeAsync(insert.bind(1, 2, 20)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> delete =
        session.executeAsync(deletePartition.bind(1)).toCompletableFuture();
    write.join();
    assertInstanceOf(
        WriteFailureException.class,
        assertThrows(CompletionException.class, delete::join).getCause());
    assertEquals(20, valueOf(direct, table, 1, 2), "the refused delete did not run");

    // The partition's delete in flight: a row write is refused, a write to another partition not.
    delete = session.executeAsync(deletePartition.bind(1)).toCompletableFuture();
    write = session.executeAsync(insert.bind(1, 3, 30)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> otherPartition =
        session.executeAsync(insert.bind(2, 3, 30)).toCompletableFuture();
    delete.join();
    otherPartition.join();
    assertInstanceOf(
        WriteFailureException.class,
        assertThrows(CompletionException.class, write::join).getCause());
    assertNull(
        direct.session().execute("SELECT id FROM " + table + " WHERE id = 1").one(),
        "the delete ran, the refused write did not");
    assertEquals(30, valueOf(direct, table, 2, 3));
    assertEquals(2, emulator.statistics(table).get().writeFailures(449));
  }

  @Test
  void aRangeDeleteLocksItsWholePartition(TestKeyspace direct) {
    String table = createClusteredTable(direct, "range");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, seq, value) VALUES (?, ?, ?)");
    PreparedStatement deleteRange =
        session.prepare("DELETE FROM " + table + " WHERE id = ? AND seq > ?");
    emulator.injectLatency(Duration.ofMillis(500));
    CompletableFuture<AsyncResultSet> delete =
        session.executeAsync(deleteRange.bind(1, 5)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> write =
        session.executeAsync(insert.bind(1, 1, 10)).toCompletableFuture();
    delete.join();
    assertInstanceOf(
        WriteFailureException.class,
        assertThrows(CompletionException.class, write::join).getCause());
    assertEquals(1, emulator.statistics(table).get().writeFailures(449));
  }

  @Test
  void eachStatementOfABatchLocksItsOwnRow(TestKeyspace direct) {
    String table = createClusteredTable(direct, "batched");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, seq, value) VALUES (?, ?, ?)");
    emulator.injectLatency(Duration.ofMillis(500));
    CompletableFuture<AsyncResultSet> batch =
        session
            .executeAsync(
                BatchStatement.newInstance(
                    DefaultBatchType.UNLOGGED,
                    insert.bind(1, 1, 10),
                    insert.bind(1, 2, 20),
                    insert.bind(1, 2, 21)))
            .toCompletableFuture();
    CompletableFuture<AsyncResultSet> sameRow =
        session.executeAsync(insert.bind(1, 2, 99)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> otherRow =
        session.executeAsync(insert.bind(1, 3, 30)).toCompletableFuture();
    batch.join();
    otherRow.join();
    assertInstanceOf(
        WriteFailureException.class,
        assertThrows(CompletionException.class, sameRow::join).getCause());

    assertEquals(10, valueOf(direct, table, 1, 1));
    assertEquals(30, valueOf(direct, table, 1, 3));
    assertEquals(1, emulator.statistics(table).get().writeFailures(449));
  }

  @Test
  void withConflictsTurnedOffOverlappingWritesBothRun(TestKeyspace direct) {
    String table = createTable(direct, "lenient", "value int");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, value) VALUES (?, ?)");
    emulator.concurrentWriteConflicts(false);
    emulator.injectLatency(Duration.ofMillis(300));
    CompletableFuture<AsyncResultSet> first =
        session.executeAsync(insert.bind(1, 10)).toCompletableFuture();
    CompletableFuture<AsyncResultSet> second =
        session.executeAsync(insert.bind(1, 20)).toCompletableFuture();
    first.join();
    second.join();
    assertEquals(0, emulator.statistics(table).get().writeFailures(449));
    assertEquals(2, emulator.statistics(table).get().requests());
  }

  @Test
  void aRowOverTwoMegabytesGets413AndARowOfExactlyTwoMegabytesLands(TestKeyspace direct) {
    String table = createTable(direct, "large", "payload blob");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");
    int limit = 2 * 1024 * 1024;

    // The row's values: 4 bytes of key and the payload.
    session.execute(insert.bind(1, ByteBuffer.allocate(limit - 4)));
    WriteFailureException failure =
        assertThrows(
            WriteFailureException.class,
            () -> session.execute(insert.bind(2, ByteBuffer.allocate(limit - 3))));
    assertEquals(1, failure.getNumFailures());

    assertEquals(limit - 4, payloadBytes(direct, table, 1));
    assertNull(direct.session().execute("SELECT id FROM " + table + " WHERE id = 2").one());
    TableStatistics statistics = emulator.statistics(table).get();
    assertEquals(1, statistics.writeFailures(413));
    assertEquals(1, statistics.requests());
  }

  @Test
  void injectedWriteFailuresAnswerTheNextWritesToTheTableOnly(TestKeyspace direct) {
    String table = createTable(direct, "injected", "value int");
    String other = createTable(direct, "untouched", "value int");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, value) VALUES (?, ?)");
    PreparedStatement insertOther =
        session.prepare("INSERT INTO " + other + " (id, value) VALUES (?, ?)");
    session.execute(insert.bind(0, 0));
    emulator.resetStatistics();

    emulator.failNextWrites(table, 2, Fault.WRITE_FAILURE_412);
    session.execute(insertOther.bind(1, 1));
    session.execute("SELECT value FROM " + table + " WHERE id = 0");
    assertThrows(WriteFailureException.class, () -> session.execute(insert.bind(1, 1)));
    assertThrows(WriteFailureException.class, () -> session.execute(insert.bind(2, 2)));
    session.execute(insert.bind(3, 3));
    emulator.failNextWrites(1, Fault.WRITE_FAILURE_423);
    assertThrows(WriteFailureException.class, () -> session.execute(insertOther.bind(4, 4)));

    assertNull(direct.session().execute("SELECT id FROM " + table + " WHERE id = 1").one());
    assertNull(direct.session().execute("SELECT id FROM " + table + " WHERE id = 2").one());
    assertEquals(3, valueOf(direct, table, 3));
    assertEquals(1, emulator.statistics(table).get().writeFailures().size());
    assertEquals(2, emulator.statistics(table).get().writeFailures(412));
    assertEquals(1, emulator.statistics(other).get().writeFailures(423));
    assertEquals(0, emulator.statistics(other).get().writeFailures(412));
    assertEquals(412, Fault.WRITE_FAILURE_412.cosmosStatus());
    assertFalse(Fault.OVERLOADED.cosmosStatus() != 0);
  }

  private static String createTable(TestKeyspace direct, String name, String columns) {
    String table = direct.name() + "." + name;
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, "
            + columns
            + ") WITH cosmosdb_provisioned_throughput=10000");
    return table;
  }

  private static String createClusteredTable(TestKeyspace direct, String name) {
    String table = direct.name() + "." + name;
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int, seq int, value int, PRIMARY KEY (id, seq))"
            + " WITH cosmosdb_provisioned_throughput=10000");
    return table;
  }

  private static int valueOf(TestKeyspace direct, String table, int id, int row) {
    Row found =
        direct
            .session()
            .execute("SELECT value FROM " + table + " WHERE id = " + id + " AND seq = " + row)
            .one();
    return found.getInt(0);
  }

  private static int valueOf(TestKeyspace direct, String table, int id) {
    Row row = direct.session().execute("SELECT value FROM " + table + " WHERE id = " + id).one();
    return row.getInt(0);
  }

  private static int payloadBytes(TestKeyspace direct, String table, int id) {
    Row row = direct.session().execute("SELECT payload FROM " + table + " WHERE id = " + id).one();
    return row.getByteBuffer(0).remaining();
  }
}

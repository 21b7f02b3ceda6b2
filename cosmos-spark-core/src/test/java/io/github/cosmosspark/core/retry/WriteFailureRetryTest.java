package io.github.cosmosspark.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.WriteFailureException;
import io.github.cosmosspark.core.errors.CosmosDataException;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.Fault;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cosmos's write failures through the connector's session: 449s are resent after a scheduled wait
 * until the write lands; a row over 2 MB (413) fails at once naming the table, the key and the
 * size; a write that cannot run twice safely is not resent and says why.
 */
@CosmosEmulatorTest
class WriteFailureRetryTest {
  private static final String KEYSPACE = "retry_write_failures";

  private final CosmosEmulator emulator;

  WriteFailureRetryTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  // The keyspace shares its throughput, so the emulator counts its tables' requests under it.
  @BeforeAll
  static void createTables(CosmosEmulator emulator) {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS "
              + KEYSPACE
              + " WITH cosmosdb_provisioned_throughput=100000");
      for (String table : new String[] {"conflicts", "large"}) {
        session.execute(
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + "."
                + table
                + " (id int PRIMARY KEY, payload blob)");
      }
      session.execute(
          "CREATE TABLE IF NOT EXISTS " + KEYSPACE + ".counts (id int PRIMARY KEY, n counter)");
    }
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
  }

  @Test
  void aWriteAnswered449IsResentAfterAWaitUntilItLands() {
    String table = KEYSPACE + ".conflicts";
    try (CqlSession session = EmulatorConnectors.connector(emulator).openSession()) {
      PreparedStatement insert =
          session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");
      RetryStatistics.Snapshot before = CosmosRuntime.get().retryStatistics().of(table);
      emulator.failNextWrites(table, 3, Fault.WRITE_FAILURE_449);

      session.execute(insert.bind(7, ByteBuffer.wrap(new byte[] {1, 2, 3})).setIdempotent(true));

      RetryStatistics.Snapshot during =
          CosmosRuntime.get().retryStatistics().of(table).minus(before);
      assertEquals(3, during.writeFailures());
      assertEquals(3, during.retries());
      assertEquals(0, during.exhausted());
      // Backoff from 50–100 ms, doubling: 50–100, 100–200, 200–400.
      assertTrue(
          during.backoffMillis() >= 350 && during.backoffMillis() <= 700,
          "waited " + during.backoffMillis());
      Row row = session.execute("SELECT payload FROM " + table + " WHERE id = 7").one();
      assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), row.getByteBuffer(0));
      assertEquals(3, emulator.statistics(KEYSPACE).get().writeFailures(449));
    }
  }

  @Test
  void aRowOverTwoMegabytesFailsAtOnceNamingTheTableTheKeyAndTheSize() {
    String table = KEYSPACE + ".large";
    try (CqlSession session = EmulatorConnectors.connector(emulator).openSession()) {
      PreparedStatement insert =
          session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");
      RetryStatistics.Snapshot before = CosmosRuntime.get().retryStatistics().of(table);
      int payloadBytes = 2 * 1024 * 1024;

      CompletionException failure =
          assertThrows(
              CompletionException.class,
              () ->
                  session
                      .executeAsync(
                          insert.bind(42, ByteBuffer.allocate(payloadBytes)).setIdempotent(true))
                      .toCompletableFuture()
                      .join());

      CosmosDataException tooLarge = (CosmosDataException) failure.getCause();
      String message = tooLarge.getMessage();
      assertTrue(
          message.startsWith(
              "Cosmos DB refused a write to "
                  + table
                  + ": the row with key id=42 is 2,097,156 bytes, over Cosmos's limit of"
                  + " 2,097,152 bytes (2 MB) per row (a write failure: 413, request entity too"
                  + " large). The row was not written, and sending it again cannot help."),
          message);
      assertTrue(message.contains("Azure Blob Storage"), message);
      assertTrue(tooLarge.getCause() instanceof WriteFailureException);
      RetryStatistics.Snapshot during =
          CosmosRuntime.get().retryStatistics().of(table).minus(before);
      assertEquals(1, during.writeFailures());
      assertEquals(0, during.retries());
      assertEquals(1, during.exhausted());
      assertEquals(1, emulator.statistics(KEYSPACE).get().writeFailures(413));
      assertNull(session.execute("SELECT id FROM " + table + " WHERE id = 42").one());
    }
  }

  @Test
  void aCounterUpdateAnsweredWithAWriteFailureIsNotResentAndSaysWhy() {
    String table = KEYSPACE + ".counts";
    try (CqlSession session = EmulatorConnectors.connector(emulator).openSession()) {
      PreparedStatement add = session.prepare("UPDATE " + table + " SET n = n + 1 WHERE id = ?");
      RetryStatistics.Snapshot before = CosmosRuntime.get().retryStatistics().of(table);
      emulator.failNextWrites(table, 1, Fault.WRITE_FAILURE_423);

      CompletionException failure =
          assertThrows(
              CompletionException.class,
              () ->
                  session
                      .executeAsync(add.bind(5).setIdempotent(false))
                      .toCompletableFuture()
                      .join());

      String message = failure.getCause().getMessage();
      assertTrue(
          message.startsWith(
              "Cosmos DB answered a write to "
                  + table
                  + " (key id=5, 4 bytes) with a write failure and did not resend it: the write"
                  + " may not run twice (a counter update, a list append or prepend, or a lightweight"
                  + " transaction such as IF NOT EXISTS)"),
          message);
      assertTrue(message.contains("another write to the same row is in flight (449)"), message);
      assertTrue(message.contains("dropDuplicates on the primary key columns"), message);
      RetryStatistics.Snapshot during =
          CosmosRuntime.get().retryStatistics().of(table).minus(before);
      assertEquals(1, during.writeFailures());
      assertEquals(0, during.retries());
      assertNull(session.execute("SELECT n FROM " + table + " WHERE id = 5").one());
    }
  }
}

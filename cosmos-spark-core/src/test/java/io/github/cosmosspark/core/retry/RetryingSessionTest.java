package io.github.cosmosspark.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.cql.SessionProxy;
import io.github.cosmosspark.core.config.RetrySettings;
import io.github.cosmosspark.core.errors.CosmosEndpointException;
import io.github.cosmosspark.core.errors.CosmosRateLimitException;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.session.RetryingSession;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.Fault;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The session SCC gets from our factory, against the emulator, one request path at a time. Faults
 * are injected so that each test knows exactly how many 429s and timeouts its requests met.
 */
@CosmosEmulatorTest
class RetryingSessionTest {
  private static final String KEYSPACE = "retry_session";

  private final CosmosEmulator emulator;

  RetryingSessionTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS "
              + KEYSPACE
              + " WITH cosmosdb_provisioned_throughput=100000");
    }
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
  }

  @Test
  void theConnectorsSessionIsTheRetryingOneWithTheConfiguredLimits() {
    CassandraConnector connector =
        EmulatorConnectors.connector(
            emulator,
            "spark.cosmos.cassandra.retry.maxAttempts",
            "7",
            "spark.cosmos.cassandra.retry.maxTimeMs",
            "1234",
            "spark.cosmos.cassandra.retry.timeoutRetries",
            "2");
    try (CqlSession session = connector.openSession()) {
      CqlSession behindSccsProxy = ((SessionProxy) Proxy.getInvocationHandler(session)).session();

      assertInstanceOf(RetryingSession.class, behindSccsProxy);
      assertEquals(new RetrySettings(7, 1234, 2), ((RetryingSession) behindSccsProxy).settings());
    }
  }

  @Test
  void resendsARateLimitedNonIdempotentWriteAfterTheWaitCosmosNames() {
    String table = createTable("writes");
    try (CqlSession session = EmulatorConnectors.connector(emulator).openSession()) {
      RetryStatistics.Snapshot before =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + table);
      emulator.failNext(3, Fault.OVERLOADED);
      long start = System.nanoTime();

      session.execute(
          SimpleStatement.newInstance(
                  "INSERT INTO " + KEYSPACE + "." + table + " (id, value) VALUES (1, 'one')")
              .setIdempotent(false));

      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      RetryStatistics.Snapshot during =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + table).minus(before);
      assertEquals(3, during.rateLimited());
      assertEquals(3, during.retries());
      // The injected 429s say RetryAfterMs=100; each wait adds up to 25 ms of jitter.
      assertTrue(
          during.backoffMillis() >= 300 && during.backoffMillis() <= 375,
          "waited " + during.backoffMillis());
      assertTrue(elapsedMillis >= 300, "the request came back after " + elapsedMillis + " ms");
      assertEquals("one", valueOf(session, table, 1));
    }
  }

  @Test
  void resendsEveryLaterPageThatIsRateLimited() throws Exception {
    String table = createTable("pages");
    try (CqlSession session = EmulatorConnectors.connector(emulator).openSession()) {
      insertRows(session, table, 1_000);
      RetryStatistics.Snapshot before =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + table);
      SimpleStatement scan =
          SimpleStatement.newInstance("SELECT id, value FROM " + KEYSPACE + "." + table)
              .setPageSize(100);

      // As SCC's scans page: executeAsync, then fetchNextPage() on each page.
      AsyncResultSet page = session.executeAsync(scan).toCompletableFuture().get();
      List<Integer> ids = new ArrayList<>();
      page.currentPage().forEach(row -> ids.add(row.getInt("id")));
      emulator.failNext(4, Fault.OVERLOADED);
      while (page.hasMorePages()) {
        page = page.fetchNextPage().toCompletableFuture().get();
        for (Row row : page.currentPage()) {
          ids.add(row.getInt("id"));
          assertEquals("value-" + row.getInt("id"), row.getString("value"));
        }
      }

      assertEquals(1_000, ids.size());
      assertEquals(1_000, ids.stream().distinct().count());
      assertEquals(
          4,
          CosmosRuntime.get()
              .retryStatistics()
              .of(KEYSPACE + "." + table)
              .minus(before)
              .rateLimited());
    }
  }

  @Test
  void withoutTheRetryingSessionTheSameLaterPageFails() throws Exception {
    String table = createTable("pages_plain");
    try (CqlSession session = emulator.newSession()) {
      insertRows(session, table, 300);
      AsyncResultSet page =
          session
              .executeAsync(
                  SimpleStatement.newInstance("SELECT id FROM " + KEYSPACE + "." + table)
                      .setPageSize(100))
              .toCompletableFuture()
              .get();
      emulator.failNext(1, Fault.OVERLOADED);

      CompletionException failure =
          assertThrows(
              CompletionException.class, () -> page.fetchNextPage().toCompletableFuture().join());

      assertInstanceOf(OverloadedException.class, failure.getCause());
    }
  }

  @Test
  void resendsARateLimitedSchemaChange() {
    try (CqlSession session = EmulatorConnectors.connector(emulator).openSession()) {
      emulator.failNext(2, Fault.OVERLOADED);

      session.execute(
          "CREATE TABLE "
              + KEYSPACE
              + ".ddl (id int PRIMARY KEY, value text) WITH cosmosdb_provisioned_throughput=700");

      assertEquals(700, emulator.throughput(KEYSPACE + ".ddl").get().ruPerSecond());
      assertEquals(2, CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".ddl").rateLimited());
      session.execute("INSERT INTO " + KEYSPACE + ".ddl (id, value) VALUES (5, 'five')");
      assertEquals("five", valueOf(session, "ddl", 5));
    }
  }

  @Test
  void givesUpAfterMaxAttemptsNamingTheTableItsThroughputAndWhatToDo() {
    CassandraConnector connector =
        EmulatorConnectors.connector(emulator, "spark.cosmos.cassandra.retry.maxAttempts", "3");
    try (CqlSession session = connector.openSession()) {
      session.execute(
          "CREATE TABLE "
              + KEYSPACE
              + ".exhausted (id int PRIMARY KEY, value text)"
              + " WITH cosmosdb_provisioned_throughput=400");
      RetryStatistics.Snapshot before =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".exhausted");
      emulator.failNext(5, Fault.OVERLOADED);

      CosmosRateLimitException failure =
          assertThrows(
              CosmosRateLimitException.class,
              () ->
                  session.execute(
                      "INSERT INTO " + KEYSPACE + ".exhausted (id, value) VALUES (1, 'one')"));
      emulator.clearFaults();

      String message = failure.getMessage();
      assertTrue(message.contains(KEYSPACE + ".exhausted 3 times"), message);
      assertTrue(message.contains("provisioned with 400 RU/s"), message);
      assertTrue(message.contains("retry.maxAttempts=3"), message);
      assertTrue(message.contains("Raise the table's throughput"), message);
      assertInstanceOf(OverloadedException.class, failure.getCause());
      assertEquals(KEYSPACE + ".exhausted", failure.table());
      assertEquals(3, failure.rateLimited());
      RetryStatistics.Snapshot during =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".exhausted").minus(before);
      assertEquals(1, during.exhausted());
      assertEquals(2, during.retries());
      assertNull(valueOf(session, "exhausted", 1));
    }
  }

  @Test
  void doesNotResendANonIdempotentWriteAfterATimeout() {
    String table = createTable("timeouts_once");
    try (CqlSession session = EmulatorConnectors.connector(emulator).openSession()) {
      RetryStatistics.Snapshot before =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + table);
      emulator.failNext(1, Fault.WRITE_TIMEOUT);

      CosmosEndpointException failure =
          assertThrows(
              CosmosEndpointException.class,
              () ->
                  session.execute(
                      SimpleStatement.newInstance(
                              "INSERT INTO "
                                  + KEYSPACE
                                  + "."
                                  + table
                                  + " (id, value) VALUES (1, 'a')")
                          .setIdempotent(false)));
      assertInstanceOf(WriteTimeoutException.class, failure.getCause());
      assertTrue(
          failure.getMessage().contains("timed out on the server and was not resent"),
          failure.getMessage());

      // Had it been resent, the second send (no fault left) would have written the row.
      assertNull(valueOf(session, table, 1));
      assertEquals(
          0,
          CosmosRuntime.get()
              .retryStatistics()
              .of(KEYSPACE + "." + table)
              .minus(before)
              .immediateRetries());
    }
  }

  @Test
  void resendsAnIdempotentWriteAfterATimeoutAtOnce() {
    String table = createTable("timeouts_again");
    try (CqlSession session = EmulatorConnectors.connector(emulator).openSession()) {
      RetryStatistics.Snapshot before =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + table);
      emulator.failNext(2, Fault.WRITE_TIMEOUT);

      session.execute(
          SimpleStatement.newInstance(
                  "INSERT INTO " + KEYSPACE + "." + table + " (id, value) VALUES (1, 'a')")
              .setIdempotent(true));

      assertEquals("a", valueOf(session, table, 1));
      RetryStatistics.Snapshot during =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + table).minus(before);
      assertEquals(2, during.immediateRetries());
      assertEquals(0, during.rateLimited());
    }
  }

  @Test
  void stopsResendingAfterTimeoutRetries() {
    String table = createTable("timeouts_limit");
    CassandraConnector connector =
        EmulatorConnectors.connector(emulator, "spark.cosmos.cassandra.retry.timeoutRetries", "1");
    try (CqlSession session = connector.openSession()) {
      emulator.failNext(2, Fault.WRITE_TIMEOUT);

      CosmosEndpointException failure =
          assertThrows(
              CosmosEndpointException.class,
              () ->
                  session.execute(
                      SimpleStatement.newInstance(
                              "INSERT INTO "
                                  + KEYSPACE
                                  + "."
                                  + table
                                  + " (id, value) VALUES (1, 'a')")
                          .setIdempotent(true)));
      // Sent once and resent once (retry.timeoutRetries=1): the message counts both sends.
      assertTrue(
          failure
              .getMessage()
              .contains(
                  KEYSPACE
                      + "."
                      + table
                      + " timed out on the server twice (spark.cosmos.cassandra.retry.timeoutRetries=1)"),
          failure.getMessage());
      assertTrue(failure.getMessage().contains("server-side retry"), failure.getMessage());
      assertInstanceOf(WriteTimeoutException.class, failure.getCause());
      assertEquals(KEYSPACE + "." + table, failure.table());

      assertNull(valueOf(session, table, 1));
    }
  }

  private String createTable(String name) {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE IF NOT EXISTS "
              + KEYSPACE
              + "."
              + name
              + " (id int PRIMARY KEY, value text)");
    }
    return name;
  }

  private static void insertRows(CqlSession session, String table, int count) {
    PreparedStatement insert =
        session.prepare("INSERT INTO " + KEYSPACE + "." + table + " (id, value) VALUES (?, ?)");
    for (int id = 0; id < count; id++) {
      session.execute(insert.bind(id, "value-" + id));
    }
  }

  private static String valueOf(CqlSession session, String table, int id) {
    Row row =
        session.execute("SELECT value FROM " + KEYSPACE + "." + table + " WHERE id = " + id).one();
    assertFalse(row != null && row.isNull("value"), "a row without a value");
    return row == null ? null : row.getString("value");
  }
}

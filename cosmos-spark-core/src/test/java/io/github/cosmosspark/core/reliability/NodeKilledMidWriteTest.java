package io.github.cosmosspark.core.reliability;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.errors.CosmosEndpointException;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Cassandra behind the emulator is killed with SIGKILL during a write and started again: the
 * write either completes with every row exact, or fails naming what happened with only whole rows
 * of the source landed, and running it again completes it.
 *
 * <p>A Cassandra and emulator of its own, so that killing it disturbs no other test.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@Tag("scenario") // two minutes on a Cassandra of its own; SchemaRefreshOutageTest covers its rerun
class NodeKilledMidWriteTest {
  private static final String KEYSPACE = "reliability_killed";
  private static final String TABLE = "books";
  private static final int ROWS = 20_000;
  private static final long KILL_AFTER_REQUESTS = 4_000;
  private static final long GIVE_UP_AFTER_MILLIS = 1_500;

  /** Fewer rows for the write that gives up: it only has to be cut short, then rerun whole. */
  private static final int GIVE_UP_ROWS = 6_000;

  private static CassandraServer server;
  private static CosmosEmulator emulator;

  @BeforeAll
  static void start() {
    // Cosmos replicates a write before acknowledging it. A lone Cassandra in its default periodic
    // commit-log mode acknowledges first and, killed, loses what it wrote since the last sync
    // marker: 26 acknowledged rows in one run here. Batch mode syncs before it acknowledges.
    server =
        CassandraServer.builder()
            .yaml("commitlog_sync", "batch")
            .yaml("commitlog_sync_period", "0ms")
            .build()
            .start();
    emulator = CosmosEmulator.builder(server).build().start();
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, TABLE, 1_000_000);
  }

  @AfterAll
  static void stop() {
    if (emulator != null) {
      emulator.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aWriteDuringWhichCassandraIsKilledAndRestartedLandsEveryRowOrFailsClearlyAndReruns()
      throws Exception {
    SparkSession spark = LocalSpark.session();
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, TABLE);
    Dataset<org.apache.spark.sql.Row> books = EmulatorBooks.books(spark, 0, ROWS);
    String table = KEYSPACE + "." + TABLE;
    RetryStatistics.Snapshot before = CosmosRuntime.get().retryStatistics().of(table);

    long startNanos = System.nanoTime();
    Outage outage = killAndRestartAfter(table, KILL_AFTER_REQUESTS, startNanos);

    Throwable failure = null;
    try {
      books.write().format("cosmoscassandra").options(options).mode("append").save();
    } catch (Exception e) {
      failure = e;
    }
    long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    long killedAt = outage.killedAfterRequests.get(5, TimeUnit.MINUTES);
    long restartedAt = outage.restartedAtMillis.get(5, TimeUnit.MINUTES);
    outage.watcher.shutdownNow();
    RetryStatistics.Snapshot during = CosmosRuntime.get().retryStatistics().of(table).minus(before);
    long requests = emulator.statistics(table).get().requests();
    System.out.printf(
        "node killed mid-write: killed after %,d of %,d requests, Cassandra back at %,d ms, write"
            + " %s after %,d ms; retries: %s%n",
        killedAt,
        requests,
        restartedAt,
        failure == null ? "succeeded" : "failed (" + failure + ")",
        writeMillis,
        during);
    assertTrue(killedAt < ROWS, "killed mid-write, after " + killedAt + " requests");

    Map<Integer, org.apache.spark.sql.Row> landed = landedRows(TABLE);
    assertEverySourceRowExact(landed, ROWS);
    if (failure == null) {
      assertEquals(
          ROWS, landed.size(), "rows missing after a successful write: " + missing(landed, ROWS));
      assertTrue(
          during.connectionsLost() + during.endpointDown() > 0,
          "the outage was bridged by resends: " + during);
    } else {
      // The only failure the retries let through is their limit running out, named so.
      endpointFailure(failure, table);
      System.out.printf("landed before the failure: %,d of %,d rows%n", landed.size(), ROWS);
      books.write().format("cosmoscassandra").options(options).mode("append").save();
      assertEquals(ROWS, landedRows(TABLE).size());
    }
    assertSameRowsByKey(
        books, spark.read().format("cosmoscassandra").options(options).load(), "id");
  }

  /**
   * The other outcome, made certain: the retries may wait for a working endpoint no longer than
   * {@value #GIVE_UP_AFTER_MILLIS} ms, less than Cassandra takes to restart. The job fails naming
   * the table and the limit, what landed is whole rows of the source, and running the same write
   * again with the default limits completes it.
   */
  @Test
  void aWriteThatCannotOutlastTheOutageFailsNamingTheTableAndItsRerunCompletesIt()
      throws Exception {
    SparkSession spark = LocalSpark.session();
    String tableName = "books_gave_up";
    EmulatorBooks.createTable(emulator, KEYSPACE, tableName, 1_000_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, tableName);
    Dataset<org.apache.spark.sql.Row> books = EmulatorBooks.books(spark, 0, GIVE_UP_ROWS);
    String table = KEYSPACE + "." + tableName;
    long startNanos = System.nanoTime();
    Outage outage = killAndRestartAfter(table, GIVE_UP_ROWS / 5, startNanos);

    Exception failure =
        assertThrows(
            Exception.class,
            () ->
                books
                    .write()
                    .format("cosmoscassandra")
                    .options(options)
                    .option("retry.maxTimeMs", Long.toString(GIVE_UP_AFTER_MILLIS))
                    .mode("append")
                    .save());
    long failedAtMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    long killedAt = outage.killedAfterRequests.get(5, TimeUnit.MINUTES);
    long restartedAt = outage.restartedAtMillis.get(5, TimeUnit.MINUTES);
    outage.watcher.shutdownNow();

    String message = endpointFailure(failure, table);
    assertTrue(
        message.contains("spark.cosmos.cassandra.retry.maxTimeMs=" + GIVE_UP_AFTER_MILLIS)
            && message.contains("raise retry.maxTimeMs to ride out a longer outage"),
        message);
    Map<Integer, org.apache.spark.sql.Row> landed = landedRows(tableName);
    assertEverySourceRowExact(landed, GIVE_UP_ROWS);
    assertTrue(landed.size() < GIVE_UP_ROWS, "the write failed, yet every row landed");
    System.out.printf(
        "node killed, retries limited to %,d ms: killed after %,d requests, write failed at %,d"
            + " ms, Cassandra back at %,d ms; %,d of %,d rows landed, all exact; message: %s%n",
        GIVE_UP_AFTER_MILLIS,
        killedAt,
        failedAtMillis,
        restartedAt,
        landed.size(),
        GIVE_UP_ROWS,
        message.substring(message.indexOf("CosmosEndpointException")));

    books.write().format("cosmoscassandra").options(options).mode("append").save();
    Map<Integer, org.apache.spark.sql.Row> rerun = landedRows(tableName);
    assertEquals(
        GIVE_UP_ROWS,
        rerun.size(),
        "rows missing after the rerun: " + missing(rerun, GIVE_UP_ROWS));
    assertEverySourceRowExact(rerun, GIVE_UP_ROWS);
  }

  /** What the watcher did: after how many requests it killed Cassandra, when it was back. */
  private static final class Outage {
    final CompletableFuture<Long> killedAfterRequests = new CompletableFuture<>();
    final CompletableFuture<Long> restartedAtMillis = new CompletableFuture<>();
    final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
  }

  /**
   * Watches the emulator's request count for {@code table} and, once it reaches {@code requests},
   * kills Cassandra with SIGKILL and starts it again on the same data.
   */
  private static Outage killAndRestartAfter(String table, long requests, long startNanos) {
    Outage outage = new Outage();
    outage.watcher.scheduleWithFixedDelay(
        () -> {
          if (outage.killedAfterRequests.isDone()) {
            return;
          }
          long seen =
              emulator.statistics(table).map(statistics -> statistics.requests()).orElse(0L);
          if (seen >= requests) {
            server.kill();
            outage.killedAfterRequests.complete(seen);
            try {
              server.start();
              outage.restartedAtMillis.complete(
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            } catch (RuntimeException e) {
              outage.restartedAtMillis.completeExceptionally(e);
            }
          }
        },
        0,
        2,
        TimeUnit.MILLISECONDS);
    return outage;
  }

  /** Every landed row is a row of the source, with the source's values: none half-written. */
  private static void assertEverySourceRowExact(
      Map<Integer, org.apache.spark.sql.Row> landed, int rows) {
    for (Map.Entry<Integer, org.apache.spark.sql.Row> row : landed.entrySet()) {
      int id = row.getKey();
      assertTrue(id >= 0 && id < rows, "a row that is not in the source: " + id);
      assertEquals("title-" + id, row.getValue().getString(1), "title of " + id);
      assertEquals(id % 700, row.getValue().getInt(2), "pages of " + id);
    }
  }

  /**
   * The failure's messages, checked to carry the retries' own error for {@code table}. SCC's writer
   * reports a failed write's last error in its message, not as a cause, so the text is what the
   * user gets.
   */
  private static String endpointFailure(Throwable failure, String table) {
    StringBuilder messages = new StringBuilder();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      messages.append(cause).append('\n');
    }
    String all = messages.toString();
    assertTrue(
        all.contains(CosmosEndpointException.class.getName() + ": A request to " + table + " "),
        "the failure is the retries' own, naming the table: " + all);
    return all;
  }

  /** Every row of the table by id, read with a plain session through the emulator. */
  private static Map<Integer, org.apache.spark.sql.Row> landedRows(String tableName) {
    Map<Integer, org.apache.spark.sql.Row> rows = new HashMap<>();
    try (CqlSession session = emulator.newSession()) {
      for (Row row :
          session.execute("SELECT id, title, pages FROM " + KEYSPACE + "." + tableName)) {
        rows.put(
            row.getInt("id"),
            org.apache.spark.sql.RowFactory.create(
                row.getInt("id"), row.getString("title"), row.getInt("pages")));
      }
    }
    return rows;
  }

  private static String missing(Map<Integer, org.apache.spark.sql.Row> landed, int rows) {
    java.util.List<Integer> missing = new java.util.ArrayList<>();
    for (int id = 0; id < rows; id++) {
      if (!landed.containsKey(id)) {
        missing.add(id);
      }
    }
    return missing.size() + " " + missing.subList(0, Math.min(100, missing.size()));
  }
}

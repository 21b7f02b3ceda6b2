package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.Fault;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The change feed's source when things go wrong: a query killed mid-batch and restarted from its
 * checkpoint, rate-limited and timed-out feed reads, a table dropped and created again under a
 * checkpoint; and each key's versions arriving in order while the table is written, and the SQL
 * form.
 */
@CassandraTest
class ChangeFeedReliabilityTest {
  private static final String KEYSPACE = "change_feed_reliability";

  private static CosmosEmulator emulator;

  private static final Map<Integer, String> SINK = new ConcurrentHashMap<>();
  private static final Map<Integer, List<Integer>> VERSIONS = new ConcurrentHashMap<>();
  private static final AtomicBoolean FAIL_NEXT_BATCH = new AtomicBoolean();

  @BeforeAll
  static void start(CassandraServer cassandra) {
    emulator = CosmosEmulator.builder(cassandra).build().start();
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @Test
  void aQueryKilledMidBatchResumesFromItsCheckpointAndEndsExactByKey() throws Exception {
    SparkSession spark = LocalSpark.session();
    String table = "killed_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    EmulatorBooks.books(spark, 0, 600)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    Path checkpoint = Files.createTempDirectory("change-feed-killed");
    SINK.clear();

    // The sink fails in the second micro-batch, after the source has read it: the query dies
    // with that batch in its offset log but not committed.
    FAIL_NEXT_BATCH.set(false);
    Exception killed =
        assertThrows(Exception.class, () -> run(spark, options, checkpoint, 200, 1L));
    assertTrue(
        String.valueOf(rootCause(killed).getMessage()).contains("killed mid-batch"),
        String.valueOf(killed));
    assertEquals(200, SINK.size(), "only the first batch landed before the kill");

    run(spark, options, checkpoint, 200, -1L);
    assertEquals(600, SINK.size());
    for (int id = 0; id < 600; id++) {
      assertEquals("title-" + id, SINK.get(id), "title of " + id);
    }
  }

  @Test
  void eachKeysVersionsArriveInOrderWhileTheTableIsWritten() throws Exception {
    SparkSession spark = LocalSpark.session();
    String table = "ordered_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    VERSIONS.clear();
    Path checkpoint = Files.createTempDirectory("change-feed-ordered");
    StreamingQuery query =
        spark
            .readStream()
            .format("cosmoscassandra")
            .options(options)
            .option("changeFeed.startFrom", "now")
            .load()
            .writeStream()
            .option("checkpointLocation", checkpoint.toString())
            .trigger(Trigger.ProcessingTime(200, TimeUnit.MILLISECONDS))
            .foreachBatch(
                (VoidFunction2<Dataset<Row>, Long>)
                    (batch, id) -> {
                      for (Row row : batch.collectAsList()) {
                        VERSIONS
                            .computeIfAbsent(
                                row.getInt(row.fieldIndex("id")),
                                key -> Collections.synchronizedList(new ArrayList<>()))
                            .add(row.getInt(row.fieldIndex("pages")));
                      }
                    })
            .start();
    try {
      // The query starts at "now": wait for its first batch before writing.
      while (query.lastProgress() == null) {
        Thread.sleep(50);
      }
      try (CqlSession session = emulator.newSession()) {
        PreparedStatement update =
            session.prepare(
                "UPDATE " + KEYSPACE + "." + table + " SET title = ?, pages = ? WHERE id = ?");
        for (int version = 1; version <= 40; version++) {
          for (int id = 0; id < 10; id++) {
            session.execute(update.bind("v" + version, version, id));
          }
          Thread.sleep(25);
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!allAt(40) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } finally {
      query.stop();
    }
    assertEquals(10, VERSIONS.size(), String.valueOf(VERSIONS));
    int batches = 0;
    for (Map.Entry<Integer, List<Integer>> key : VERSIONS.entrySet()) {
      List<Integer> seen = key.getValue();
      for (int i = 1; i < seen.size(); i++) {
        // The same version may come again in the next batch: a page reads each listed row as it
        // is then, so a row read after a later write is listed again at that write's place.
        assertTrue(seen.get(i) >= seen.get(i - 1), "key " + key.getKey() + " went back: " + seen);
      }
      assertEquals(40, (int) seen.get(seen.size() - 1), "key " + key.getKey() + ": " + seen);
      batches = Math.max(batches, seen.size());
    }
    System.out.printf("versions seen per key (of 40 written): up to %d: %s%n", batches, VERSIONS);
  }

  @Test
  void aFeedReadThroughTimeoutsAndRateLimitedPagesReturnsEveryRow() {
    SparkSession spark = LocalSpark.session();
    String table = "throttled_books";
    int rows = 800;
    int titleBytes = 2_000;
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 20_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    EmulatorBooks.heavyBooks(spark, 0, rows, titleBytes)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    // Then down to 400 RU/s, spread over the partitions the table already has: pages of 100 rows
    // of 2 KB, sent as fast as they come, are over budget, and Cosmos answers a feed read over
    // budget with an empty page, which the reader must wait out rather than take for the end.
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "ALTER TABLE " + KEYSPACE + "." + table + " WITH cosmosdb_provisioned_throughput=400");
    }
    emulator.resetStatistics();
    emulator.failNext(2, Fault.READ_TIMEOUT);
    Dataset<Row> changes =
        spark
            .read()
            .format("cosmoscassandra")
            .options(options)
            .option("throughput.control", "false")
            .option("spark.cassandra.input.fetch.sizeInRows", "100")
            .option("changeFeed.startFrom", "beginning")
            .load();
    Map<Integer, String> byId = new TreeMap<>();
    for (Row row : changes.collectAsList()) {
      byId.put(row.getInt(row.fieldIndex("id")), row.getString(row.fieldIndex("title")));
    }
    emulator.clearFaults();
    assertEquals(rows, byId.size());
    for (int id = 0; id < rows; id++) {
      String title = byId.get(id);
      assertTrue(
          title != null
              && title.startsWith("title-" + id + "-")
              && title.length() == ("title-" + id + "-").length() + titleBytes,
          "title of " + id);
    }
    TableStatistics statistics = emulator.statistics(KEYSPACE + "." + table).get();
    System.out.printf("feed read through faults: %s%n", statistics);
    assertTrue(statistics.rateLimited() > 0, "no page was rate-limited: " + statistics);
  }

  @Test
  void aCheckpointOfATableDroppedAndCreatedAgainIsRefusedNamingIt() throws Exception {
    SparkSession spark = LocalSpark.session();
    String table = "recreated_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    EmulatorBooks.books(spark, 0, 50)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    Path checkpoint = Files.createTempDirectory("change-feed-recreated");
    SINK.clear();
    run(spark, options, checkpoint, 1_000, -1L);
    assertEquals(50, SINK.size());

    try (CqlSession session = emulator.newSession()) {
      session.execute("DROP TABLE " + KEYSPACE + "." + table);
    }
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    EmulatorBooks.books(spark, 100, 110)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    Exception refused =
        assertThrows(Exception.class, () -> run(spark, options, checkpoint, 1_000, -1L));
    StringBuilder messages = new StringBuilder();
    for (Throwable cause = refused; cause != null; cause = cause.getCause()) {
      messages.append(cause.getMessage()).append('\n');
    }
    String message = messages.toString();
    assertTrue(
        message.contains(KEYSPACE + "." + table)
            && message.contains("dropped and created again")
            && message.contains("new checkpoint location"),
        message);
  }

  @Test
  void aSqlViewOfTheChangeFeedReadsItsWindow() {
    SparkSession spark = LocalSpark.session();
    String table = "sql_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    EmulatorBooks.books(spark, 0, 120)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    StringBuilder sql =
        new StringBuilder(
            "CREATE OR REPLACE TEMPORARY VIEW sql_books_changes USING cosmoscassandra OPTIONS (");
    for (Map.Entry<String, String> option : options.entrySet()) {
      sql.append('`').append(option.getKey()).append("` '").append(option.getValue()).append("', ");
    }
    sql.append("`changeFeed.startFrom` 'beginning')");
    spark.sql(sql.toString());
    List<Row> rows =
        spark.sql("SELECT id, title FROM sql_books_changes WHERE pages < 100").collectAsList();
    Map<Integer, String> byId = new TreeMap<>();
    for (Row row : rows) {
      byId.put(row.getInt(0), row.getString(1));
    }
    assertEquals(100, byId.size());
    for (int id = 0; id < 100; id++) {
      assertEquals("title-" + id, byId.get(id));
    }
  }

  private static boolean allAt(int version) {
    if (VERSIONS.size() < 10) {
      return false;
    }
    for (List<Integer> seen : VERSIONS.values()) {
      synchronized (seen) {
        if (seen.isEmpty() || seen.get(seen.size() - 1) != version) {
          return false;
        }
      }
    }
    return true;
  }

  /** Runs the stream with AvailableNow; the sink fails batch {@code failBatch} (or none: -1). */
  private static void run(
      SparkSession spark, Map<String, String> options, Path checkpoint, int maxRows, long failBatch)
      throws Exception {
    StreamingQuery query =
        spark
            .readStream()
            .format("cosmoscassandra")
            .options(options)
            .option("changeFeed.maxRowsPerTrigger", Integer.toString(maxRows))
            .load()
            .writeStream()
            .option("checkpointLocation", checkpoint.toString())
            .trigger(Trigger.AvailableNow())
            .foreachBatch(
                (VoidFunction2<Dataset<Row>, Long>)
                    (batch, id) -> {
                      List<Row> rows = batch.collectAsList();
                      if (id == failBatch) {
                        throw new IllegalStateException("killed mid-batch " + id);
                      }
                      for (Row row : rows) {
                        SINK.put(
                            row.getInt(row.fieldIndex("id")),
                            row.getString(row.fieldIndex("title")));
                      }
                    })
            .start();
    query.awaitTermination();
  }

  private static Throwable rootCause(Throwable thrown) {
    Throwable cause = thrown;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }
}

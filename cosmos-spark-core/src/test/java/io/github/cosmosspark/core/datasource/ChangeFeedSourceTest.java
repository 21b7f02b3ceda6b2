package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads of a table's change feed through the emulator's feed (docs/emulator.md, "Change feed"):
 * batch reads, streams with {@code Trigger.AvailableNow} resumed from their checkpoint, feed ranges
 * read in parallel, and bad input refused before anything is read. Rows are compared by key and
 * value; the sink is an upsert by key, as the feed's latest versions call for.
 */
@CassandraTest
class ChangeFeedSourceTest {
  private static final String KEYSPACE = "change_feed_source";

  private static CosmosEmulator emulator;

  /** What the streams' sinks received, by query name, then by id. */
  private static final Map<String, Map<Integer, String>> SINKS = new ConcurrentHashMap<>();

  private static final Map<String, List<Long>> BATCH_SIZES = new ConcurrentHashMap<>();

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
  void aBatchReadFromTheBeginningReturnsEveryRowsLatestVersion() {
    SparkSession spark = LocalSpark.session();
    String table = "batch_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    emulator.physicalPartitions(KEYSPACE + "." + table, 3);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    EmulatorBooks.books(spark, 0, 300)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    updateTitles(table, 0, 50, "v2");

    Dataset<Row> changes =
        spark
            .read()
            .format("cosmoscassandra")
            .options(options)
            .option("changeFeed.startFrom", "beginning")
            .load();
    assertEquals(3, changes.rdd().getNumPartitions(), "one input partition per feed range");
    Map<Integer, String> byId = titles(changes.collectAsList());
    assertEquals(300, byId.size());
    for (int id = 0; id < 300; id++) {
      assertEquals((id < 50 ? "v2-" : "title-") + id, byId.get(id), "title of " + id);
    }
  }

  @Test
  void aBatchReadFromAnInstantReturnsOnlyLaterChangesAndEndAtBoundsThem() throws Exception {
    SparkSession spark = LocalSpark.session();
    String table = "window_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    EmulatorBooks.books(spark, 0, 100)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    // The feed's start time has whole seconds: leave a clear second on each side.
    Thread.sleep(2_100);
    Instant between = Instant.now();
    Thread.sleep(1_100);
    updateTitles(table, 10, 20, "v2");
    Thread.sleep(1_100);
    Instant afterUpdates = Instant.now();
    Thread.sleep(1_100);
    updateTitles(table, 20, 25, "v3");

    Map<Integer, String> since =
        titles(
            spark
                .read()
                .format("cosmoscassandra")
                .options(options)
                .option("changeFeed.startFrom", between.toString())
                .load()
                .collectAsList());
    Map<Integer, String> expected = new TreeMap<>();
    for (int id = 10; id < 25; id++) {
      expected.put(id, (id < 20 ? "v2-" : "v3-") + id);
    }
    assertEquals(expected, since);

    Map<Integer, String> window =
        titles(
            spark
                .read()
                .format("cosmoscassandra")
                .options(options)
                .option("changeFeed.startFrom", between.toString())
                .option("changeFeed.endAt", afterUpdates.toString())
                .load()
                .collectAsList());
    expected.keySet().removeIf(id -> id >= 20);
    assertEquals(expected, window);
  }

  @Test
  void aStreamWithAvailableNowDeliversEveryChangeOnceAndResumesFromItsCheckpoint()
      throws Exception {
    SparkSession spark = LocalSpark.session();
    String table = "stream_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    emulator.physicalPartitions(KEYSPACE + "." + table, 2);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    EmulatorBooks.books(spark, 0, 400)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    Path checkpoint = Files.createTempDirectory("change-feed-checkpoint");

    runAvailableNow(spark, options, checkpoint, "first", 100);
    Map<Integer, String> first = SINKS.get("first");
    assertEquals(400, first.size());
    for (int id = 0; id < 400; id++) {
      assertEquals("title-" + id, first.get(id), "title of " + id);
    }
    assertTrue(
        BATCH_SIZES.get("first").size() >= 4,
        "maxRowsPerTrigger=100 split 400 changes: " + BATCH_SIZES.get("first"));
    for (long size : BATCH_SIZES.get("first")) {
      assertTrue(size <= 100 + 2 * 1_000, "a batch of " + size + " rows");
    }

    // Several updates of one row between runs come as its latest version, once.
    updateTitles(table, 5, 6, "v2");
    updateTitles(table, 5, 6, "v3");
    updateTitles(table, 300, 310, "v2");
    EmulatorBooks.books(spark, 400, 450)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    runAvailableNow(spark, options, checkpoint, "second", 1_000);
    Map<Integer, String> expected = new TreeMap<>();
    expected.put(5, "v3-5");
    for (int id = 300; id < 310; id++) {
      expected.put(id, "v2-" + id);
    }
    for (int id = 400; id < 450; id++) {
      expected.put(id, "title-" + id);
    }
    assertEquals(expected, new TreeMap<>(SINKS.get("second")));
    long delivered = 0;
    for (long size : BATCH_SIZES.get("second")) {
      delivered += size;
    }
    assertEquals(expected.size(), delivered, "each change delivered once");

    // Nothing new: the resumed stream runs no batch.
    runAvailableNow(spark, options, checkpoint, "third", 1_000);
    assertTrue(SINKS.get("third").isEmpty(), "delivered again: " + SINKS.get("third"));
  }

  @Test
  void badChangeFeedOptionsAreRefusedBeforeAnythingIsRead() throws Exception {
    SparkSession spark = LocalSpark.session();
    String table = "refused_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    assertRefused(
        () ->
            spark
                .read()
                .format("cosmoscassandra")
                .options(options)
                .option("changeFeed.startFrom", "yesterday")
                .load()
                .count(),
        "changeFeed.startFrom",
        "'beginning', 'now' or an ISO-8601 instant");
    assertRefused(
        () ->
            spark
                .read()
                .format("cosmoscassandra")
                .options(options)
                .option("changeFeed.startFrom", Instant.now().plusSeconds(3_600).toString())
                .load()
                .count(),
        "changeFeed.startFrom",
        "in the future");
    assertRefused(
        () ->
            spark
                .read()
                .format("cosmoscassandra")
                .options(options)
                .option("changeFeed.startFrom", "beginning")
                .option("changeFeed.maxRowsPerTrigger", "10")
                .load()
                .count(),
        "changeFeed.maxRowsPerTrigger",
        "streaming reads");
    assertRefused(
        () ->
            spark
                .read()
                .format("cosmoscassandra")
                .options(options)
                .option("changeFeed.endAt", "now")
                .load()
                .count(),
        "changeFeed.startFrom",
        "without");
    Path checkpoint = Files.createTempDirectory("change-feed-refused");
    assertRefused(
        () ->
            spark
                .readStream()
                .format("cosmoscassandra")
                .options(options)
                .option("changeFeed.endAt", "now")
                .load()
                .writeStream()
                .option("checkpointLocation", checkpoint.toString())
                .format("noop")
                .trigger(Trigger.AvailableNow())
                .start()
                .awaitTermination(),
        "changeFeed.endAt",
        "Trigger.AvailableNow");

    // A checkpoint of another table's stream.
    String other = "other_books";
    EmulatorBooks.createTable(emulator, KEYSPACE, other, 10_000);
    Path shared = Files.createTempDirectory("change-feed-shared");
    runAvailableNow(spark, options, shared, "owner", 1_000);
    assertRefused(
        () ->
            runAvailableNow(
                spark, EmulatorBooks.options(emulator, KEYSPACE, other), shared, "intruder", 1_000),
        KEYSPACE + "." + table,
        "checkpoint location of its own");
  }

  private static void runAvailableNow(
      SparkSession spark, Map<String, String> options, Path checkpoint, String name, int maxRows)
      throws Exception {
    Map<Integer, String> sink = new ConcurrentHashMap<>();
    List<Long> sizes = new ArrayList<>();
    SINKS.put(name, sink);
    BATCH_SIZES.put(name, sizes);
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
                      SINKS.get(name).putAll(titles(rows));
                      BATCH_SIZES.get(name).add((long) rows.size());
                    })
            .start();
    query.awaitTermination();
    for (StreamingQueryProgress progress : query.recentProgress()) {
      System.out.printf(
          "%s batch %d: %s%n", name, progress.batchId(), progress.sources()[0].metrics());
    }
  }

  private static void updateTitles(String table, int from, int to, String version) {
    try (CqlSession session = emulator.newSession()) {
      com.datastax.oss.driver.api.core.cql.PreparedStatement update =
          session.prepare("UPDATE " + KEYSPACE + "." + table + " SET title = ? WHERE id = ?");
      for (int id = from; id < to; id++) {
        session.execute(update.bind(version + "-" + id, id));
      }
    }
  }

  private static Map<Integer, String> titles(List<Row> rows) {
    Map<Integer, String> byId = new TreeMap<>();
    for (Row row : rows) {
      String previous =
          byId.put(row.getInt(row.fieldIndex("id")), row.getString(row.fieldIndex("title")));
      assertEquals(null, previous, "a row delivered twice in one read: " + row);
    }
    return byId;
  }

  private static void assertRefused(ThrowingRunnable read, String... fragments) {
    Throwable thrown = assertThrows(Throwable.class, read::run);
    Throwable config = thrown;
    StringBuilder all = new StringBuilder();
    for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
      all.append(cause).append('\n');
      if (cause instanceof CosmosConfigException) {
        config = cause;
      }
    }
    assertTrue(config instanceof CosmosConfigException, "not a configuration error: " + all);
    for (String fragment : fragments) {
      assertTrue(config.getMessage().contains(fragment), config.getMessage());
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}

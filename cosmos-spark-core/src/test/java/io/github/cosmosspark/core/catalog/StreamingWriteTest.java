package io.github.cosmosspark.core.catalog;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.Fault;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured Streaming into Cosmos: append and update modes, checkpoints, a query cut short and
 * restarted, retries and throughput control, the catalog's toTable, and counters refused.
 */
@CosmosEmulatorTest
class StreamingWriteTest {
  private static final String KEYSPACE = "streaming";
  private static final String SCHEMA = "id INT, title STRING, pages INT";
  private static final int FILES = 10;
  private static final int ROWS_PER_FILE = 200;

  private final CosmosEmulator emulator;
  private final CqlSession cassandra;

  StreamingWriteTest(CosmosEmulator emulator, CqlSession cassandra) {
    this.emulator = emulator;
    this.cassandra = cassandra;
  }

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
  }

  @Test
  void aQueryKilledByAFailingWriteRestartsFromItsCheckpointAndLandsEveryRowOnce(
      @TempDir Path input, @TempDir Path checkpoint) throws Exception {
    EmulatorBooks.createTable(emulator, KEYSPACE, "killed", 10_000);
    SparkSession spark = LocalSpark.session();
    writeBookFiles(input);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "killed");
    options.put("throughput.targetRuPerSecond", "2000");
    options.put("retry.timeoutRetries", "0");

    StreamingQuery first = start(spark, input, checkpoint, options, "append");
    awaitBatches(first, 1);
    emulator.failNext(Integer.MAX_VALUE, Fault.SERVER_ERROR);
    StreamingQueryException failure =
        assertThrows(StreamingQueryException.class, () -> first.awaitTermination());
    emulator.clearFaults();
    long landedBeforeRestart = count("killed");

    StreamingQuery second = start(spark, input, checkpoint, options, "append");
    second.processAllAvailable();
    second.stop();

    assertNotNull(failure.getMessage());
    assertTrue(
        landedBeforeRestart > 0 && landedBeforeRestart < FILES * ROWS_PER_FILE,
        "the query died mid-stream, with " + landedBeforeRestart + " rows written");
    assertSameRowsByKey(source(spark, input), table(spark, "killed"), "id");
  }

  @Test
  void aQueryStoppedMidBatchRestartsFromItsCheckpointUnderThroughputControl(
      @TempDir Path input, @TempDir Path checkpoint) throws Exception {
    EmulatorBooks.createTable(emulator, KEYSPACE, "stopped", 10_000);
    SparkSession spark = LocalSpark.session();
    writeBookFiles(input);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "stopped");
    options.put("throughput.targetRuPerSecond", "1500");

    StreamingQuery first = start(spark, input, checkpoint, options, "append");
    awaitBatches(first, 2);
    first.stop();
    long landedBeforeRestart = count("stopped");
    StreamingQuery second = start(spark, input, checkpoint, options, "append");
    second.processAllAvailable();
    second.stop();

    assertTrue(
        landedBeforeRestart > 0 && landedBeforeRestart < FILES * ROWS_PER_FILE,
        "stopped mid-stream, with " + landedBeforeRestart + " rows written");
    assertSameRowsByKey(source(spark, input), table(spark, "stopped"), "id");
    TableStatistics statistics = emulator.statistics(KEYSPACE + ".stopped").get();
    assertEquals(0, statistics.rateLimited(), statistics.toString());
    assertTrue(
        statistics.peakRequestUnitsPerSecond() <= 1500 * 1.1,
        "throughput control held the target: " + statistics);
    CosmosRuntimes.forgetJobs();
  }

  @Test
  void rateLimitedStreamingWritesAreRetriedUntilEveryRowLands(
      @TempDir Path input, @TempDir Path checkpoint) throws Exception {
    EmulatorBooks.createTable(emulator, KEYSPACE, "retried", 400);
    SparkSession spark = LocalSpark.session();
    writeBookFiles(input, 3);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "retried");
    options.put("throughput.control", "false");

    StreamingQuery query = start(spark, input, checkpoint, options, "append");
    query.processAllAvailable();
    query.stop();

    assertTrue(
        emulator.statistics(KEYSPACE + ".retried").get().rateLimited() > 0,
        "the emulator refused some writes with 429s");
    assertSameRowsByKey(source(spark, input), table(spark, "retried"), "id");
  }

  @Test
  void updateModeWritesEachChangedAggregateOverItsKey(@TempDir Path input, @TempDir Path checkpoint)
      throws Exception {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE "
              + KEYSPACE
              + ".page_buckets (bucket int PRIMARY KEY, books bigint)"
              + " WITH cosmosdb_provisioned_throughput=10000");
    }
    SparkSession spark = LocalSpark.session();
    writeBookFiles(input, 4);
    Dataset<Row> buckets =
        spark
            .readStream()
            .schema(SCHEMA)
            .option("maxFilesPerTrigger", 1)
            .json(input.toString())
            .selectExpr("pages % 7 AS bucket")
            .groupBy("bucket")
            .count()
            .selectExpr("CAST(bucket AS INT) AS bucket", "count AS books");

    StreamingQuery query =
        buckets
            .writeStream()
            .format("cosmoscassandra")
            .options(EmulatorBooks.options(emulator, KEYSPACE, "page_buckets"))
            .option("checkpointLocation", checkpoint.toString())
            .outputMode("update")
            .start();
    query.processAllAvailable();
    query.stop();

    assertTrue(query.recentProgress().length >= 4, "one batch per file at least");
    assertSameRowsByKey(
        spark
            .read()
            .schema(SCHEMA)
            .json(input.toString())
            .selectExpr("CAST(pages % 7 AS INT) AS bucket")
            .groupBy("bucket")
            .count()
            .selectExpr("bucket", "count AS books"),
        table(spark, "page_buckets"),
        "bucket");
  }

  @Test
  void toTableWritesThroughTheCatalog(@TempDir Path input, @TempDir Path checkpoint)
      throws Exception {
    SparkSession spark = CatalogSessions.withCatalog(emulator, "cosmos");
    spark.sql(
        "CREATE TABLE cosmos."
            + KEYSPACE
            + ".to_table (id INT, title STRING, pages INT) USING cosmoscassandra"
            + " PARTITIONED BY (id) TBLPROPERTIES (cosmosdb_provisioned_throughput='10000')");
    writeBookFiles(input, 3);

    StreamingQuery query =
        spark
            .readStream()
            .schema(SCHEMA)
            .option("maxFilesPerTrigger", 1)
            .json(input.toString())
            .writeStream()
            .option("checkpointLocation", checkpoint.toString())
            .toTable("cosmos." + KEYSPACE + ".to_table");
    query.processAllAvailable();
    query.stop();

    assertSameRowsByKey(
        spark.read().schema(SCHEMA).json(input.toString()),
        spark.table("cosmos." + KEYSPACE + ".to_table"),
        "id");
  }

  @Test
  void refusesToStreamIntoACounterTable(@TempDir Path input, @TempDir Path checkpoint)
      throws Exception {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE " + KEYSPACE + ".page_counts (pages int PRIMARY KEY, books counter)");
    }
    SparkSession spark = LocalSpark.session();
    writeBookFiles(input, 1);

    StreamingQuery query =
        spark
            .readStream()
            .schema(SCHEMA)
            .json(input.toString())
            .selectExpr("pages", "CAST(1 AS BIGINT) AS books")
            .writeStream()
            .format("cosmoscassandra")
            .options(EmulatorBooks.options(emulator, KEYSPACE, "page_counts"))
            .option("checkpointLocation", checkpoint.toString())
            .start();
    StreamingQueryException refused =
        assertThrows(StreamingQueryException.class, () -> query.awaitTermination(60_000));

    String messages = CatalogSessions.messages(refused);
    assertTrue(
        messages.contains("has the counter column 'books'") && messages.contains("page_counts"),
        messages);
    assertEquals(0, count("page_counts"));
  }

  @Test
  void aStreamingReadIsTheTablesChangeFeed() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "streamed", 400);
    SparkSession spark = LocalSpark.session();

    // SCC's table offers batch reads only; cosmoscassandra's streams the change feed
    // (ChangeFeedSourceTest reads one).
    Dataset<Row> changes =
        spark
            .readStream()
            .format("cosmoscassandra")
            .options(EmulatorBooks.options(emulator, KEYSPACE, "streamed"))
            .load();

    assertTrue(changes.isStreaming());
    assertEquals(
        new java.util.TreeSet<>(java.util.Arrays.asList("id", "pages", "title")),
        new java.util.TreeSet<>(java.util.Arrays.asList(changes.schema().fieldNames())));
  }

  private static StreamingQuery start(
      SparkSession spark, Path input, Path checkpoint, Map<String, String> options, String mode)
      throws Exception {
    return spark
        .readStream()
        .schema(SCHEMA)
        .option("maxFilesPerTrigger", 1)
        .json(input.toString())
        .writeStream()
        .format("cosmoscassandra")
        .options(options)
        .option("checkpointLocation", checkpoint.toString())
        .outputMode(mode)
        .start();
  }

  private static void awaitBatches(StreamingQuery query, int batches) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (query.recentProgress().length < batches) {
      if (System.nanoTime() > deadline || !query.isActive()) {
        throw new AssertionError(
            "no " + batches + " batches: " + query.status() + " " + query.exception());
      }
      Thread.sleep(20);
    }
  }

  private long count(String table) {
    return cassandra.execute("SELECT COUNT(*) FROM " + KEYSPACE + "." + table).one().getLong(0);
  }

  private Dataset<Row> table(SparkSession spark, String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .options(EmulatorBooks.options(emulator, KEYSPACE, table))
        .load();
  }

  private static Dataset<Row> source(SparkSession spark, Path input) {
    return spark.read().schema(SCHEMA).json(input.toString());
  }

  private static void writeBookFiles(Path directory) throws IOException {
    writeBookFiles(directory, FILES);
  }

  /** {@code files} JSON files of books, ids 0 up, {@link #ROWS_PER_FILE} in each. */
  private static void writeBookFiles(Path directory, int files) throws IOException {
    for (int file = 0; file < files; file++) {
      List<String> lines = new ArrayList<>();
      for (int id = file * ROWS_PER_FILE; id < (file + 1) * ROWS_PER_FILE; id++) {
        lines.add(
            "{\"id\":" + id + ",\"title\":\"title-" + id + "\",\"pages\":" + (id % 700) + "}");
      }
      Files.write(
          directory.resolve(String.format("books-%03d.json", file)), lines, StandardCharsets.UTF_8);
    }
  }
}

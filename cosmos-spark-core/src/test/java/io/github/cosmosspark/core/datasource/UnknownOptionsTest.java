package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.catalog.CosmosCassandraCatalog;
import io.github.cosmosspark.core.config.PerReadOptions;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A misspelt option is refused with the name meant, on every way options come in: a read, a write,
 * a streaming write, the SQL catalog's options and a temporary view's; options of Spark's own (a
 * stream's checkpoint location) pass.
 */
@CosmosEmulatorTest
class UnknownOptionsTest {
  private static final String KEYSPACE = "unknown_options";
  private static final String TYPO = "throughput.targetRuPerSecnd";
  private static final String REFUSAL =
      "Unknown option 'throughput.targetRuPerSecnd'; did you mean 'throughput.targetRuPerSecond'?"
          + " Neither cosmoscassandra nor the Spark Cassandra Connector reads"
          + " 'throughput.targetRuPerSecnd', so it would be ignored.";

  private final CosmosEmulator emulator;
  private final SparkSession spark = LocalSpark.session();
  private static CqlSession direct;

  UnknownOptionsTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, "books", 1_000);
    direct = emulator.newSession();
  }

  @AfterAll
  static void closeSession() {
    if (direct != null) {
      direct.close();
    }
  }

  @Test
  void aMisspeltOptionOfARead() {
    Map<String, String> options = options("books");
    options.put(TYPO, "2000");
    assertRefused(() -> spark.read().format("cosmoscassandra").options(options).load());
  }

  @Test
  void aMisspeltOptionOfAWriteWritesNothing() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "write_typo", 1_000);
    Map<String, String> options = options("write_typo");
    options.put(TYPO, "2000");
    assertRefused(
        () ->
            EmulatorBooks.books(spark, 0, 5)
                .write()
                .format("cosmoscassandra")
                .options(options)
                .mode("append")
                .save());
    assertEquals(0, rows("write_typo"));
  }

  @Test
  void aMisspeltConnectorNameIsRefusedWithTheConnectorsName() {
    Map<String, String> options = options("books");
    options.put("spark.cassandra.output.consistancy.level", "ALL");
    String message = refusal(() -> spark.read().format("cosmoscassandra").options(options).load());
    assertTrue(
        message.contains(
            "Unknown option 'spark.cassandra.output.consistancy.level'; did you mean"
                + " 'spark.cassandra.output.consistency.level'?"),
        message);
  }

  @Test
  void aShortNameTheConnectorDoesNotKnowIsRefused() {
    Map<String, String> options = options("books");
    options.put("output.concurrent.write", "5");
    String message = refusal(() -> spark.read().format("cosmoscassandra").options(options).load());
    assertTrue(
        message.contains(
            "Unknown option 'output.concurrent.write'; did you mean"
                + " 'spark.cassandra.output.concurrent.writes'?"),
        message);
  }

  @Test
  void aMisspeltOptionOfAStreamingWrite(@TempDir Path input, @TempDir Path checkpoint)
      throws Exception {
    Files.write(
        input.resolve("books.json"),
        "{\"id\": 1, \"title\": \"a\", \"pages\": 1}\n".getBytes(StandardCharsets.UTF_8));
    Map<String, String> options = options("books");
    options.put(TYPO, "2000");
    assertRefused(() -> stream(input, checkpoint, options).stop());
  }

  @Test
  void aStreamingWriteWithItsCheckpointLocationRunsAndIsSaidNothingAbout(
      @TempDir Path input, @TempDir Path checkpoint) throws Exception {
    EmulatorBooks.createTable(emulator, KEYSPACE, "streamed", 1_000);
    Files.write(
        input.resolve("books.json"),
        ("{\"id\": 1, \"title\": \"a\", \"pages\": 1}\n{\"id\": 2, \"title\": \"b\", \"pages\": 2}\n")
            .getBytes(StandardCharsets.UTF_8));
    try (Warnings warnings = new Warnings(PerReadOptions.class)) {
      CosmosRuntimes.forgetJobs();
      StreamingQuery query = stream(input, checkpoint, options("streamed"));
      query.processAllAvailable();
      query.stop();
      assertEquals(Arrays.asList(), warnings.all());
    }
    assertEquals(2, rows("streamed"));
  }

  @Test
  void anOptionNobodyReadsIsPassedOnWithOneWarning() {
    Map<String, String> options = options("books");
    options.put("mergeSchema", "true");
    try (Warnings warnings = new Warnings(PerReadOptions.class)) {
      CosmosRuntimes.forgetJobs();
      spark.read().format("cosmoscassandra").options(options).load().count();
      spark.read().format("cosmoscassandra").options(options).load().count();
      assertEquals(
          Arrays.asList(
              "Option 'mergeSchema' is neither a cosmoscassandra option nor one the Spark"
                  + " Cassandra Connector reads; nothing uses it."),
          warnings.all());
    }
  }

  @Test
  void aMisspeltOptionOfTheCatalog() {
    SparkSession session = spark.newSession();
    session.conf().set("spark.sql.catalog.typos", CosmosCassandraCatalog.class.getName());
    for (Map.Entry<String, String> setting : EmulatorBooks.connectionOptions(emulator).entrySet()) {
      session
          .conf()
          .set(
              "spark.sql.catalog.typos."
                  + setting.getKey().substring("spark.cosmos.cassandra.".length()),
              setting.getValue());
    }
    session.conf().set("spark.sql.catalog.typos." + TYPO, "2000");
    SparkSession.setActiveSession(session);
    try {
      assertRefused(() -> session.sql("SHOW NAMESPACES IN typos").collect());
    } finally {
      SparkSession.setActiveSession(spark);
    }
  }

  @Test
  void aMisspeltOptionOfATemporaryView() {
    StringBuilder sql =
        new StringBuilder(
            "CREATE OR REPLACE TEMPORARY VIEW typo_view USING cosmoscassandra OPTIONS (");
    Map<String, String> options = options("books");
    options.put(TYPO, "2000");
    String separator = "";
    for (Map.Entry<String, String> option : options.entrySet()) {
      sql.append(separator)
          .append('\'')
          .append(option.getKey())
          .append("' '")
          .append(option.getValue())
          .append('\'');
      separator = ", ";
    }
    sql.append(')');
    assertRefused(() -> spark.sql(sql.toString()).collect());
  }

  @Test
  void aTemporaryViewWithGoodOptionsReads() {
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 3);
    books.write().format("cosmoscassandra").options(options("books")).mode("append").save();
    StringBuilder sql =
        new StringBuilder(
            "CREATE OR REPLACE TEMPORARY VIEW good_view USING cosmoscassandra OPTIONS (");
    String separator = "";
    for (Map.Entry<String, String> option : options("books").entrySet()) {
      sql.append(separator)
          .append('\'')
          .append(option.getKey())
          .append("' '")
          .append(option.getValue())
          .append('\'');
      separator = ", ";
    }
    sql.append(')');
    spark.sql(sql.toString());
    assertSameRowsByKey(books, spark.sql("SELECT * FROM good_view WHERE id < 3"), "id");
  }

  private StreamingQuery stream(Path input, Path checkpoint, Map<String, String> options)
      throws Exception {
    StreamingQuery query =
        spark
            .readStream()
            .schema("id INT, title STRING, pages INT")
            .json(input.toString())
            .writeStream()
            .format("cosmoscassandra")
            .options(options)
            .option("checkpointLocation", checkpoint.toString())
            .outputMode("append")
            .start();
    return query;
  }

  private void assertRefused(Executable action) {
    String message = refusal(action);
    assertTrue(message.contains(REFUSAL), message);
  }

  /** The messages of the error and its causes, one after the other. */
  private static String refusal(Executable action) {
    Throwable error = assertThrows(Throwable.class, action);
    StringBuilder chain = new StringBuilder();
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      chain.append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
      chain.append(" | ");
    }
    return chain.toString();
  }

  private Map<String, String> options(String table) {
    return EmulatorBooks.options(emulator, KEYSPACE, table);
  }

  private long rows(String table) {
    return direct.execute("SELECT COUNT(*) FROM " + KEYSPACE + "." + table).one().getLong(0);
  }
}

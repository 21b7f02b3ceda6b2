package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.spark.connector.cql.CassandraConnectorConf;
import com.datastax.spark.connector.datasource.CassandraScan;
import com.datastax.spark.connector.datasource.CassandraSourceUtil;
import com.datastax.spark.connector.rdd.ReadConf;
import com.datastax.spark.connector.writer.WriteConf;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.compat.ScalaMaps;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.config.PerReadOptions;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.core.connection.DeprecatedConnectorSettings;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.core.throughput.RequestSizing;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every option and setting name in Microsoft's sample notebooks
 * (Azure-Samples/azure-cosmos-db-cassandra-api-spark-notebooks-databricks, notebooks/scala) and the
 * five cluster settings of Microsoft Learn's article on Spark with the Cassandra API, replayed
 * through {@code format("cosmoscassandra")}: each is applied (SCC's own configuration objects,
 * built from what the format hands SCC as SCC builds them, hold its value), mapped with a warning
 * naming the replacement, or refused with a message. The tables below name each setting's notebook.
 */
@CosmosEmulatorTest
class NotebookSettingsTest {
  private static final String KEYSPACE = "notebook_settings";
  private static final String FACTORY = "spark.cassandra.connection.factory";

  /** What SCC reads for one read and one write planned with the format. */
  private static final class Planned {
    final Map<String, String> connectorOptions;
    final SparkConf consolidated;
    final WriteConf write;
    final ReadConf read;
    final CassandraConnectorConf connection;
    final ReadConf scan;

    Planned(
        Map<String, String> connectorOptions,
        SparkConf consolidated,
        WriteConf write,
        ReadConf read,
        CassandraConnectorConf connection,
        ReadConf scan) {
      this.connectorOptions = connectorOptions;
      this.consolidated = consolidated;
      this.write = write;
      this.read = read;
      this.connection = connection;
      this.scan = scan;
    }
  }

  /** A setting as a notebook makes it, where it comes from, and what it must do. */
  private static final class Setting {
    final String key;
    final String value;
    final String source;
    final String outcome;
    final Consumer<Planned> check;

    Setting(String key, String value, String source, String outcome, Consumer<Planned> check) {
      this.key = key;
      this.value = value;
      this.source = source;
      this.outcome = outcome;
      this.check = check;
    }
  }

  /** spark.conf.set(...) at the top of notebooks 2.1 to 2.7 (2.3 adds the consistency levels). */
  private static final List<Setting> NOTEBOOKS_2_1_TO_2_7 =
      Arrays.asList(
          new Setting(
              FACTORY,
              LegacySettings.HELPER_FACTORY,
              "2.1-2.7, 2.9-Part2",
              "mapped: cosmos-spark's factory, warning",
              p ->
                  assertEquals(
                      CosmosConnectionFactory.class.getName(), p.connectorOptions.get(FACTORY))),
          new Setting(
              "spark.cassandra.output.batch.size.rows",
              "1",
              "2.1-2.7, 2.9-Part2",
              "applied",
              p -> assertEquals("RowsInBatch(1)", p.write.batchSize().toString())),
          new Setting(
              LegacySettings.CONNECTIONS_PER_EXECUTOR_MAX,
              "10",
              "2.1-2.7 (2.9-Part2: 2)",
              "mapped to local/remoteConnectionsPerExecutor, warning",
              p -> {
                assertEquals(10, p.connection.localConnectionsPerExecutor().get());
                assertEquals(10, p.connection.remoteConnectionsPerExecutor().get());
              }),
          new Setting(
              RequestSizing.CONCURRENT_WRITES,
              "100",
              "2.1-2.7 (2.9-Part2: 5)",
              "applied (a warning when it holds a budgeted write back)",
              p -> assertEquals(100, p.write.parallelismLevel())),
          new Setting(
              "spark.cassandra.concurrent.reads",
              "512",
              "2.1-2.7, 2.9-Part2",
              "applied",
              p -> assertEquals(512, p.read.parallelismLevel())),
          new Setting(
              "spark.cassandra.output.batch.grouping.buffer.size",
              "1000",
              "2.1-2.7 (2.9-Part2: 300)",
              "applied",
              p -> assertEquals(1000, p.write.batchGroupingBufferSize())),
          new Setting(
              "spark.cassandra.connection.keep_alive_ms",
              "60000000",
              "2.1-2.7 (2.5, 2.6: 600000000; 2.9-Part2: 5000)",
              "mapped to keepAliveMS (SCC's new name), one warning",
              p -> assertEquals(60_000_000, p.connection.keepAliveMillis())),
          new Setting(
              "spark.cassandra.output.ignoreNulls",
              "true",
              "2.1, 2.2",
              "applied",
              p -> assertTrue(p.write.ignoreNulls())),
          new Setting(
              "spark.cassandra.output.consistency.level",
              "ALL",
              "2.3",
              "applied",
              p -> assertEquals(DefaultConsistencyLevel.ALL, p.write.consistencyLevel())),
          new Setting(
              "spark.cassandra.input.consistency.level",
              "ALL",
              "2.3",
              "applied",
              p -> assertEquals(DefaultConsistencyLevel.ALL, p.read.consistencyLevel())));

  /** spark.conf.set(...) in 2.9-BulkLoad-FromBlob-Part2 (lines 78-82 and 102-106). */
  private static final List<Setting> NOTEBOOK_2_9 =
      Arrays.asList(
          new Setting(
              FACTORY,
              LegacySettings.HELPER_FACTORY,
              "2.9-Part2",
              "mapped: cosmos-spark's factory, warning",
              p ->
                  assertEquals(
                      CosmosConnectionFactory.class.getName(), p.connectorOptions.get(FACTORY))),
          new Setting(
              "spark.cassandra.output.batch.size.rows",
              "1",
              "2.9-Part2",
              "applied",
              p -> assertEquals("RowsInBatch(1)", p.write.batchSize().toString())),
          new Setting(
              LegacySettings.CONNECTIONS_PER_EXECUTOR_MAX,
              "2",
              "2.9-Part2",
              "mapped, warning",
              p -> assertEquals(2, p.connection.remoteConnectionsPerExecutor().get())),
          new Setting(
              RequestSizing.CONCURRENT_WRITES,
              "5",
              "2.9-Part2",
              "applied (a warning when it holds a budgeted write back)",
              p -> assertEquals(5, p.write.parallelismLevel())),
          new Setting(
              "spark.cassandra.output.batch.grouping.buffer.size",
              "300",
              "2.9-Part2",
              "applied",
              p -> assertEquals(300, p.write.batchGroupingBufferSize())),
          new Setting(
              "spark.cassandra.connection.keep_alive_ms",
              "5000",
              "2.9-Part2",
              "mapped to keepAliveMS (SCC's new name), one warning",
              p -> assertEquals(5_000, p.connection.keepAliveMillis())),
          new Setting(
              "spark.cassandra.concurrent.reads",
              "512",
              "2.9-Part2",
              "applied",
              p -> assertEquals(512, p.read.parallelismLevel())),
          new Setting(
              LegacySettings.SPLIT_COUNT,
              "250",
              "2.9-Part2",
              "mapped: the scan's split count (SCC 3 refuses the key), warning",
              p -> assertEquals(250, p.scan.splitCount().get())),
          new Setting(
              "spark.cassandra.input.split.size_in_mb",
              "64",
              "2.9-Part2",
              "mapped to split.sizeInMB (SCC's new name), one warning",
              p -> assertEquals(64, p.read.splitSizeInMB())),
          new Setting(
              "spark.cassandra.input.reads_per_sec",
              "100000",
              "2.9-Part2",
              "mapped to readsPerSec (SCC's new name), one warning",
              p -> assertEquals(100_000, p.read.readsPerSec().get())),
          new Setting(
              "spark.cassandra.input.fetch.size_in_rows",
              "250",
              "2.9-Part2",
              "mapped to fetch.sizeInRows (SCC's new name), one warning",
              p -> assertEquals(250, p.read.fetchSizeInRows())));

  private final CosmosEmulator emulator;
  private final SparkSession spark = LocalSpark.session();
  private static CqlSession direct;

  NotebookSettingsTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    direct = emulator.newSession();
  }

  @AfterAll
  static void closeSession() {
    if (direct != null) {
      direct.close();
    }
  }

  @Test
  void theSessionSettingsOfNotebooks21To27AreAppliedOrMappedWithAWarning() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "books_2_1", 1_000);
    try (Warnings warnings = new Warnings(LegacySettings.class, PerReadOptions.class)) {
      Planned planned = withSessionSettings(NOTEBOOKS_2_1_TO_2_7, () -> plan("books_2_1"));
      for (Setting setting : NOTEBOOKS_2_1_TO_2_7) {
        checkOne(setting, planned);
      }
      // The helper's factory, connections_per_executor_max and keep_alive_ms's new name.
      assertEquals(3, warnings.all().size(), warnings.all().toString());
      assertEquals(
          1, warnings.about(LegacySettings.HELPER_FACTORY).size(), warnings.all()::toString);
      assertEquals(
          1,
          warnings.about("'spark.cassandra.connection.keep_alive_ms' is the").size(),
          warnings.all()::toString);
      assertEquals(
          1,
          warnings.about("'" + LegacySettings.CONNECTIONS_PER_EXECUTOR_MAX + "' is a").size(),
          warnings.all()::toString);
    }
  }

  @Test
  void theSessionSettingsOfTheBulkLoadNotebookAreAppliedOrMappedWithAWarning() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "crimes", 1_000);
    direct.execute("INSERT INTO " + KEYSPACE + ".crimes (id, title, pages) VALUES (1, 'a', 1)");
    try (Warnings warnings = new Warnings(LegacySettings.class, PerReadOptions.class)) {
      Planned planned = withSessionSettings(NOTEBOOK_2_9, () -> plan("crimes"));
      for (Setting setting : NOTEBOOK_2_9) {
        checkOne(setting, planned);
      }
      assertEquals(
          Arrays.asList(
              "'spark.cassandra.splitCount=250' is a Spark Cassandra Connector 2.x setting that 3.x"
                  + " rejects; cosmoscassandra splits each scan into about 250 Spark partitions,"
                  + " as 2.x did (a few more where token ranges are split unevenly). Connector 3's"
                  + " setting is 'spark.cassandra.input.split.sizeInMB' (the"
                  + " data in one partition): use it instead."),
          warnings.about(LegacySettings.SPLIT_COUNT));
      // And the factory, connections_per_executor_max, and four of SCC's old names, once each.
      assertEquals(7, warnings.all().size(), warnings.all().toString());
      // And the notebook's read runs, split as it says, with every row.
      withSessionSettings(
          NOTEBOOK_2_9,
          () -> {
            Dataset<Row> crimes = reader("crimes").load();
            // SCC's splitter aims at the count; without it this table would get a handful. It
            // splits each token range by its share of the ring, rounded: on Cosmos's 64 tokens
            // (the emulator's), 63 ranges of 1/65 in 4 and the wrap-around range of 2/65 in 8,
            // 260 in all.
            int partitions = crimes.rdd().getNumPartitions();
            assertTrue(partitions >= 200 && partitions <= 260, partitions + " partitions");
            assertEquals(1, crimes.count());
            return null;
          });
    }
  }

  /**
   * Per-write options of 2.2-CRUD-Create (line 83), 2.5-CRUD-Delete (lines 60, 257) and
   * 2.6-Aggregation (line 60): {@code table}, {@code keyspace} and {@code ttl} applied, the short
   * {@code output.consistency.level} mapped to its full name with a warning.
   */
  @Test
  void theNotebooksShortConsistencyOptionIsMappedWithAWarningAndTheirTtlApplied() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "books_ttl", 1_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "books_ttl");
    options.put("output.consistency.level", "ALL");
    options.put("ttl", "10000000");
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 20);
    try (Warnings warnings = new Warnings(PerReadOptions.class)) {
      CosmosRuntimes.forgetJobs();
      Planned planned = plan(options);
      books.write().format("cosmoscassandra").options(options).mode("append").save();

      assertEquals(DefaultConsistencyLevel.ALL, planned.write.consistencyLevel());
      assertEquals("10000000", planned.consolidated.get("ttl"));
      assertFalse(planned.connectorOptions.containsKey("output.consistency.level"));
      assertEquals(
          Arrays.asList(
              "Option 'output.consistency.level' is a short name the Spark Cassandra Connector 3"
                  + " ignores in a read or write; cosmoscassandra applies it as"
                  + " 'spark.cassandra.output.consistency.level'. Use that name."),
          warnings.all());
    }
    assertSameRowsByKey(books, reader("books_ttl").load(), "id");
    for (com.datastax.oss.driver.api.core.cql.Row row :
        direct.execute("SELECT TTL(title) FROM " + KEYSPACE + ".books_ttl")) {
      int ttl = row.getInt(0);
      assertTrue(ttl > 9_990_000 && ttl <= 10_000_000, "TTL " + ttl);
    }
  }

  /** 2.2-CRUD-Create, line 124: the full names, applied as they are. */
  @Test
  void theNotebooksFullConnectorNamesAreApplied() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "books_full", 1_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "books_full");
    options.put("spark.cassandra.output.consistency.level", "ALL");
    options.put("ttl", "10000000");
    options.put("spark.cassandra.output.ifNotExists", "true");
    try (Warnings warnings = new Warnings(PerReadOptions.class)) {
      CosmosRuntimes.forgetJobs();
      Planned planned = plan(options);
      assertEquals(DefaultConsistencyLevel.ALL, planned.write.consistencyLevel());
      assertTrue(planned.write.ifNotExists());
      assertEquals("10000000", planned.consolidated.get("ttl"));
      assertEquals(Arrays.asList(), warnings.all());
    }
  }

  /** A short name is applied as SCC applies the full one: a wrong value is refused by SCC. */
  @Test
  void aWrongValueOfAShortNameIsRefusedBeforeAnyRowIsWritten() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "books_bogus", 1_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "books_bogus");
    options.put("output.consistency.level", "BOGUS");
    Throwable error =
        assertThrows(
            Throwable.class,
            () ->
                EmulatorBooks.books(spark, 0, 5)
                    .write()
                    .format("cosmoscassandra")
                    .options(options)
                    .mode("append")
                    .save());
    assertTrue(String.valueOf(error.getMessage()).contains("BOGUS"), error::toString);
    assertEquals(0, rows("books_bogus"));
  }

  /**
   * Microsoft Learn's article sets five connector settings on the cluster; with only keyspace and
   * table per read, they connect.
   */
  @Test
  void theArticlesFiveClusterSettingsConnect() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "article", 1_000);
    Map<String, String> connection = EmulatorBooks.connectionOptions(emulator);
    Map<String, String> five = new LinkedHashMap<>();
    five.put("spark.cassandra.connection.host", connection.get("spark.cosmos.cassandra.host"));
    five.put("spark.cassandra.connection.port", connection.get("spark.cosmos.cassandra.port"));
    five.put("spark.cassandra.connection.ssl.enabled", "true");
    five.put("spark.cassandra.auth.username", connection.get("spark.cosmos.cassandra.account"));
    five.put("spark.cassandra.auth.password", connection.get("spark.cosmos.cassandra.password"));
    // The emulator's certificate is its own: the one setting Azure would not need.
    for (String key : connection.keySet()) {
      if (key.contains(".tls.truststore.")) {
        five.put(key, connection.get(key));
      }
    }
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 10);
    Map<String, String> table = new HashMap<>();
    table.put("keyspace", KEYSPACE);
    table.put("table", "article");
    try {
      five.forEach((key, value) -> spark.conf().set(key, value));
      books.write().format("cosmoscassandra").options(table).mode("append").save();
      assertSameRowsByKey(
          books, spark.read().format("cosmoscassandra").options(table).load(), "id");
    } finally {
      five.keySet().forEach(key -> spark.conf().unset(key));
    }
  }

  /**
   * 2.9-Part2's {@code output.concurrent.writes=5} under a budget: kept, and the warning says what
   * it costs.
   */
  @Test
  void aConcurrencyBelowWhatTheBudgetNeedsIsKeptWithAWarningSayingItsCost() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "bulk", 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "bulk");
    options.put("throughput.targetRuPerSecond", "2000");
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 50);
    try (Warnings warnings = new Warnings(RequestSizing.class)) {
      CosmosRuntimes.forgetJobs();
      spark.conf().set(RequestSizing.CONCURRENT_WRITES, "5");
      try {
        books.write().format("cosmoscassandra").options(options).mode("append").save();
        books.write().format("cosmoscassandra").options(options).mode("append").save();
      } finally {
        spark.conf().unset(RequestSizing.CONCURRENT_WRITES);
      }
      List<String> said = warnings.all();
      assertEquals(1, said.size(), said.toString());
      assertTrue(
          said.get(0)
              .startsWith(
                  "'spark.cassandra.output.concurrent.writes=5' holds this write to about "),
          said.get(0));
      assertTrue(
          said.get(0)
              .contains(
                  " RU/s of its 2,000 RU/s budget on "
                      + KEYSPACE
                      + ".bulk; remove it to let cosmos-spark size requests from the budget (it"
                      + " would use "),
          said.get(0));
    }
    assertEquals(50, rows("bulk"));
  }

  /**
   * 2.9-Part2's {@code input.fetch.size_in_rows=250} (SCC 2.x's name, which SCC 3 maps itself)
   * under a budget: kept, and the warning says what it costs.
   */
  @Test
  void aPageSizeUnderItsOldNameBelowWhatTheBudgetNeedsIsKeptWithAWarning() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "paged", 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "paged");
    options.put("throughput.targetRuPerSecond", "2000");
    EmulatorBooks.books(spark, 0, 20)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    try (Warnings warnings = new Warnings(RequestSizing.class)) {
      CosmosRuntimes.forgetJobs();
      spark.conf().set("spark.cassandra.input.fetch.size_in_rows", "250");
      try {
        assertEquals(20, spark.read().format("cosmoscassandra").options(options).load().count());
      } finally {
        spark.conf().unset("spark.cassandra.input.fetch.size_in_rows");
      }
      List<String> said = warnings.all();
      assertEquals(1, said.size(), said.toString());
      assertTrue(
          said.get(0)
              .startsWith("'spark.cassandra.input.fetch.sizeInRows=250' holds this read to about "),
          said.get(0));
    }
  }

  private static void checkOne(Setting setting, Planned planned) {
    try {
      setting.check.accept(planned);
    } catch (AssertionError e) {
      throw new AssertionError(
          setting.key
              + "="
              + setting.value
              + " ("
              + setting.source
              + ") should be "
              + setting.outcome
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private <T> T withSessionSettings(List<Setting> settings, java.util.function.Supplier<T> run) {
    CosmosRuntimes.forgetJobs();
    try {
      for (Setting setting : settings) {
        spark.conf().set(setting.key, setting.value);
      }
      return run.get();
    } finally {
      for (Setting setting : settings) {
        spark.conf().unset(setting.key);
        spark.conf().unset(LegacySettings.movedKey(setting.key));
        String renamed = DeprecatedConnectorSettings.replacementOf(setting.key);
        if (renamed != null) {
          spark.conf().unset(renamed);
        }
      }
    }
  }

  private Planned plan(String table) {
    return plan(EmulatorBooks.options(emulator, KEYSPACE, table));
  }

  /** What SCC's write and scan builders read, built from the format's options as SCC builds it. */
  private Planned plan(Map<String, String> options) {
    CosmosCassandraTable table =
        (CosmosCassandraTable)
            new CosmosCassandraTableProvider().getTable(null, new Transform[0], options);
    CaseInsensitiveStringMap connectorOptions = table.catalogConf();
    SparkConf consolidated =
        CassandraSourceUtil.consolidateConfs(
            spark.sparkContext().getConf(),
            spark.conf().getAll(),
            "default",
            KEYSPACE,
            ScalaMaps.toImmutable(connectorOptions));
    CassandraScan scan =
        (CassandraScan) table.newScanBuilder(CaseInsensitiveStringMap.empty()).build();
    return new Planned(
        connectorOptions.asCaseSensitiveMap(),
        consolidated,
        WriteConf.fromSparkConf(consolidated.clone()),
        ReadConf.fromSparkConf(consolidated.clone()),
        CassandraConnectorConf.fromSparkConf(consolidated.clone()),
        scan.readConf());
  }

  private org.apache.spark.sql.DataFrameReader reader(String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .options(EmulatorBooks.options(emulator, KEYSPACE, table));
  }

  private long rows(String table) {
    return direct.execute("SELECT COUNT(*) FROM " + KEYSPACE + "." + table).one().getLong(0);
  }
}

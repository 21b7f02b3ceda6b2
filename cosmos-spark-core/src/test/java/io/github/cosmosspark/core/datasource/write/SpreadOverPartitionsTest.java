package io.github.cosmosspark.core.datasource.write;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.catalog.CosmosCassandraCatalog;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.plans.physical.HashPartitioning;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SortExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AQEShuffleReadExec;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.datasources.v2.V2TableWriteExec;
import org.apache.spark.sql.execution.datasources.v2.WriteToDataSourceV2Exec;
import org.apache.spark.sql.execution.exchange.ShuffleExchangeExec;
import org.apache.spark.sql.execution.streaming.StreamExecution;
import org.apache.spark.sql.execution.streaming.StreamingQueryWrapper;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/**
 * A write asks Spark to cluster its rows by the table's partition key, so every task's rows spread
 * over all of Cosmos's physical partitions: seen as a hash exchange on the key columns in the plan
 * Spark executed, on every path a write takes; {@code write.spreadOverPartitions=false} leaves the
 * input as it is. Either way every row lands exactly.
 */
@CosmosEmulatorTest
class SpreadOverPartitionsTest {
  private static final String KEYSPACE = "spread";
  private static final String OPTION = "write.spreadOverPartitions";
  private static final String SCHEMA = "id INT, title STRING, pages INT";

  private final CosmosEmulator emulator;

  SpreadOverPartitionsTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
  }

  /** The next test's LocalSpark.session() is the shared session, not one a test made active. */
  @AfterEach
  void clearActiveSession() {
    SparkSession.clearActiveSession();
  }

  @Test
  void aWriteByDefaultShufflesByThePartitionKeyAndLandsEveryRow() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "by_default", 10_000);
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 1_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "by_default");

    SparkPlan plan =
        writePlan(
            spark,
            () -> books.write().format("cosmoscassandra").options(options).mode("append").save());

    assertEquals(listOf(listOf("id")), hashExchanges(plan), plan.toString());
    assertEquals(listOf(listOf("id")), sorts(plan), plan.toString());
    // One task per slot (2 here), whatever spark.sql.shuffle.partitions says (4 in tests); adaptive
    // execution does not merge them.
    assertEquals(
        spark.sparkContext().defaultParallelism(),
        exchanges(plan).get(0).outputPartitioning().numPartitions(),
        plan.toString());
    assertEquals(2, spark.sparkContext().defaultParallelism());
    assertFalse(
        nodes(plan).stream().anyMatch(node -> node instanceof AQEShuffleReadExec), plan.toString());
    assertLanded(books, spark, options, "id");
  }

  @Test
  void aWriteWithTheOptionFalseHasNoShuffleAndLandsEveryRow() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "not_spread", 10_000);
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 1_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "not_spread");

    SparkPlan plan =
        writePlan(
            spark,
            () ->
                books
                    .write()
                    .format("cosmoscassandra")
                    .options(options)
                    .option(OPTION, "false")
                    .mode("append")
                    .save());

    assertEquals(0, exchanges(plan).size(), plan.toString());
    assertLanded(books, spark, options, "id");
  }

  @Test
  void theOptionSetFalseInTheSessionConfigurationTurnsTheShuffleOff() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "session_off", 10_000);
    SparkSession spark = LocalSpark.session().newSession();
    spark.conf().set("spark.cosmos.cassandra." + OPTION, "false");
    // The format reads the configuration of the active session.
    SparkSession.setActiveSession(spark);
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 300);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "session_off");

    SparkPlan plan =
        writePlan(
            spark,
            () -> books.write().format("cosmoscassandra").options(options).mode("append").save());

    assertEquals(0, exchanges(plan).size(), plan.toString());
    assertLanded(books, spark, options, "id");
  }

  @Test
  void aCompositePartitionKeyClustersOnAllItsColumnsInKeyOrder() {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE "
              + KEYSPACE
              + ".sales (region text, shop int, day int, amount int,"
              + " PRIMARY KEY ((region, shop), day)) WITH cosmosdb_provisioned_throughput=10000");
    }
    SparkSession spark = LocalSpark.session();
    // The input names the key columns in another order than the key, and after a clustering one.
    Dataset<Row> sales =
        spark
            .range(0, 840)
            .selectExpr(
                "CAST(id AS INT) AS day",
                "CAST(id % 7 AS INT) AS shop",
                "CAST(id * 3 AS INT) AS amount",
                "CONCAT('region-', id % 4) AS region");
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "sales");

    SparkPlan plan =
        writePlan(
            spark,
            () -> sales.write().format("cosmoscassandra").options(options).mode("append").save());

    assertEquals(listOf(listOf("region", "shop")), hashExchanges(plan), plan.toString());
    // Each task sorts by the clustering column first, so that no partition key's rows come in one
    // run, then by the partition key in key order.
    assertEquals(listOf(listOf("day", "region", "shop")), sorts(plan), plan.toString());
    assertLanded(sales, spark, options, "region", "shop", "day");
  }

  @Test
  void aCatalogInsertShufflesByThePartitionKey() {
    SparkSession spark = catalogSession("cosmos_spread");
    spark.sql(
        "CREATE TABLE cosmos_spread."
            + KEYSPACE
            + ".inserted (id INT, title STRING, pages INT) USING cosmoscassandra"
            + " PARTITIONED BY (id) TBLPROPERTIES (cosmosdb_provisioned_throughput='10000')");
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 700);
    books.createOrReplaceTempView("books_to_insert");

    SparkPlan plan =
        writePlan(
            spark,
            () ->
                spark.sql(
                    "INSERT INTO cosmos_spread."
                        + KEYSPACE
                        + ".inserted SELECT id, title, pages FROM books_to_insert"));

    assertEquals(listOf(listOf("id")), hashExchanges(plan), plan.toString());
    Dataset<Row> read = spark.table("cosmos_spread." + KEYSPACE + ".inserted");
    assertEquals(700, read.count());
    assertSameRowsByKey(books, read, "id");
  }

  @Test
  void aCatalogWritesOwnOptionOverridesTheCatalogsSetting() {
    SparkSession spark = catalogSession("cosmos_unspread");
    spark.conf().set("spark.sql.catalog.cosmos_unspread." + OPTION, "false");
    spark.sql(
        "CREATE TABLE cosmos_unspread."
            + KEYSPACE
            + ".overridden (id INT, title STRING, pages INT) USING cosmoscassandra"
            + " PARTITIONED BY (id) TBLPROPERTIES (cosmosdb_provisioned_throughput='10000')");
    String table = "cosmos_unspread." + KEYSPACE + ".overridden";
    Dataset<Row> first = EmulatorBooks.books(spark, 0, 200);
    Dataset<Row> second = EmulatorBooks.books(spark, 200, 400);

    SparkPlan unspread =
        writePlan(spark, () -> spark.sql("INSERT INTO " + table + " SELECT * FROM " + view(first)));
    SparkPlan spread =
        writePlan(
            spark,
            () -> {
              try {
                second.writeTo(table).option(OPTION, "true").append();
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });

    assertEquals(0, exchanges(unspread).size(), unspread.toString());
    assertEquals(listOf(listOf("id")), hashExchanges(spread), spread.toString());
    assertSameRowsByKey(EmulatorBooks.books(spark, 0, 400), spark.table(table), "id");
  }

  @Test
  void aValueOtherThanTrueOrFalseIsRefusedNamingTheOption() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "refused", 1_000);
    SparkSession spark = LocalSpark.session();
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "refused");

    CosmosConfigException refused =
        assertThrows(
            CosmosConfigException.class,
            () ->
                EmulatorBooks.books(spark, 0, 10)
                    .write()
                    .format("cosmoscassandra")
                    .options(options)
                    .option(OPTION, "sometimes")
                    .mode("append")
                    .save());

    assertEquals(
        "Option 'write.spreadOverPartitions' must be true or false, got 'sometimes'.",
        refused.getMessage());
    assertEquals(0, spark.read().format("cosmoscassandra").options(options).load().count());
  }

  /** Spark 3.5 plans micro-batch writes through the same rule as batch writes. */
  @Test
  void aMicroBatchStreamingWriteShufflesByThePartitionKey(
      @TempDir Path input, @TempDir Path checkpoint) throws Exception {
    EmulatorBooks.createTable(emulator, KEYSPACE, "streamed", 10_000);
    SparkSession spark = LocalSpark.session();
    for (int file = 0; file < 2; file++) {
      List<String> lines = new ArrayList<>();
      for (int id = file * 150; id < (file + 1) * 150; id++) {
        lines.add("{\"id\":" + id + ",\"title\":\"title-" + id + "\",\"pages\":" + id % 700 + "}");
      }
      Files.write(input.resolve("books-" + file + ".json"), lines, StandardCharsets.UTF_8);
    }
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "streamed");

    StreamingQuery query =
        spark
            .readStream()
            .schema(SCHEMA)
            .json(input.toString())
            .writeStream()
            .format("cosmoscassandra")
            .options(options)
            .option("checkpointLocation", checkpoint.toString())
            .start();
    query.processAllAvailable();
    StreamExecution execution = ((StreamingQueryWrapper) query).streamingQuery();
    SparkPlan plan = execution.lastExecution().executedPlan();
    query.stop();

    assertTrue(plan instanceof WriteToDataSourceV2Exec, plan.toString());
    assertEquals(listOf(listOf("id")), hashExchanges(plan), plan.toString());
    assertLanded(spark.read().schema(SCHEMA).json(input.toString()), spark, options, "id");
  }

  /**
   * Spark refuses any requested distribution in continuous mode, so the write of a continuous query
   * asks for none and the query runs.
   */
  @Test
  void aContinuousStreamingWriteAsksForNoShuffleAndRuns(@TempDir Path checkpoint) throws Exception {
    EmulatorBooks.createTable(emulator, KEYSPACE, "continuous", 10_000);
    SparkSession spark = LocalSpark.session();
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "continuous");

    StreamingQuery query =
        spark
            .readStream()
            .format("rate")
            .option("rowsPerSecond", "50")
            .option("numPartitions", "1")
            .load()
            .selectExpr(
                "CAST(value AS INT) AS id",
                "CONCAT('title-', value) AS title",
                "CAST(value % 700 AS INT) AS pages")
            .writeStream()
            .format("cosmoscassandra")
            .options(options)
            .option("checkpointLocation", checkpoint.toString())
            .trigger(Trigger.Continuous(500, TimeUnit.MILLISECONDS))
            .start();
    long landed = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      while (landed < 20 && query.isActive() && System.nanoTime() < deadline) {
        Thread.sleep(500);
        landed = spark.read().format("cosmoscassandra").options(options).load().count();
      }
      assertTrue(
          query.isActive(),
          "the continuous query stopped: "
              + (query.exception().isDefined() ? query.exception().get() : "no exception"));
    } finally {
      query.stop();
    }

    assertFalse(query.exception().isDefined(), String.valueOf(query.exception()));
    assertTrue(landed >= 20, "rows written by the continuous query: " + landed);
    List<Row> rows = spark.read().format("cosmoscassandra").options(options).load().collectAsList();
    for (Row row : rows) {
      int id = row.getInt(row.fieldIndex("id"));
      assertEquals("title-" + id, row.getString(row.fieldIndex("title")), "row " + id);
      assertEquals(id % 700, row.getInt(row.fieldIndex("pages")), "row " + id);
    }
  }

  // Helpers.

  /**
   * The executed plan of the one write {@code write} runs, as a {@link QueryExecutionListener} sees
   * it once Spark has run it; fails unless exactly one write ran, and ran without failure.
   */
  private static SparkPlan writePlan(SparkSession spark, Runnable write) {
    List<SparkPlan> writes = new CopyOnWriteArrayList<>();
    List<Exception> failures = new CopyOnWriteArrayList<>();
    QueryExecutionListener listener =
        new QueryExecutionListener() {
          @Override
          public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
            SparkPlan plan = qe.executedPlan();
            if (nodes(plan).stream().anyMatch(node -> node instanceof V2TableWriteExec)) {
              writes.add(plan);
            }
          }

          @Override
          public void onFailure(String funcName, QueryExecution qe, Exception exception) {
            failures.add(exception);
          }
        };
    spark.listenerManager().register(listener);
    try {
      write.run();
      spark.sparkContext().listenerBus().waitUntilEmpty(30_000L);
    } catch (TimeoutException e) {
      throw new AssertionError("Spark's listener bus did not drain in 30 s", e);
    } finally {
      spark.listenerManager().unregister(listener);
    }
    assertEquals(new ArrayList<Exception>(), failures);
    assertEquals(1, writes.size(), "writes seen: " + writes);
    return writes.get(0);
  }

  /** Every node of {@code plan}, into adaptive plans' final plans and their query stages. */
  private static List<SparkPlan> nodes(SparkPlan plan) {
    List<SparkPlan> nodes = new ArrayList<>();
    Deque<SparkPlan> pending = new ArrayDeque<>();
    pending.push(plan);
    while (!pending.isEmpty()) {
      SparkPlan node = pending.pop();
      nodes.add(node);
      if (node instanceof AdaptiveSparkPlanExec) {
        pending.push(((AdaptiveSparkPlanExec) node).executedPlan());
      } else if (node instanceof QueryStageExec) {
        pending.push(((QueryStageExec) node).plan());
      } else {
        for (SparkPlan child : JavaConverters.seqAsJavaList(node.children())) {
          pending.push(child);
        }
      }
    }
    return nodes;
  }

  private static List<ShuffleExchangeExec> exchanges(SparkPlan plan) {
    List<ShuffleExchangeExec> exchanges = new ArrayList<>();
    for (SparkPlan node : nodes(plan)) {
      if (node instanceof ShuffleExchangeExec) {
        exchanges.add((ShuffleExchangeExec) node);
      }
    }
    return exchanges;
  }

  /**
   * The columns each shuffle of {@code plan} hashes by; a shuffle of another kind fails the test.
   */
  private static List<List<String>> hashExchanges(SparkPlan plan) {
    List<List<String>> hashed = new ArrayList<>();
    for (ShuffleExchangeExec exchange : exchanges(plan)) {
      assertTrue(exchange.outputPartitioning() instanceof HashPartitioning, exchange.toString());
      List<String> columns = new ArrayList<>();
      for (Expression expression :
          JavaConverters.seqAsJavaList(
              ((HashPartitioning) exchange.outputPartitioning()).expressions())) {
        assertTrue(expression instanceof Attribute, expression.toString());
        columns.add(((Attribute) expression).name());
      }
      hashed.add(columns);
    }
    return hashed;
  }

  /** The columns each sort of {@code plan} orders by, ascending; another sort fails the test. */
  private static List<List<String>> sorts(SparkPlan plan) {
    List<List<String>> sorted = new ArrayList<>();
    for (SparkPlan node : nodes(plan)) {
      if (node instanceof SortExec) {
        List<String> columns = new ArrayList<>();
        for (SortOrder order : JavaConverters.seqAsJavaList(((SortExec) node).sortOrder())) {
          assertTrue(order.isAscending(), order.toString());
          assertTrue(order.child() instanceof Attribute, order.toString());
          columns.add(((Attribute) order.child()).name());
        }
        sorted.add(columns);
      }
    }
    return sorted;
  }

  private static void assertLanded(
      Dataset<Row> expected,
      SparkSession spark,
      Map<String, String> options,
      String... keyColumns) {
    Dataset<Row> read = spark.read().format("cosmoscassandra").options(options).load();
    assertEquals(expected.count(), read.count());
    assertSameRowsByKey(expected, read, keyColumns);
  }

  /** A new session with catalog {@code catalog} on the emulator, made the active session. */
  private SparkSession catalogSession(String catalog) {
    SparkSession session = LocalSpark.session().newSession();
    session.conf().set("spark.sql.catalog." + catalog, CosmosCassandraCatalog.class.getName());
    for (Map.Entry<String, String> setting : EmulatorBooks.connectionOptions(emulator).entrySet()) {
      session
          .conf()
          .set(
              "spark.sql.catalog."
                  + catalog
                  + "."
                  + setting.getKey().substring("spark.cosmos.cassandra.".length()),
              setting.getValue());
    }
    SparkSession.setActiveSession(session);
    return session;
  }

  private static String view(Dataset<Row> rows) {
    String name = "rows_" + System.identityHashCode(rows);
    rows.createOrReplaceTempView(name);
    return name;
  }

  @SafeVarargs
  private static <T> List<T> listOf(T... items) {
    List<T> list = new ArrayList<>();
    for (T item : items) {
      list.add(item);
    }
    return list;
  }
}

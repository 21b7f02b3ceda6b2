package io.github.cosmosspark.core.throughput;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.spark.connector.datasource.CassandraScan;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/** Writes through throughput control, read back by the emulator's per-second request units. */
@CosmosEmulatorTest
class ThroughputControlTest {
  private static final String KEYSPACE = "throughput_control";

  private final CosmosEmulator emulator;

  ThroughputControlTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
  }

  @AfterEach
  void forgetBudgets() {
    CosmosRuntimes.forgetJobs();
  }

  @Test
  void aTargetKeepsEverySecondWithinTenPercentOfIt() {
    createTable("target", 10_000);
    Map<String, String> options = settings("target");
    options.put("throughput.targetRuPerSecond", "1000");

    Dataset<Row> books = write(options, 2_000);

    TableStatistics statistics = emulator.statistics(KEYSPACE + ".target").get();
    assertEquals(0, statistics.rateLimited());
    assertWithin(statistics, 1_000 * 1.1);
    assertSameRowsByKey(books, read(options), "id");
  }

  @Test
  void withoutATargetTheBudgetIsAFractionOfTheDeclaredThroughput() {
    createTable("fraction", 1_000);
    Map<String, String> options = settings("fraction");
    options.put("throughput.provisionedRuPerSecond", "1000");

    Dataset<Row> books = write(options, 1_500);

    TableStatistics statistics = emulator.statistics(KEYSPACE + ".fraction").get();
    assertTrue(
        statistics.rateLimited() <= statistics.requests() / 100,
        "at most 1 % of requests throttled: " + statistics);
    assertWithin(statistics, 900 * 1.1);
    assertSameRowsByKey(books, read(options), "id");
  }

  @Test
  void offSendsAsFastAsSparkCanAndLeavesTheRestToRetries() {
    createTable("off", 1_000);
    Map<String, String> options = settings("off");
    options.put("throughput.provisionedRuPerSecond", "1000");
    options.put("throughput.control", "false");

    Dataset<Row> books = write(options, 1_500);

    TableStatistics statistics = emulator.statistics(KEYSPACE + ".off").get();
    assertTrue(statistics.rateLimited() > 100, "a storm of 429s: " + statistics);
    assertSameRowsByKey(books, read(options), "id");
  }

  @Test
  void withNothingDeclaredTheJobLearnsTheTablesRateFromItsFirst429s() {
    createTable("retried", 1_000);
    createTable("learned", 1_000);
    Map<String, String> retriesOnly = settings("retried");
    retriesOnly.put("throughput.control", "false");

    write(retriesOnly, 3_000);
    Dataset<Row> books = write(settings("learned"), 3_000);

    long retried = emulator.statistics(KEYSPACE + ".retried").get().rateLimited();
    TableStatistics statistics = emulator.statistics(KEYSPACE + ".learned").get();
    TableThrottle learned = CosmosRuntime.get().throttles().forTable(KEYSPACE + ".learned");
    assertTrue(learned != null && learned.isLearning(), "a throttle learned from 429s");
    assertTrue(
        statistics.rateLimited() * 2 < retried,
        "429s learning: "
            + statistics.rateLimited()
            + ", retries alone: "
            + retried
            + "; RU per second learning: "
            + new TreeMap<>(statistics.requestUnitsPerSecond()));
    assertSameRowsByKey(books, read(settings("learned")), "id");
  }

  @Test
  void twoConcurrentJobsOnOneTableShareItsBudget() throws Exception {
    createTable("shared", 1_000);
    Map<String, String> options = settings("shared");
    options.put("throughput.provisionedRuPerSecond", "1000");
    SparkSession spark = LocalSpark.session();
    Dataset<Row> first = books(spark, 0, 1_000);
    Dataset<Row> second = books(spark, 1_000, 2_000);

    ExecutorService jobs = Executors.newFixedThreadPool(2);
    try {
      Future<?> a =
          jobs.submit(
              () -> first.write().format("cosmoscassandra").options(options).mode("append").save());
      Future<?> b =
          jobs.submit(
              () ->
                  second.write().format("cosmoscassandra").options(options).mode("append").save());
      a.get();
      b.get();
    } finally {
      jobs.shutdown();
    }

    TableStatistics statistics = emulator.statistics(KEYSPACE + ".shared").get();
    assertTrue(
        statistics.rateLimited() <= statistics.requests() / 100,
        "at most 1 % of requests throttled: " + statistics);
    assertWithin(statistics, 900 * 1.1);
    assertSameRowsByKey(first.union(second), read(options), "id");
  }

  @Test
  void aScanOfRowsLargerThanTheSchemaSaysKeepsEverySecondWithinTenPercentOfItsBudget() {
    createTable("scanned", 1_000_000);
    Map<String, String> options = settings("scanned");
    options.put("throughput.control", "false");
    // ~1 KB rows, which the schema estimates at 40 B: the first pages are 25 times too costly.
    Dataset<Row> books =
        books(LocalSpark.session(), 0, 4_000)
            .selectExpr("id", "CONCAT(title, REPEAT('x', 1000)) AS title", "pages");
    books.write().format("cosmoscassandra").options(options).mode("append").save();
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "ALTER TABLE " + KEYSPACE + ".scanned WITH cosmosdb_provisioned_throughput=1000");
    }
    emulator.resetStatistics();
    options.put("throughput.control", "true");
    options.put("throughput.provisionedRuPerSecond", "1000");

    Dataset<Row> read =
        LocalSpark.session().read().format("cosmoscassandra").options(options).load();
    assertSameRowsByKey(books, read, "id");

    TableStatistics statistics = emulator.statistics(KEYSPACE + ".scanned").get();
    assertEquals(0, statistics.rateLimited());
    assertWithin(statistics, 900 * 1.1);
  }

  @Test
  void aScanPagesAtATenthOfATasksSecondOfBudgetUnlessTheUserChoseAPageSize() {
    createTable("paged", 10_000);
    Map<String, String> options = settings("paged");
    options.put("throughput.targetRuPerSecond", "100");

    // local[2]: two tasks share 100 RU/s; a books row is estimated at 40 B, 1/25.6 RU.
    assertEquals(128, fetchSize(options));
    options.put("spark.cassandra.input.fetch.sizeInRows", "77");
    assertEquals(77, fetchSize(options));
  }

  private static int fetchSize(Map<String, String> options) {
    Dataset<Row> read =
        LocalSpark.session().read().format("cosmoscassandra").options(options).load();
    for (SparkPlan leaf :
        JavaConverters.seqAsJavaListConverter(read.queryExecution().executedPlan().collectLeaves())
            .asJava()) {
      if (leaf instanceof BatchScanExec) {
        return ((CassandraScan) ((BatchScanExec) leaf).scan()).readConf().fetchSizeInRows();
      }
    }
    throw new AssertionError("no scan in " + read.queryExecution().executedPlan());
  }

  /** Every whole second but the first stays within {@code limit} request units. */
  private static void assertWithin(TableStatistics statistics, double limit) {
    List<Map.Entry<Long, Double>> seconds =
        new ArrayList<>(new TreeMap<>(statistics.requestUnitsPerSecond()).entrySet());
    assertTrue(seconds.size() >= 4, "ran for several seconds: " + seconds);
    for (Map.Entry<Long, Double> second : seconds.subList(1, seconds.size() - 1)) {
      assertTrue(
          second.getValue() <= limit,
          String.format(
              "%,.0f RU in second %d, limit %,.0f: %s",
              second.getValue(), second.getKey(), limit, seconds));
    }
  }

  private Dataset<Row> write(Map<String, String> options, int rows) {
    Dataset<Row> books = books(LocalSpark.session(), 0, rows);
    books.write().format("cosmoscassandra").options(options).mode("append").save();
    return books;
  }

  private static Dataset<Row> books(SparkSession spark, int from, int to) {
    return EmulatorBooks.books(spark, from, to);
  }

  private static Dataset<Row> read(Map<String, String> options) {
    Map<String, String> unthrottled = new HashMap<>(options);
    unthrottled.put("throughput.control", "false");
    return LocalSpark.session().read().format("cosmoscassandra").options(unthrottled).load();
  }

  private void createTable(String name, int ruPerSecond) {
    EmulatorBooks.createTable(emulator, KEYSPACE, name, ruPerSecond);
  }

  private Map<String, String> settings(String table) {
    return EmulatorBooks.options(emulator, KEYSPACE, table);
  }
}

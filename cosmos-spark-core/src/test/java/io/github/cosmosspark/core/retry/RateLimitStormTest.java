package io.github.cosmosspark.core.retry;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.driver.DriverThreadSampler;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.Fault;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spark jobs through {@code format("cosmoscassandra")} against tables whose throughput is far below
 * what the job asks for, so that the emulator's budget answers with real 429s.
 */
@CosmosEmulatorTest
class RateLimitStormTest {
  private static final String KEYSPACE = "retry_storm";

  private final CosmosEmulator emulator;

  RateLimitStormTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
  }

  @Test
  void writesAndReadsEveryRowThroughA429StormWithoutADriverThreadSleeping() throws Exception {
    // Two local tasks write about 15,000 RU/s unthrottled; the table has 1,000.
    createTable("storm", 1_000);
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books = books(spark, 2_000);
    RetryStatistics.Snapshot before = CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".storm");

    DriverThreadSampler sampler = new DriverThreadSampler();
    try {
      books.write().format("cosmoscassandra").options(settings("storm")).mode("append").save();
      RetryStatistics.Snapshot writing =
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".storm").minus(before);
      TableStatistics table = emulator.statistics(KEYSPACE + ".storm").get();
      assertTrue(writing.rateLimited() > 100, "a storm, not a shower: " + writing);
      assertEquals(table.rateLimited(), writing.rateLimited(), "every 429 the emulator sent");
      assertEquals(writing.rateLimited(), writing.retries());
      assertEquals(0, writing.exhausted());

      emulator.failNext(10, Fault.OVERLOADED);
      Dataset<Row> read =
          spark
              .read()
              .format("cosmoscassandra")
              .options(settings("storm"))
              .option("spark.cassandra.input.fetch.sizeInRows", "50")
              .load();
      assertSameRowsByKey(books, read, "id");
      assertEquals(2_000, read.count());
    } finally {
      sampler.close();
    }
    assertTrue(
        sampler.samplesWithDriverThreads() > 20,
        "thread dumps that saw driver threads: " + sampler.samplesWithDriverThreads());
    assertEquals(
        0, sampler.sleeping().size(), "driver threads seen sleeping: " + sampler.sleeping());
  }

  @Test
  void countQueriesAndDirectJoinLookupsAreResentAfter429s() {
    createTable("lookups", 100_000);
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books = books(spark, 500);
    books.write().format("cosmoscassandra").options(settings("lookups")).mode("append").save();
    Dataset<Row> table = spark.read().format("cosmoscassandra").options(settings("lookups")).load();

    RetryStatistics.Snapshot beforeCount =
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".lookups");
    emulator.failNext(6, Fault.OVERLOADED);
    long counted = table.count();
    RetryStatistics.Snapshot counting =
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".lookups").minus(beforeCount);

    Dataset<Row> keys = spark.range(20).selectExpr("CAST(id * 25 AS INT) AS id");
    Dataset<Row> joined =
        keys.join(
            spark
                .read()
                .format("cosmoscassandra")
                .options(settings("lookups"))
                .option("directJoinSetting", "on")
                .load(),
            "id");
    assertTrue(joined.queryExecution().executedPlan().toString().contains("Cassandra Direct Join"));
    RetryStatistics.Snapshot beforeJoin =
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".lookups");
    emulator.failNext(6, Fault.OVERLOADED);
    List<Row> joinedRows = joined.collectAsList();
    RetryStatistics.Snapshot joining =
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".lookups").minus(beforeJoin);

    assertEquals(500, counted);
    assertEquals(6, counting.rateLimited());
    assertEquals(20, joinedRows.size());
    assertSameRowsByKey(books.filter("id % 25 = 0"), joined, "id");
    assertEquals(6, joining.rateLimited());
  }

  @Test
  void aRequestThatStaysRateLimitedFailsTheJobWithAnErrorNamingTheTable() {
    createTable("exhaust", 400);
    SparkSession spark = LocalSpark.session();
    Map<String, String> settings = settings("exhaust");
    settings.put("retry.maxAttempts", "1");

    Exception failure =
        assertThrows(
            Exception.class,
            () ->
                books(spark, 3_000)
                    .write()
                    .format("cosmoscassandra")
                    .options(settings)
                    .mode("append")
                    .save());

    String chain = stackTrace(failure);
    assertTrue(
        chain.contains("Cosmos DB rate-limited a request to " + KEYSPACE + ".exhaust once"), chain);
    assertTrue(chain.contains("spark.cosmos.cassandra.retry.maxAttempts=1"), chain);
    assertTrue(CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".exhaust").exhausted() >= 1);
  }

  private void createTable(String name, int ruPerSecond) {
    EmulatorBooks.createTable(emulator, KEYSPACE, name, ruPerSecond);
  }

  private Map<String, String> settings(String table) {
    Map<String, String> settings = EmulatorBooks.options(emulator, KEYSPACE, table);
    // Retries alone: throughput control would learn the table's rate from the first 429s.
    settings.put("throughput.control", "false");
    return settings;
  }

  private static Dataset<Row> books(SparkSession spark, int count) {
    return EmulatorBooks.books(spark, 0, count);
  }

  private static String stackTrace(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }
}

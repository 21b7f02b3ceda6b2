package io.github.cosmosspark.core.reliability;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.HeldRequests;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An account with server-side retry: Cosmos holds requests over the table's throughput instead of
 * answering 429, so the connector never hears of the budget from a 429; requests slow down and,
 * held past 60 s, time out. A write and a full scan whose table has a tenth of their unthrottled
 * demand (at least a fifth where Cosmos's 400 RU/s minimum binds), throughput undeclared, must
 * still be exact by key with no failed task. Prints wall time against the RU floor
 * (docs/reliability.md). About 100 s, so it runs with {@code -Pscenarios}, not in every build.
 */
@Tag("scenario")
@CassandraTest
class ServerSideRetryStormTest {
  private static final String KEYSPACE = "reliability_ssr";
  private static final int ROWS = Integer.getInteger("cosmos.reliability.ssrRows", 3_000);
  private static final int ROW_BYTES = Integer.getInteger("cosmos.reliability.ssrRowBytes", 1_000);
  private static final int UNLIMITED = 1_000_000;

  @Test
  void aWriteAndAScanFarOverBudgetAreExactWithNoFailedTask(CassandraServer cassandra) {
    try (CosmosEmulator emulator =
        CosmosEmulator.builder(cassandra).serverSideRetry(true).build().start()) {
      EmulatorBooks.createKeyspace(emulator, KEYSPACE);
      SparkSession spark = LocalSpark.session();
      AtomicInteger failedTasks = new AtomicInteger();
      SparkListener failures =
          new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
              if (!taskEnd.taskInfo().successful()) {
                failedTasks.incrementAndGet();
              }
            }
          };
      spark.sparkContext().addSparkListener(failures);
      try {
        Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "storm");
        Map<String, String> demandOptions = EmulatorBooks.options(emulator, KEYSPACE, "demand");
        // The demand, unthrottled and warm, on a table of its own: the storm's table is created at
        // its budget, with the one physical partition Cosmos gives it (a table lowered from a
        // high throughput keeps its many partitions, each with a sliver of the budget).
        setThroughput(emulator, "demand", UNLIMITED, true);
        write(books(spark, -500, 0), demandOptions, false);
        emulator.resetStatistics();
        long sampleStart = System.nanoTime();
        write(books(spark, 0, ROWS), demandOptions, false);
        double writeDemand =
            emulator.statistics(KEYSPACE + ".demand").get().requestUnits()
                / secondsSince(sampleStart);
        int writeBudget = budgetBelow(writeDemand);

        setThroughput(emulator, "storm", writeBudget, true);
        emulator.resetStatistics();
        Dataset<Row> books = books(spark, 0, ROWS);
        RetryStatistics.Snapshot beforeWrite = retries();
        long slowBeforeWrite = slowAnswers();
        long writeStart = System.nanoTime();
        write(books, options, true);
        double writeSeconds = secondsSince(writeStart);
        RetryStatistics.Snapshot writing = retries().minus(beforeWrite);
        long writeSlowAnswers = slowAnswers() - slowBeforeWrite;
        TableStatistics written = emulator.statistics(KEYSPACE + ".storm").get();
        HeldRequests writeHeld = emulator.heldRequests(KEYSPACE + ".storm");
        int writeFailedTasks = failedTasks.get();

        emulator.resetStatistics();
        long scanSampleStart = System.nanoTime();
        // The demand table holds the warm-up's 500 rows too.
        assertEquals(ROWS + 500, scan(spark, demandOptions).collectAsList().size());
        double scanDemand =
            emulator.statistics(KEYSPACE + ".demand").get().requestUnits()
                / secondsSince(scanSampleStart);
        int scanBudget = budgetBelow(scanDemand);
        setThroughput(emulator, "storm", scanBudget, false);
        emulator.resetStatistics();
        HeldRequests heldBeforeScan = emulator.heldRequests(KEYSPACE + ".storm");
        RetryStatistics.Snapshot beforeScan = retries();
        long slowBeforeScan = slowAnswers();
        long scanStart = System.nanoTime();
        assertSameRowsByKey(books, scan(spark, options), "id");
        double scanSeconds = secondsSince(scanStart);
        RetryStatistics.Snapshot scanning = retries().minus(beforeScan);
        long scanSlowAnswers = slowAnswers() - slowBeforeScan;
        TableStatistics scanned = emulator.statistics(KEYSPACE + ".storm").get();
        HeldRequests scanHeld = emulator.heldRequests(KEYSPACE + ".storm");

        System.out.printf(
            "Server-side retry storm, %,d rows of ~%,d bytes: write demand %,.0f RU/s (%.1f x),"
                + " budget %,d RU/s; write %.1f s, floor %.1f s, ratio %.2f; %,d requests held then"
                + " run, %,d timed out, %,d ms held; %,d answers slow enough to slow down; failed"
                + " tasks %d; retries: %s%n",
            ROWS,
            ROW_BYTES,
            writeDemand,
            writeDemand / writeBudget,
            writeBudget,
            writeSeconds,
            written.requestUnits() / writeBudget,
            writeSeconds / (written.requestUnits() / writeBudget),
            writeHeld.ran(),
            writeHeld.timedOut(),
            writeHeld.heldMillis(),
            writeSlowAnswers,
            writeFailedTasks,
            writing);
        System.out.printf(
            "Server-side retry storm, scan: demand %,.0f RU/s (%.1f x), budget %,d RU/s; scan"
                + " and compare %.1f s, floor %.1f s; %,d held then run, %,d timed out (in all,"
                + " with the write's), %,d ms held; %,d slow answers; failed tasks %d; retries:"
                + " %s%n",
            scanDemand,
            scanDemand / scanBudget,
            scanBudget,
            scanSeconds,
            scanned.requestUnits() / scanBudget,
            scanHeld.ran() - heldBeforeScan.ran(),
            scanHeld.timedOut(),
            scanHeld.heldMillis() - heldBeforeScan.heldMillis(),
            scanSlowAnswers,
            failedTasks.get() - writeFailedTasks,
            scanning);

        // A tenth of the demand where the machine allows. Cosmos's minimum of 400 RU/s binds on a
        // machine that writes or scans 1 KB rows under 4,000 RU/s (1,866 to 3,704 RU/s measured on
        // two busy cores): the test asks for three times, still a storm in which requests are
        // held; figures at larger multiples come from larger rows (cosmos.reliability.ssrRowBytes).
        assertTrue(
            writeDemand / writeBudget >= 3, "the write's budget is at most a third of demand");
        assertTrue(scanDemand / scanBudget >= 3, "the scan's budget is at most a third of demand");
        assertEquals(0, written.rateLimited(), "server-side retry: no 429 reached the client");
        assertTrue(writeHeld.ran() > 0, "the write was held over budget: " + writeHeld);
        assertEquals(ROWS, written.requests(), "every row written once");
        assertEquals(0, failedTasks.get(), "no task failed");
        assertEquals(0, writing.exhausted());
        assertEquals(0, scanning.exhausted());
      } finally {
        spark.sparkContext().removeSparkListener(failures);
      }
    }
  }

  /** A tenth of the demand, in whole hundreds as Cosmos provisions, never under its 400 floor. */
  private static int budgetBelow(double ruPerSecond) {
    return Math.max(400, (int) (ruPerSecond / 10 / 100) * 100);
  }

  private static long slowAnswers() {
    return CosmosRuntime.get().throttles().slowAnswers(KEYSPACE + ".storm");
  }

  private static RetryStatistics.Snapshot retries() {
    return CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".storm");
  }

  private static void write(
      Dataset<Row> rows, Map<String, String> options, boolean throughputControl) {
    rows.write()
        .format("cosmoscassandra")
        .options(options)
        .option("throughput.control", Boolean.toString(throughputControl))
        .mode("append")
        .save();
  }

  private static Dataset<Row> scan(SparkSession spark, Map<String, String> options) {
    return spark.read().format("cosmoscassandra").options(options).load();
  }

  private static void setThroughput(
      CosmosEmulator emulator, String table, int ruPerSecond, boolean create) {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          (create
                  ? "CREATE TABLE "
                      + KEYSPACE
                      + "."
                      + table
                      + " (id int PRIMARY KEY, title text, pages int)"
                  : "ALTER TABLE " + KEYSPACE + "." + table)
              + " WITH cosmosdb_provisioned_throughput="
              + ruPerSecond);
    }
  }

  private static Dataset<Row> books(SparkSession spark, int from, int to) {
    return EmulatorBooks.heavyBooks(spark, from, to, ROW_BYTES);
  }

  private static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}

package io.github.cosmosspark.core.metrics;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.Fault;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ui.SQLAppStatusStore;
import org.apache.spark.sql.execution.ui.SQLExecutionUIData;
import org.apache.spark.sql.execution.ui.SQLPlanMetric;
import org.apache.spark.sql.execution.ui.SparkPlanGraphNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/**
 * The Cosmos metrics of a write and a scan, read back from Spark's SQL status store (what the SQL
 * tab shows), against what the emulator itself charged and refused.
 */
@CosmosEmulatorTest
class SparkUiMetricsTest {
  private static final String KEYSPACE = "ui_metrics";
  private static final String TABLE = "books";
  private static final int ROWS = 400;
  private static final int INJECTED_429S = 4;

  private final CosmosEmulator emulator;

  SparkUiMetricsTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createTable(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, TABLE, 10_000);
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
    CosmosRuntimes.forgetJobs();
  }

  @Test
  void theSqlTabShowsWhatEveryWriteAndScanRequestCostAndHowOftenItWasRefused() {
    SparkSession spark = LocalSpark.session();
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, TABLE);
    // Under a budget, so that requests wait for it and many are still in flight at commit.
    options.put("throughput.targetRuPerSecond", "2000");
    Dataset<Row> books = EmulatorBooks.books(spark, 0, ROWS);

    long beforeWrite = lastExecutionId(spark);
    emulator.failNext(INJECTED_429S, Fault.OVERLOADED);
    books.write().format("cosmoscassandra").options(options).mode("append").save();
    Map<String, String> written = cosmosMetrics(spark, beforeWrite, "writes");
    double writeCharge = emulator.statistics(KEYSPACE + "." + TABLE).get().requestUnits();

    emulator.resetStatistics();
    long beforeRead = lastExecutionId(spark);
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .options(options)
            .option("spark.cassandra.input.fetch.sizeInRows", "50")
            .load();
    assertSameRowsByKey(books, read, "id");
    Map<String, String> scanned = cosmosMetrics(spark, beforeRead, "reads");
    double readCharge = emulator.statistics(KEYSPACE + "." + TABLE).get().requestUnits();

    assertEquals(String.valueOf(ROWS), written.get("Cosmos write requests answered"));
    assertEquals(writeCharge, requestUnits(written.get("Cosmos RU charged for writes")), 0.005);
    assertEquals(
        String.valueOf(INJECTED_429S),
        written.get("Cosmos 429s (request rate too large) on writes"));
    assertEquals(
        String.valueOf(INJECTED_429S),
        written.get("Cosmos writes resent after a wait (429, 449, timeout, lost connection)"));
    long backoff =
        Long.parseLong(written.get("ms writes waited before resends (summed over requests)"));
    assertTrue(backoff >= INJECTED_429S * 100 && backoff <= INJECTED_429S * 125, "" + backoff);
    assertTrue(
        Long.parseLong(written.get("ms writes waited for RU budget (summed over requests)")) > 0,
        written.toString());

    // The scan's tasks, and the driver's pages that estimated the table's rows to split the scan.
    double probeCharge =
        requestUnits(scanned.get("Cosmos RU charged to estimate the table's rows (planning)"));
    assertTrue(probeCharge > 0, scanned.toString());
    assertEquals(
        readCharge, requestUnits(scanned.get("Cosmos RU charged for reads")) + probeCharge, 0.01);
    long pages = Long.parseLong(scanned.get("Cosmos read requests answered"));
    assertTrue(pages >= ROWS / 50, "one request per page of 50 rows at least: " + scanned);
    assertEquals("0", scanned.get("Cosmos 429s (request rate too large) on reads"));
  }

  @Test
  void aHotPhysicalPartitionShowsInTheSqlTabAndTheRuntimeNamesItsKeys() {
    String table = "hot";
    String qualified = KEYSPACE + "." + table;
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 4_000);
    emulator.physicalPartitions(qualified, 4);
    // Keys of one partition only: 1,000 RU/s for them while the job's budget is 3,600 RU/s.
    List<Integer> ids = new ArrayList<>();
    for (int id = 0; ids.size() < 1_200; id++) {
      if (emulator.physicalPartitionOf(qualified, TypeCodecs.INT.encode(id, ProtocolVersion.V4))
          == 2) {
        ids.add(id);
      }
    }
    SparkSession spark = LocalSpark.session();
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    options.put("throughput.provisionedRuPerSecond", "4000");
    Dataset<Row> books =
        spark
            .createDataset(ids, Encoders.INT())
            .toDF("id")
            .selectExpr(
                "id", "CONCAT('title-', id, REPEAT('x', 900)) AS title", "id % 700 AS pages");

    long before = lastExecutionId(spark);
    books.write().format("cosmoscassandra").options(options).mode("append").save();

    // Taken before reading back: a scan's pages draw on every partition.
    TableStatistics statistics = emulator.statistics(qualified).get();
    assertSameRowsByKey(
        books, spark.read().format("cosmoscassandra").options(options).load(), "id");
    assertEquals(ids.size(), statistics.partitions().get(2).requests());
    assertTrue(statistics.rateLimited() > 0, "the partition was over its share: " + statistics);
    Map<String, String> written = cosmosMetrics(spark, before, "writes");
    long underBudget =
        Long.parseLong(
            written.get("Cosmos 429s on writes while under the budget (a hot physical partition)"));
    assertTrue(underBudget > 0, written.toString());
    assertTrue(
        underBudget
            <= Long.parseLong(written.get("Cosmos 429s (request rate too large) on writes")),
        written.toString());
    String finding = CosmosRuntime.get().hotPartitions().finding(qualified);
    assertTrue(
        finding != null && finding.contains("one physical partition is over its part"),
        String.valueOf(finding));
  }

  private static double requestUnits(String shown) {
    return Double.parseDouble(shown.replace(",", ""));
  }

  private static long lastExecutionId(SparkSession spark) {
    long last = -1;
    for (SQLExecutionUIData execution : executions(spark)) {
      last = Math.max(last, execution.executionId());
    }
    return last;
  }

  private static Iterable<SQLExecutionUIData> executions(SparkSession spark) {
    return JavaConverters.seqAsJavaListConverter(statusStore(spark).executionsList()).asJava();
  }

  private static SQLAppStatusStore statusStore(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("Spark's listener bus did not drain", e);
    }
    return spark.sharedState().statusStore();
  }

  /**
   * The Cosmos metrics, by description as the SQL tab labels them, of the one node of an execution
   * after {@code after} that has them.
   */
  private static Map<String, String> cosmosMetrics(SparkSession spark, long after, String kind) {
    SQLAppStatusStore store = statusStore(spark);
    Map<String, String> found = new HashMap<>();
    for (SQLExecutionUIData execution : executions(spark)) {
      if (execution.executionId() <= after) {
        continue;
      }
      Map<Object, String> values =
          JavaConverters.mapAsJavaMapConverter(store.executionMetrics(execution.executionId()))
              .asJava();
      for (SparkPlanGraphNode node :
          JavaConverters.seqAsJavaListConverter(store.planGraph(execution.executionId()).allNodes())
              .asJava()) {
        for (SQLPlanMetric metric :
            JavaConverters.seqAsJavaListConverter(node.metrics()).asJava()) {
          if (metric.name().startsWith("Cosmos RU charged for " + kind)) {
            assertTrue(found.isEmpty(), "one node with Cosmos metrics: " + found);
            for (SQLPlanMetric each :
                JavaConverters.seqAsJavaListConverter(node.metrics()).asJava()) {
              found.put(each.name(), values.get(each.accumulatorId()));
            }
          }
        }
      }
    }
    assertTrue(!found.isEmpty(), "no node reports Cosmos " + kind);
    return found;
  }
}

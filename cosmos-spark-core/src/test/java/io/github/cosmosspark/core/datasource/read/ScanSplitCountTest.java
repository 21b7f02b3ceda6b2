package io.github.cosmosspark.core.datasource.read;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.core.session.TableSizeProbe;
import io.github.cosmosspark.core.throughput.RequestUnitStatistics;
import io.github.cosmosspark.core.throughput.RowEstimate;
import io.github.cosmosspark.core.throughput.ScanSplits;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/**
 * A full scan of a table of 100,000 rows on local[2]: its split count comes from the table's
 * estimated rows, the budget and the slots ({@link ScanSplits}), unless the user set one.
 */
@CosmosEmulatorTest
class ScanSplitCountTest {
  private static final String KEYSPACE = "scan_splits";
  private static final String TABLE = "books";
  private static final String EMPTY = "empty_books";
  private static final String WIDE = "wide_books";
  private static final int WIDE_ROWS = 5_000;
  private static final int WIDE_TITLE = 1_000;
  private static final int ROWS = 100_000;

  /** A books row as the table's schema sizes it: 4 + 20 + 4 bytes, and 4 per column. */
  private static final long ROW_BYTES = 40;

  /**
   * Loose enough for 4,000 sampled tokens (about 1.6 % of standard error), tight enough to mean it.
   */
  private static final double TOLERANCE = 0.10;

  private final CosmosEmulator emulator;

  ScanSplitCountTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  /**
   * Straight into the Cassandra behind the emulator: through Cosmos's budget the rows would take
   * minutes, and the test is about reading them.
   */
  @BeforeAll
  static void loadBooks(CosmosEmulator emulator, CqlSession cassandra) throws Exception {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, TABLE, 10_000);
    EmulatorBooks.createTable(emulator, KEYSPACE, EMPTY, 10_000);
    EmulatorBooks.createTable(emulator, KEYSPACE, WIDE, 10_000);
    PreparedStatement insert =
        cassandra.prepare(
            "INSERT INTO " + KEYSPACE + "." + TABLE + " (id, title, pages) VALUES (?, ?, ?)");
    long start = System.nanoTime();
    Semaphore inFlight = new Semaphore(256);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int id = 0; id < ROWS; id++) {
      inFlight.acquire();
      CompletableFuture<?> done =
          cassandra.executeAsync(insert.bind(id, "title-" + id, id % 700)).toCompletableFuture();
      done.whenComplete(
          (result, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
            inFlight.release();
          });
    }
    PreparedStatement wide =
        cassandra.prepare(
            "INSERT INTO " + KEYSPACE + "." + WIDE + " (id, title, pages) VALUES (?, ?, ?)");
    for (int id = 0; id < WIDE_ROWS; id++) {
      inFlight.acquire();
      CompletableFuture<?> done =
          cassandra.executeAsync(wide.bind(id, wideTitle(id), id % 700)).toCompletableFuture();
      done.whenComplete(
          (result, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
            inFlight.release();
          });
    }
    inFlight.acquire(256);
    if (failure.get() != null) {
      throw new AssertionError("loading the books failed", failure.get());
    }
    System.out.printf(
        "ScanSplitCountTest: %,d rows loaded in %d ms%n",
        ROWS, (System.nanoTime() - start) / 1_000_000);
  }

  /** A title of exactly {@value #WIDE_TITLE} characters, different for every id. */
  private static String wideTitle(int id) {
    StringBuilder title = new StringBuilder("title-").append(id).append('-');
    while (title.length() < WIDE_TITLE) {
      title.append('x');
    }
    return title.toString();
  }

  @AfterEach
  void forgetJobs() {
    CosmosRuntimes.forgetJobs();
  }

  private Map<String, String> options(String table) {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    options.put("throughput.targetRuPerSecond", "2000");
    // Tasks of a second of budget, so that the budget, not only the slots, sets the count.
    options.put("read.splitTaskSeconds", "1");
    return options;
  }

  private static CosmosScan scanOf(Dataset<Row> read) {
    SparkPlan plan = read.queryExecution().sparkPlan();
    for (SparkPlan leaf : JavaConverters.seqAsJavaList(plan.collectLeaves())) {
      if (leaf instanceof BatchScanExec) {
        return (CosmosScan) ((BatchScanExec) leaf).scan();
      }
    }
    throw new AssertionError("no scan in " + plan);
  }

  private static int sparkPartitions(CosmosScan scan) {
    return scan.toBatch().planInputPartitions().length;
  }

  @Test
  void aFullScanIsSplitByTheRuleFromTheTablesEstimatedRows() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> read = spark.read().format("cosmoscassandra").options(options(TABLE)).load();

    CosmosScan scan = scanOf(read);
    ScanSplits chosen = scan.chosenSplits();
    assertNotNull(chosen, "the rule chose the count");
    RowEstimate estimate = chosen.estimate();
    assertTrue(
        Math.abs(estimate.rows() - ROWS) <= ROWS * TOLERANCE,
        "estimate within 10% of " + ROWS + ": " + estimate);
    int slots = spark.sparkContext().defaultParallelism();
    assertEquals(2, slots);
    // A books row as a page carries it: 4 bytes of length per column, two ints, and 'title-<id>'
    // of 7 to 11 characters for the ids sampled.
    assertTrue(
        estimate.rowBytes() >= 3 * 4 + 4 + 4 + 7 && estimate.rowBytes() <= 3 * 4 + 4 + 4 + 11,
        "a sampled row's size: " + estimate);
    int expected = ScanSplits.choose(estimate, estimate.rowBytes(), 2000, slots, 1).splits();
    assertEquals(expected, chosen.splits(), chosen.describe(TABLE));
    assertEquals(scala.Option.apply((Object) expected), scan.readConf().splitCount());
    System.out.printf(
        "ScanSplitCountTest: %s; %d splits chosen, %d Spark partitions planned by SCC%n",
        estimate, chosen.splits(), sparkPartitions(scan));

    assertSameRowsByKey(EmulatorBooks.books(spark, 0, ROWS), read, "id");
  }

  @Test
  void theProbeIsChargedAndCountedLikeAnyRead() {
    SparkSession spark = LocalSpark.session();
    String table = KEYSPACE + "." + TABLE;
    emulator.resetStatistics();
    RequestUnitStatistics.Snapshot before = CosmosRuntime.get().requestUnits().of(table);

    // Planned, not run: the table's only requests are the probe's pages.
    CosmosScan scan = scanOf(spark.read().format("cosmoscassandra").options(options(TABLE)).load());

    TableStatistics charged = emulator.statistics(table).get();
    RequestUnitStatistics.Snapshot counted =
        CosmosRuntime.get().requestUnits().of(table).minus(before);
    // A page of tokens per segment, and one page of whole rows for their size.
    assertEquals(TableSizeProbe.SEGMENTS + 1, charged.requests());
    assertEquals(TableSizeProbe.SEGMENTS + 1, counted.answers());
    assertEquals(charged.requestUnits(), counted.requestUnits(), 0.005);
    assertTrue(charged.requestUnits() > 0, charged.toString());
    // And the scan reports it to the SQL tab, as a driver metric of its own.
    assertEquals(charged.requestUnits(), scan.chosenSplits().estimate().requestUnits(), 0.005);
    assertEquals(Math.round(charged.requestUnits() * 100), scan.reportDriverMetrics()[0].value());
  }

  @Test
  void aUsersSplitCountWins() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .options(options(TABLE))
            .option("spark.cassandra.splitCount", "7")
            .load();

    CosmosScan scan = scanOf(read);
    assertNull(scan.chosenSplits());
    assertEquals(scala.Option.apply((Object) 7), scan.readConf().splitCount());
  }

  @Test
  void aUsersSplitSizeWinsAppliedToTheEstimatedBytes() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .options(options(TABLE))
            .option("spark.cassandra.input.split.sizeInMB", "1")
            .load();

    CosmosScan scan = scanOf(read);
    ScanSplits chosen = scan.chosenSplits();
    assertTrue(
        chosen.reason().startsWith("your spark.cassandra.input.split.sizeInMB=1"), "" + chosen);
    // ~3 MB of ~30-byte rows in 1 MB splits: 3, raised to the connector's 1 + 2 x 2 slots.
    assertEquals(5, chosen.splits());
    assertEquals(
        ScanSplits.forSplitSize(chosen.estimate(), chosen.estimate().rowBytes(), 1, 2).splits(),
        chosen.splits());
    assertEquals(scala.Option.apply((Object) 5), scan.readConf().splitCount());
  }

  @Test
  void zeroTaskSecondsLeavesTheCountToTheConnector() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .options(options(TABLE))
            .option("read.splitTaskSeconds", "0")
            .load();

    CosmosScan scan = scanOf(read);
    assertNull(scan.chosenSplits());
    assertEquals(scala.Option.empty(), scan.readConf().splitCount());
  }

  @Test
  void anEmptyTableIsReadInOneSplit() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> read = spark.read().format("cosmoscassandra").options(options(EMPTY)).load();

    CosmosScan scan = scanOf(read);
    assertEquals(0, scan.chosenSplits().estimate().rows());
    assertTrue(scan.chosenSplits().estimate().exact());
    assertEquals(1, scan.chosenSplits().splits());
    assertEquals(0, read.count());
  }

  @Test
  void wideRowsAreSizedFromASampleNotFromTheSchema() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> read = spark.read().format("cosmoscassandra").options(options(WIDE)).load();

    ScanSplits chosen = scanOf(read).chosenSplits();
    RowEstimate estimate = chosen.estimate();
    // Every row: 4 bytes of length per column, two ints and a title of exactly WIDE_TITLE.
    assertEquals(3 * 4 + 4 + 4 + WIDE_TITLE, estimate.rowBytes(), estimate.toString());
    int expected = ScanSplits.choose(estimate, estimate.rowBytes(), 2000, 2, 1).splits();
    assertEquals(expected, chosen.splits(), chosen.describe(WIDE));
    int fromTheSchema = ScanSplits.choose(estimate, ROW_BYTES, 2000, 2, 1).splits();
    assertTrue(
        chosen.splits() > fromTheSchema,
        "rows of ~1 KB cost more to read than the schema's 40 B say: "
            + chosen.describe(WIDE)
            + " against "
            + fromTheSchema
            + " splits from the schema");
    System.out.printf(
        "ScanSplitCountTest: %s (%d splits from the schema's %d B a row)%n",
        chosen.describe(WIDE), fromTheSchema, ROW_BYTES);
    assertEquals(WIDE_ROWS, read.count());
  }
}

package io.github.cosmosspark.examples.benchmark;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput control against the connector a user would pick today — SCC 3.5.1 with Microsoft's
 * Spark 3 settings and its driver-4 {@code CosmosRetryPolicy} — on the emulator with the real
 * Cassandra behind it: a throttled bulk write and a throttled full scan, printed as one table;
 * then, straight on Cassandra with nothing throttled, what cosmos-spark costs over plain SCC
 * ({@link UnthrottledOverhead}).
 *
 * <p>{@code mvn -pl cosmos-spark-examples -am -Pthroughput-benchmark -DskipTests verify}; sizes
 * with {@code -Drows=4000 -DscanRows=20000 -DoverheadRows=50000 -DruPerSecond=1000 -Drepetitions=5}
 * (the counted runs of each side in the unthrottled comparison).
 */
public final class ThroughputBenchmark {
  private static final String KEYSPACE = "throughput_benchmark";
  private static final double FRACTION = 0.9;

  private final SparkSession spark;
  private final CosmosEmulator emulator;
  private final CassandraServer cassandra;
  private final int ruPerSecond;
  private final AtomicInteger failedTasks = new AtomicInteger();

  /** The tasks of the first stage submitted since it was last set to -1: a scan's splits. */
  private final AtomicInteger firstStageTasks = new AtomicInteger(-1);

  private final List<String[]> results = new ArrayList<>();

  private ThroughputBenchmark(
      SparkSession spark, CosmosEmulator emulator, CassandraServer cassandra, int ruPerSecond) {
    this.spark = spark;
    this.emulator = emulator;
    this.cassandra = cassandra;
    this.ruPerSecond = ruPerSecond;
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                firstStageTasks.compareAndSet(-1, submitted.stageInfo().numTasks());
              }

              @Override
              public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                if (!taskEnd.taskInfo().successful()) {
                  failedTasks.incrementAndGet();
                }
              }
            });
  }

  public static void main(String[] args) throws Exception {
    int rows = Integer.getInteger("rows", 4_000);
    int scanRows = Integer.getInteger("scanRows", 20_000);
    int overheadRows = Integer.getInteger("overheadRows", 50_000);
    int ruPerSecond = Integer.getInteger("ruPerSecond", 1_000);
    int repetitions = Integer.getInteger("repetitions", 5);
    CassandraServer cassandra = CassandraServer.builder().build();
    cassandra.start();
    try (CosmosEmulator emulator = CosmosEmulator.builder(cassandra).build().start()) {
      SparkSession spark =
          SparkSession.builder()
              // Up to 4 attempts per task, as on a cluster, so that failed tasks show.
              .master("local[2,4]")
              .appName("throughput-benchmark")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .getOrCreate();
      ThroughputBenchmark benchmark =
          new ThroughputBenchmark(spark, emulator, cassandra, ruPerSecond);
      try (CqlSession session = emulator.newSession()) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS "
                + KEYSPACE
                + " WITH cosmosdb_provisioned_throughput=400");
      }
      benchmark.throttledWrites(rows);
      benchmark.throttledScans(scanRows);
      benchmark.print(rows, scanRows);
      new UnthrottledOverhead(
              spark, cassandra, KEYSPACE, !"false".equals(System.getProperty("overheadSameDriver")))
          .run(overheadRows, repetitions);
      spark.stop();
    } finally {
      cassandra.close();
    }
  }

  private void throttledWrites(int rows) {
    Dataset<Row> data = cached(books(rows, 0));
    Map<String, String> ours = BenchmarkConnections.cosmos(emulator);
    ours.put("spark.cosmos.cassandra.throughput.provisionedRuPerSecond", "" + ruPerSecond);
    Map<String, String> peer = BenchmarkConnections.plainConnector(emulator);
    peer.putAll(BenchmarkConnections.microsoftSpark3Settings());
    write("throttled write", "cosmos-spark, declared R", "write_ours", data, ours, FRACTION);
    write("throttled write", "SCC + CosmosRetryPolicy, MS settings", "write_peer", data, peer, 1);
    data.unpersist();
  }

  private void write(
      String scenario,
      String connector,
      String table,
      Dataset<Row> data,
      Map<String, String> options,
      double fractionOfTable) {
    createTable(table, ruPerSecond);
    RetryStatistics.Snapshot retriesBefore =
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + table);
    int failedBefore = failedTasks.get();
    String outcome = "ok";
    long start = System.nanoTime();
    try {
      data.write()
          .format(format(options))
          .options(options)
          .options(table(table))
          .mode("append")
          .save();
    } catch (Exception failure) {
      outcome = "job failed: " + BenchmarkConnections.firstLine(failure, 120);
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    TableStatistics statistics = emulator.statistics(KEYSPACE + "." + table).get();
    Dataset<Row> read =
        spark.read().format(format(options)).options(options).options(table(table)).load();
    results.add(
        row(
            scenario,
            connector,
            data.count(),
            verified(data, read),
            "-",
            wallSeconds,
            statistics,
            fractionOfTable * ruPerSecond,
            retries(options, table, retriesBefore, statistics),
            failedTasks.get() - failedBefore,
            outcome));
  }

  private void throttledScans(int rows) {
    // Rows of ~500 B, so that a scan costs a measurable number of RU; loaded into a table with room
    // to spare, then brought down to R, as a table is provisioned low between loads.
    Dataset<Row> data = cached(books(rows, 400));
    createTable("scanned", 1_000_000);
    Map<String, String> loading = BenchmarkConnections.cosmos(emulator);
    loading.put("spark.cosmos.cassandra.throughput.control", "false");
    data.write()
        .format("cosmoscassandra")
        .options(loading)
        .options(table("scanned"))
        .mode("append")
        .save();
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "ALTER TABLE "
              + KEYSPACE
              + ".scanned WITH cosmosdb_provisioned_throughput="
              + ruPerSecond);
    }
    Map<String, String> ours = BenchmarkConnections.cosmos(emulator);
    ours.put("spark.cosmos.cassandra.throughput.provisionedRuPerSecond", "" + ruPerSecond);
    Map<String, String> peer = BenchmarkConnections.plainConnector(emulator);
    peer.putAll(BenchmarkConnections.microsoftSpark3Settings());
    long expected = checksum(data);
    scan("cosmos-spark, declared R", data, expected, ours, FRACTION);
    scan("SCC + CosmosRetryPolicy, MS settings", data, expected, peer, 1);
    data.unpersist();
  }

  private void scan(
      String connector,
      Dataset<Row> data,
      long expectedChecksum,
      Map<String, String> options,
      double fractionOfTable) {
    emulator.resetStatistics();
    RetryStatistics.Snapshot retriesBefore =
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".scanned");
    int failedBefore = failedTasks.get();
    String outcome = "ok";
    long rowsRead = 0;
    firstStageTasks.set(-1);
    long start = System.nanoTime();
    try {
      Row summary =
          spark
              .read()
              .format(format(options))
              .options(options)
              .options(table("scanned"))
              .load()
              .selectExpr("count(*)", "sum(hash(id, title, pages))")
              .first();
      rowsRead = summary.getLong(0);
      if (summary.getLong(1) != expectedChecksum) {
        outcome = "rows differ from the source";
      }
    } catch (Exception failure) {
      outcome = "job failed: " + BenchmarkConnections.firstLine(failure, 120);
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    TableStatistics statistics = emulator.statistics(KEYSPACE + ".scanned").get();
    long total = data.count();
    results.add(
        row(
            "throttled full scan",
            connector,
            total,
            outcome.equals("ok") && rowsRead == total ? rowsRead : 0,
            Integer.toString(firstStageTasks.get()),
            wallSeconds,
            statistics,
            fractionOfTable * ruPerSecond,
            retries(options, "scanned", retriesBefore, statistics),
            failedTasks.get() - failedBefore,
            outcome));
  }

  private String[] row(
      String scenario,
      String connector,
      long rows,
      long verified,
      String splits,
      double wallSeconds,
      TableStatistics statistics,
      double budget,
      String retries,
      int failed,
      String outcome) {
    double floorSeconds = statistics.requestUnits() / budget;
    return new String[] {
      scenario,
      connector,
      String.format("%,d", rows),
      String.format("%,d", verified),
      splits,
      String.format("%.1f", wallSeconds),
      String.format("%.1f", floorSeconds),
      String.format("%.2f", wallSeconds / floorSeconds),
      String.format("%,d", statistics.rateLimited()),
      String.format(
          "%.2f%%", 100.0 * statistics.rateLimited() / Math.max(1, statistics.requests())),
      retries,
      String.format("%.2f", peakOverBudget(statistics, budget)),
      String.format("%,d", failed),
      outcome
    };
  }

  /** The busiest whole second (not the first or last) over the budget. */
  private static double peakOverBudget(TableStatistics statistics, double budget) {
    List<Double> seconds =
        new ArrayList<>(new TreeMap<>(statistics.requestUnitsPerSecond()).values());
    double peak = 0;
    for (int i = 1; i < seconds.size() - 1; i++) {
      peak = Math.max(peak, seconds.get(i));
    }
    return peak / budget;
  }

  private static String retries(
      Map<String, String> options,
      String table,
      RetryStatistics.Snapshot before,
      TableStatistics statistics) {
    if (options.containsKey("spark.cosmos.cassandra.account")) {
      return String.format(
          "%,d",
          CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + table).minus(before).retries());
    }
    // The driver's retry policy keeps no count we can read; every 429 it saw, it resent or failed.
    return String.format("≤ %,d", statistics.rateLimited());
  }

  private void print(int rows, int scanRows) {
    System.out.printf(
        "%nThroughput benchmark: tables of %,d RU/s on the emulator (cosmos-spark's budget: %.0f%%"
            + " of it), Spark local[2], up to 4 attempts per task; %,d rows written, %,d of ~500 B"
            + " scanned%n%n",
        ruPerSecond, FRACTION * 100, rows, scanRows);
    String format =
        "| %-34s | %-38s | %8s | %8s | %6s | %8s | %8s | %6s | %7s | %7s | %8s | %9s | %6s | %s%n";
    System.out.printf(
        format,
        "scenario",
        "connector",
        "rows",
        "verified",
        "splits",
        "wall s",
        "floor s",
        "ratio",
        "429s",
        "% 429",
        "retries",
        "peak/bgt",
        "failed",
        "outcome");
    for (String[] result : results) {
      System.out.printf(format, (Object[]) result);
    }
    System.out.println(
        "\nsplits = the scan's tasks (Spark partitions); floor = RU charged ÷ budget (cosmos-spark: the fraction of R; the peer: R); peak/bgt = the"
            + " busiest whole second's RU ÷ budget.");
  }

  private Dataset<Row> books(int rows, int padding) {
    String title =
        padding == 0
            ? "CONCAT('title-', id)"
            : "CONCAT('title-', id, '-', REPEAT('x', " + padding + "))";
    return spark
        .range(rows)
        .selectExpr("CAST(id AS INT) AS id", title + " AS title", "CAST(id % 997 AS INT) AS pages");
  }

  private static Dataset<Row> cached(Dataset<Row> data) {
    Dataset<Row> cached = data.cache();
    cached.count();
    return cached;
  }

  private static long checksum(Dataset<Row> data) {
    return data.selectExpr("sum(hash(id, title, pages))").first().getLong(0);
  }

  /** Rows read back that equal the source's, by content. */
  private static long verified(Dataset<Row> source, Dataset<Row> read) {
    Dataset<Row> landed = read.select("id", "title", "pages");
    return source.count() - source.except(landed).count();
  }

  private void createTable(String table, int tableRuPerSecond) {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE IF NOT EXISTS "
              + KEYSPACE
              + "."
              + table
              + " (id int PRIMARY KEY, title text, pages int) WITH cosmosdb_provisioned_throughput="
              + tableRuPerSecond);
    }
  }

  private static Map<String, String> table(String table) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("keyspace", KEYSPACE);
    options.put("table", table);
    return options;
  }

  private static String format(Map<String, String> options) {
    return options.containsKey("spark.cosmos.cassandra.account") || options.containsKey("account")
        ? "cosmoscassandra"
        : "org.apache.spark.sql.cassandra";
  }
}

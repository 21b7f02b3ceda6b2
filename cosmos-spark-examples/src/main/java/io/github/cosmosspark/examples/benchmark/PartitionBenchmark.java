package io.github.cosmosspark.examples.benchmark;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.PartitionStatistics;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Throughput control on Cosmos's physical partitions, side by side with SCC 3.5.1 + Microsoft's
 * Spark 3 settings and {@code CosmosRetryPolicy}, on the emulator with a table of R RU/s in N
 * physical partitions (default 4,000 RU/s in 4): a write of uniformly spread keys, a copy that
 * arrives in Cosmos's token order, a write of Zipf-distributed partition keys (each write a row of
 * its own, numbered by a clustering column, as events of a device), and a full scan. Prints one
 * table: rows verified, wall time, the floor (the larger of total RU over the job's budget and, for
 * each partition, its RU over its share of the budget), their ratio, the share of requests
 * throttled, failed tasks, and the busiest partition-second over the partition's RU/s.
 *
 * <p>{@code mvn -pl cosmos-spark-examples -am -Ppartition-benchmark -DskipTests verify}; sizes with
 * {@code -Drows=40000 -DruPerSecond=4000 -Dpartitions=4 -DrowBytes=1000 -Dzipf=1.1
 * -Dscenarios=uniform,copy,zipf,scan -Dsides=ours,peer}.
 */
public final class PartitionBenchmark {
  private static final String KEYSPACE = "partition_benchmark";
  private static final double FRACTION = 0.9;
  private static final int SLICES = 16;
  private static final int WARM_UP_ROWS = 2_000;
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.IntegerType, false)
          .add("seq", DataTypes.IntegerType, false)
          .add("payload", DataTypes.StringType, false)
          .add("n", DataTypes.IntegerType, false);

  private final SparkSession spark;
  private final CosmosEmulator emulator;
  private final int rows;
  private final int ruPerSecond;
  private final int partitions;
  private final int rowBytes;
  private final double zipfExponent;
  private final AtomicInteger failedTasks = new AtomicInteger();

  /** The tasks of the first stage submitted since it was last set to -1: a scan's splits. */
  private final AtomicInteger firstStageTasks = new AtomicInteger(-1);

  private final List<String[]> results = new ArrayList<>();

  private PartitionBenchmark(SparkSession spark, CosmosEmulator emulator) {
    this.spark = spark;
    this.emulator = emulator;
    this.rows = Integer.getInteger("rows", 40_000);
    this.ruPerSecond = Integer.getInteger("ruPerSecond", 4_000);
    this.partitions = Integer.getInteger("partitions", 4);
    this.rowBytes = Integer.getInteger("rowBytes", 1_000);
    this.zipfExponent = Double.parseDouble(System.getProperty("zipf", "1.1"));
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
    List<String> scenarios =
        Arrays.asList(System.getProperty("scenarios", "uniform,copy,zipf,scan").split(","));
    List<String> sides = Arrays.asList(System.getProperty("sides", "ours,peer").split(","));
    CassandraServer cassandra = CassandraServer.builder().build();
    cassandra.start();
    try (CosmosEmulator emulator = CosmosEmulator.builder(cassandra).build().start()) {
      SparkSession spark =
          SparkSession.builder()
              // Up to 4 attempts per task, as on a cluster, so that failed tasks show.
              .master("local[2,4]")
              .appName("partition-benchmark")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .getOrCreate();
      PartitionBenchmark benchmark = new PartitionBenchmark(spark, emulator);
      try (CqlSession session = emulator.newSession()) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS "
                + KEYSPACE
                + " WITH cosmosdb_provisioned_throughput=400");
      }
      long started = System.nanoTime();
      for (String side : sides) {
        benchmark.warmUp(side.trim());
      }
      for (String scenario : scenarios) {
        for (String side : sides) {
          benchmark.run(scenario.trim(), side.trim());
        }
      }
      benchmark.print(sides, (System.nanoTime() - started) / 1e9);
      spark.stop();
    } finally {
      cassandra.close();
    }
  }

  /**
   * A write and a read of {@value #WARM_UP_ROWS} rows through {@code side}'s format, not measured:
   * the JVM's first Spark write and read (class loading, code generation, the first connection)
   * took about 5 s, which would otherwise be charged to whichever scenario runs first (a uniform
   * write measured 1.14 x its floor first and 1.05 x after a copy, in one run).
   */
  private void warmUp(String side) {
    String table = "warm_up_" + side;
    createTable(table, 1_000_000);
    List<Integer> ids = new ArrayList<>();
    for (int id = 0; id < WARM_UP_ROWS; id++) {
      ids.add(id);
    }
    dataset(rowsOf(ids))
        .write()
        .format(format(side))
        .options(options(side))
        .options(table(table))
        .mode("append")
        .save();
    long read =
        spark
            .read()
            .format(format(side))
            .options(options(side))
            .options(table(table))
            .load()
            .count();
    if (read != WARM_UP_ROWS) {
      throw new IllegalStateException(
          "The warm-up of " + side + " read " + read + " rows of " + WARM_UP_ROWS);
    }
  }

  private void run(String scenario, String side) {
    switch (scenario) {
      case "uniform":
        write(scenario, side, uniform());
        break;
      case "copy":
        write(scenario, side, inCosmosTokenOrder());
        break;
      case "zipf":
        write(scenario, side, zipf());
        break;
      case "scan":
        scan(side);
        break;
      default:
        throw new IllegalArgumentException(
            "Unknown scenario '" + scenario + "'; use uniform, copy, zipf or scan");
    }
  }

  /** Every key once, in random order. */
  private List<Row> uniform() {
    List<Integer> ids = new ArrayList<>();
    for (int id = 0; id < rows; id++) {
      ids.add(id);
    }
    Collections.shuffle(ids, new Random(17));
    return rowsOf(ids);
  }

  /**
   * Every key once, in the order a scan of a table with the same key returns them on Cosmos:
   * partition by partition (the emulator's own scans come back in Cassandra's Murmur3 order, so the
   * order is made here from the emulator's placement). Each task of the write holds a run of it.
   */
  private List<Row> inCosmosTokenOrder() {
    List<List<Integer>> byPartition = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      byPartition.add(new ArrayList<>());
    }
    String probe = KEYSPACE + ".placement_probe";
    createTable("placement_probe", ruPerSecond);
    emulator.physicalPartitions(probe, partitions);
    for (int id = 0; id < rows; id++) {
      byPartition
          .get(emulator.physicalPartitionOf(probe, TypeCodecs.INT.encode(id, ProtocolVersion.V4)))
          .add(id);
    }
    List<Integer> ordered = new ArrayList<>();
    for (List<Integer> ids : byPartition) {
      ordered.addAll(ids);
    }
    return rowsOf(ordered);
  }

  /**
   * {@code rows} rows whose partition keys are drawn from a Zipf distribution over {@code rows}
   * keys; each is a row of its own, numbered by the clustering column in the order drawn.
   */
  private List<Row> zipf() {
    double[] cumulative = new double[rows];
    double sum = 0;
    for (int rank = 1; rank <= rows; rank++) {
      sum += 1 / Math.pow(rank, zipfExponent);
      cumulative[rank - 1] = sum;
    }
    // The hottest keys are random ids, not the smallest.
    List<Integer> idOfRank = new ArrayList<>();
    for (int id = 0; id < rows; id++) {
      idOfRank.add(id);
    }
    Collections.shuffle(idOfRank, new Random(23));
    Random random = new Random(29);
    List<Row> data = new ArrayList<>();
    for (int seq = 0; seq < rows; seq++) {
      int rank = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
      data.add(row(idOfRank.get(rank < 0 ? -rank - 1 : rank), seq));
    }
    return data;
  }

  /** One row per key, its clustering column 0. */
  private List<Row> rowsOf(List<Integer> ids) {
    List<Row> data = new ArrayList<>();
    for (int id : ids) {
      data.add(row(id, 0));
    }
    return data;
  }

  /** A row's content depends on its primary key only. */
  private Row row(int id, int seq) {
    StringBuilder payload = new StringBuilder(rowBytes);
    String unit = Integer.toString(id, 36) + "." + Integer.toString(seq, 36) + "-";
    while (payload.length() < rowBytes) {
      payload.append(unit);
    }
    payload.setLength(rowBytes);
    return RowFactory.create(id, seq, payload.toString(), expectedN(id, seq));
  }

  private static int expectedN(int id, int seq) {
    return (int) (((long) id * 31 + (long) seq * 17 + 7) % 1_000_003);
  }

  private static long primaryKey(int id, int seq) {
    return ((long) id << 32) | (seq & 0xffffffffL);
  }

  private Dataset<Row> dataset(List<Row> data) {
    return spark.createDataFrame(
        JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(data, SLICES), SCHEMA);
  }

  private void write(String scenario, String side, List<Row> data) {
    String table = scenario + "_" + side;
    createTable(table, ruPerSecond);
    emulator.physicalPartitions(KEYSPACE + "." + table, partitions);
    Map<String, String> options = options(side);
    int failedBefore = failedTasks.get();
    String outcome = "ok";
    long start = System.nanoTime();
    try {
      dataset(data)
          .write()
          .format(format(side))
          .options(options)
          .options(table(table))
          .mode("append")
          .save();
    } catch (Exception failure) {
      outcome = "job failed: " + BenchmarkConnections.firstLine(failure, 120);
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    Map<Long, Integer> expected = new HashMap<>();
    for (Row row : data) {
      expected.put(primaryKey(row.getInt(0), row.getInt(1)), row.getInt(3));
    }
    results.add(
        result(
            scenario,
            side,
            verified(table, expected) + " of " + expected.size(),
            "-",
            wallSeconds,
            emulator.statistics(KEYSPACE + "." + table).get(),
            failedTasks.get() - failedBefore,
            outcome));
  }

  private void scan(String side) {
    String table = "scan_" + side;
    // Loaded with room to spare, then brought down to R in N partitions, as a table is
    // provisioned low between loads.
    createTable(table, 1_000_000);
    Map<String, String> loading = BenchmarkConnections.cosmos(emulator);
    loading.put("spark.cosmos.cassandra.throughput.control", "false");
    dataset(uniform())
        .write()
        .format("cosmoscassandra")
        .options(loading)
        .options(table(table))
        .mode("append")
        .save();
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "ALTER TABLE "
              + KEYSPACE
              + "."
              + table
              + " WITH cosmosdb_provisioned_throughput="
              + ruPerSecond);
    }
    emulator.physicalPartitions(KEYSPACE + "." + table, partitions);
    Map<String, String> options = options(side);
    int failedBefore = failedTasks.get();
    String outcome = "ok";
    long checksum = 0;
    long count = 0;
    firstStageTasks.set(-1);
    long start = System.nanoTime();
    try {
      for (Row row :
          spark
              .read()
              .format(format(side))
              .options(options)
              .options(table(table))
              .load()
              // The payload's length in the sum makes the scan read whole rows, as a copy does.
              .selectExpr("count(*)", "sum(CAST(id AS BIGINT) * 7 + n + length(payload))")
              .collectAsList()) {
        count = row.getLong(0);
        checksum = row.isNullAt(1) ? 0 : row.getLong(1);
      }
    } catch (Exception failure) {
      outcome = "job failed: " + BenchmarkConnections.firstLine(failure, 120);
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    long expectedChecksum = 0;
    for (int id = 0; id < rows; id++) {
      expectedChecksum += (long) id * 7 + expectedN(id, 0) + rowBytes;
    }
    results.add(
        result(
            "scan",
            side,
            (checksum == expectedChecksum ? count : 0) + " of " + rows,
            Integer.toString(firstStageTasks.get()),
            wallSeconds,
            emulator.statistics(KEYSPACE + "." + table).get(),
            failedTasks.get() - failedBefore,
            outcome));
  }

  private Map<String, String> options(String side) {
    if (side.equals("ours")) {
      Map<String, String> ours = BenchmarkConnections.cosmos(emulator);
      ours.put("spark.cosmos.cassandra.throughput.provisionedRuPerSecond", "" + ruPerSecond);
      return ours;
    }
    if (side.equals("peer")) {
      Map<String, String> peer = BenchmarkConnections.plainConnector(emulator);
      peer.putAll(BenchmarkConnections.microsoftSpark3Settings());
      return peer;
    }
    throw new IllegalArgumentException("Unknown side '" + side + "'; use ours or peer");
  }

  private static String format(String side) {
    return side.equals("ours") ? "cosmoscassandra" : "org.apache.spark.sql.cassandra";
  }

  private double budget(String side) {
    return side.equals("ours") ? FRACTION * ruPerSecond : ruPerSecond;
  }

  private String[] result(
      String scenario,
      String side,
      String verified,
      String splits,
      double wallSeconds,
      TableStatistics statistics,
      int failed,
      String outcome) {
    double budget = budget(side);
    double partitionShare = budget / partitions;
    double floor = statistics.requestUnits() / budget;
    double busiest = 0;
    StringBuilder perPartition = new StringBuilder();
    for (PartitionStatistics partition : statistics.partitions()) {
      floor = Math.max(floor, partition.requestUnits() / partitionShare);
      busiest = Math.max(busiest, partition.peakRequestUnitsPerSecond() / partition.ruPerSecond());
      perPartition.append(
          String.format(
              Locale.ROOT,
              "%s%.0f",
              perPartition.length() == 0 ? "" : "/",
              partition.requestUnits()));
    }
    long attempts = statistics.requests() + statistics.rateLimited();
    return new String[] {
      scenario,
      side.equals("ours") ? "cosmos-spark" : "SCC + CosmosRetryPolicy, MS settings",
      verified,
      splits,
      String.format(Locale.ROOT, "%.1f", wallSeconds),
      String.format(Locale.ROOT, "%.1f", floor),
      String.format(Locale.ROOT, "%.2f", wallSeconds / floor),
      String.format(
          Locale.ROOT,
          "%.2f %% (%d)",
          attempts == 0 ? 0 : 100.0 * statistics.rateLimited() / attempts,
          statistics.rateLimited()),
      Integer.toString(failed),
      String.format(Locale.ROOT, "%.2f", busiest),
      perPartition.toString(),
      outcome
    };
  }

  private void print(List<String> sides, double totalSeconds) {
    System.out.printf(
        Locale.ROOT,
        "%nPhysical-partition benchmark: %,d rows of ~%,d B, table %,d RU/s in %d physical"
            + " partitions (%,.0f RU/s each), Zipf s=%.2f, local[2], %s; budget: cosmos-spark %.0f"
            + " %% of the table (throughput.fraction), the peer none (its floor is taken at the"
            + " whole table); %.0f s in all%n",
        rows,
        rowBytes,
        ruPerSecond,
        partitions,
        ruPerSecond / (double) partitions,
        zipfExponent,
        sides,
        FRACTION * 100,
        totalSeconds);
    String[] header = {
      "scenario",
      "connector",
      "rows verified",
      "splits",
      "wall s",
      "floor s",
      "ratio",
      "throttled",
      "failed tasks",
      "busiest partition-s ÷ share",
      "RU per partition",
      "outcome"
    };
    List<String[]> table = new ArrayList<>();
    table.add(header);
    table.addAll(results);
    int[] widths = new int[header.length];
    for (String[] row : table) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : table) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < row.length; i++) {
        line.append(' ').append(String.format("%-" + widths[i] + "s", row[i])).append(" |");
      }
      System.out.println(line);
      if (row == header) {
        StringBuilder rule = new StringBuilder("|");
        for (int width : widths) {
          rule.append(new String(new char[width + 2]).replace('\0', '-')).append('|');
        }
        System.out.println(rule);
      }
    }
  }

  private long verified(String table, Map<Long, Integer> expected) {
    long matching = 0;
    try (CqlSession session = emulator.newSession()) {
      for (com.datastax.oss.driver.api.core.cql.Row row :
          session.execute("SELECT id, seq, n FROM " + KEYSPACE + "." + table)) {
        Integer n = expected.get(primaryKey(row.getInt(0), row.getInt(1)));
        if (n != null && n == row.getInt(2)) {
          matching++;
        }
      }
    }
    return matching;
  }

  private void createTable(String table, int tableRuPerSecond) {
    try (CqlSession session = emulator.newSession()) {
      session.execute("DROP TABLE IF EXISTS " + KEYSPACE + "." + table);
      session.execute(
          "CREATE TABLE "
              + KEYSPACE
              + "."
              + table
              + " (id int, seq int, payload text, n int, PRIMARY KEY (id, seq))"
              + " WITH cosmosdb_provisioned_throughput="
              + tableRuPerSecond);
    }
  }

  private static Map<String, String> table(String table) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("keyspace", KEYSPACE);
    options.put("table", table);
    return options;
  }
}

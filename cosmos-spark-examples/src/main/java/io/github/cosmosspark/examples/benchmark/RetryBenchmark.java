package io.github.cosmosspark.examples.benchmark;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.driver.DriverThreadSampler;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Writes the same rows into tables of the same throughput, through the emulator, four ways:
 * cosmos-spark with its defaults, with Microsoft's recommended Spark 3 settings, and with
 * throughput control at 90 % of the table's RU/s, and plain SCC 3.5.1 with Microsoft's settings and
 * its driver-4 {@code CosmosRetryPolicy}. Prints rows written, wall time, the floor (RU charged ÷
 * RU/s), 429s, failed tasks, rows verified by reading back, and how often a driver I/O thread was
 * caught sleeping.
 *
 * <p>{@code mvn -pl cosmos-spark-examples -am -Pretry-benchmark -DskipTests verify}, sizes with
 * {@code -Drows=4000 -DruPerSecond=1000}.
 */
public final class RetryBenchmark {
  private static final String KEYSPACE = "retry_benchmark";

  private RetryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = Integer.getInteger("rows", 4_000);
    int ruPerSecond = Integer.getInteger("ruPerSecond", 1_000);
    CassandraServer cassandra = CassandraServer.builder().build();
    cassandra.start();
    try (CosmosEmulator emulator = CosmosEmulator.builder(cassandra).build().start()) {
      SparkSession spark =
          SparkSession.builder()
              // Up to 4 attempts per task, as on a cluster, so that failed tasks show.
              .master("local[2,4]")
              .appName("retry-benchmark")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .getOrCreate();
      AtomicInteger failedTasks = new AtomicInteger();
      spark
          .sparkContext()
          .addSparkListener(
              new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                  if (!taskEnd.taskInfo().successful()) {
                    failedTasks.incrementAndGet();
                  }
                }
              });
      try (CqlSession session = emulator.newSession()) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS "
                + KEYSPACE
                + " WITH cosmosdb_provisioned_throughput=400");
      }
      Dataset<Row> data =
          spark
              .range(rows)
              .selectExpr(
                  "CAST(id AS INT) AS id",
                  "CONCAT('title-', id) AS title",
                  "CAST(id % 997 AS INT) AS pages")
              .cache();
      data.count();

      List<String[]> results = new ArrayList<>();
      results.add(
          run(
              spark,
              emulator,
              data,
              "cosmos-spark, defaults",
              "ours_defaults",
              ruPerSecond,
              BenchmarkConnections.cosmos(emulator),
              failedTasks));
      Map<String, String> tuned = BenchmarkConnections.cosmos(emulator);
      tuned.putAll(BenchmarkConnections.microsoftSpark3Settings());
      results.add(
          run(
              spark,
              emulator,
              data,
              "cosmos-spark, Microsoft's settings",
              "ours_tuned",
              ruPerSecond,
              tuned,
              failedTasks));
      Map<String, String> controlled = BenchmarkConnections.cosmos(emulator);
      controlled.put(
          "spark.cosmos.cassandra.throughput.provisionedRuPerSecond",
          Integer.toString(ruPerSecond));
      results.add(
          run(
              spark,
              emulator,
              data,
              "cosmos-spark, throughput control (90% of R)",
              "ours_controlled",
              ruPerSecond,
              controlled,
              failedTasks));
      Map<String, String> peer = BenchmarkConnections.plainConnector(emulator);
      peer.putAll(BenchmarkConnections.microsoftSpark3Settings());
      results.add(
          run(
              spark,
              emulator,
              data,
              "SCC + CosmosRetryPolicy, Microsoft's settings",
              "peer",
              ruPerSecond,
              peer,
              failedTasks));

      System.out.printf(
          "%nRetry benchmark: %,d rows written into a table of %,d RU/s through the emulator,"
              + " Spark local[2], up to 4 attempts per task%n%n",
          rows, ruPerSecond);
      String format = "| %-46s | %9s | %8s | %8s | %6s | %7s | %7s | %9s | %14s | %s%n";
      System.out.printf(
          format,
          "connector",
          "rows read",
          "wall s",
          "floor s",
          "ratio",
          "429s",
          "failed",
          "RU",
          "I/O sleeps",
          "outcome");
      for (String[] result : results) {
        System.out.printf(format, (Object[]) result);
      }
      spark.stop();
    } finally {
      cassandra.close();
    }
  }

  private static String[] run(
      SparkSession spark,
      CosmosEmulator emulator,
      Dataset<Row> data,
      String name,
      String table,
      int ruPerSecond,
      Map<String, String> options,
      AtomicInteger failedTasks)
      throws Exception {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE IF NOT EXISTS "
              + KEYSPACE
              + "."
              + table
              + " (id int PRIMARY KEY, title text, pages int) WITH cosmosdb_provisioned_throughput="
              + ruPerSecond);
    }
    boolean cosmos = options.containsKey("spark.cosmos.cassandra.account");
    String format = cosmos ? "cosmoscassandra" : "org.apache.spark.sql.cassandra";
    int failedBefore = failedTasks.get();
    DriverThreadSampler sampler = new DriverThreadSampler();
    String outcome = "ok";
    long start = System.nanoTime();
    try {
      data.write()
          .format(format)
          .options(options)
          .option("keyspace", KEYSPACE)
          .option("table", table)
          .mode("append")
          .save();
    } catch (Exception failure) {
      outcome = "job failed: " + BenchmarkConnections.firstLine(failure, 160);
    } finally {
      sampler.close();
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    TableStatistics statistics = emulator.statistics(KEYSPACE + "." + table).get();
    Dataset<Row> read =
        spark
            .read()
            .format(format)
            .options(options)
            .option("keyspace", KEYSPACE)
            .option("table", table)
            .load();
    long readBack = read.count();
    long missingOrWrong = data.except(read.select("id", "title", "pages")).count();
    if (missingOrWrong > 0) {
      outcome += String.format(", %,d rows missing or different", missingOrWrong);
    }
    double floorSeconds = statistics.requestUnits() / ruPerSecond;
    return new String[] {
      name,
      String.format("%,d", readBack),
      String.format("%.1f", wallSeconds),
      String.format("%.1f", floorSeconds),
      String.format("%.2f", wallSeconds / floorSeconds),
      String.format("%,d", statistics.rateLimited()),
      String.format("%,d", failedTasks.get() - failedBefore),
      String.format("%,.0f", statistics.requestUnits()),
      String.format("%,d of %,d", sampler.samplesWithASleepingDriverThread(), sampler.samples()),
      outcome
    };
  }
}

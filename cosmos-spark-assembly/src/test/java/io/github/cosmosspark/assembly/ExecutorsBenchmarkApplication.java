package io.github.cosmosspark.assembly;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * The driver {@link ExecutorsBenchmark} submits for each run: writes books through {@code
 * format("cosmoscassandra")} with the throughput declared in the Spark configuration ({@code
 * spark.cosmos.cassandra.throughput.provisionedRuPerSecond}), times the write alone, and prints one
 * {@code RESULT} line. The benchmark reads the rows back itself, so the table's RU are the write's.
 */
public final class ExecutorsBenchmarkApplication {

  private ExecutorsBenchmarkApplication() {}

  /**
   * @param args keyspace, table, rows, partitions, warm-up rows (written first, untimed, into
   *     {@code <table>_warmup}, so every executor has loaded its classes and connected)
   */
  public static void main(String[] args) {
    haltWhenTheBenchmarkIsGone();
    String keyspace = args[0];
    String table = args[1];
    int rows = Integer.parseInt(args[2]);
    int partitions = Integer.parseInt(args[3]);
    int warmupRows = Integer.parseInt(args[4]);

    SparkSession spark =
        SparkSession.builder().appName("cosmos-spark executors benchmark").getOrCreate();
    Tasks tasks = new Tasks();
    spark.sparkContext().addSparkListener(tasks);
    try {
      if (warmupRows > 0) {
        write(spark, keyspace, table + "_warmup", warmupRows, partitions);
        tasks.reset();
      }
      long started = System.nanoTime();
      write(spark, keyspace, table, rows, partitions);
      long writeMillis = (System.nanoTime() - started) / 1_000_000;
      System.out.println(
          "RESULT writeMillis="
              + writeMillis
              + " failedTasks="
              + tasks.failed.get()
              + " taskExecutors="
              + String.join(",", tasks.executors())
              + " tasks="
              + String.join(",", tasks.durations));
    } finally {
      spark.stop();
    }
  }

  private static void write(
      SparkSession spark, String keyspace, String table, int rows, int partitions) {
    spark
        .range(0, rows, 1, partitions)
        .selectExpr(
            "CAST(id AS INT) AS id",
            "CONCAT('title-', id) AS title",
            "CAST(id % 700 AS INT) AS pages")
        .write()
        .format("cosmoscassandra")
        .option("keyspace", keyspace)
        .option("table", table)
        .mode("append")
        .save();
  }

  /** Failed task attempts and the executors that ran tasks, as the driver's listener saw them. */
  static final class Tasks extends SparkListener {
    private final Set<String> executors = new ConcurrentSkipListSet<>();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> durations = new CopyOnWriteArrayList<>();

    void reset() {
      executors.clear();
      failed.set(0);
      durations.clear();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      executors.add(taskEnd.taskInfo().executorId());
      // executor:seconds, in the order tasks ended.
      durations.add(
          String.format(
              Locale.ROOT,
              "%s:%.1f",
              taskEnd.taskInfo().executorId(),
              taskEnd.taskInfo().duration() / 1000.0));
      if (!taskEnd.taskInfo().successful()) {
        failed.incrementAndGet();
      }
    }

    Set<String> executors() {
      return new TreeSet<>(executors);
    }
  }

  /** The benchmark keeps this JVM's standard input open; its end means the benchmark is gone. */
  private static void haltWhenTheBenchmarkIsGone() {
    Thread watcher =
        new Thread(
            () -> {
              InputStream parent = System.in;
              byte[] buffer = new byte[64];
              try {
                while (parent.read(buffer) >= 0) {
                  // Nothing is ever written; only the end of the stream matters.
                }
              } catch (IOException e) {
                // A broken pipe means the same.
              }
              Runtime.getRuntime().halt(3);
            },
            "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }
}

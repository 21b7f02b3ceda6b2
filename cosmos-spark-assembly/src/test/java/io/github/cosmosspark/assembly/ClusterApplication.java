package io.github.cosmosspark.assembly;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The application {@link StandaloneClusterIT} submits: a driver in its own JVM whose classpath is
 * Spark's jars, the assembly jar and this class alone. It writes books through {@code
 * format("cosmoscassandra")} on the cluster's executors, reads them back, and prints one {@code
 * RESULT} line. Everything runs through the DataFrame API, so executors need no class of this
 * application: only the assembly jar, which they receive through {@code spark.jars}.
 */
public final class ClusterApplication {

  private ClusterApplication() {}

  /**
   * @param args keyspace, table, number of rows, a loaded table to scan with its row count, and a
   *     loaded table whose change feed to stream with its row count
   */
  public static void main(String[] args) throws Exception {
    haltWhenTheTestIsGone();
    String keyspace = args[0];
    String table = args[1];
    int rows = Integer.parseInt(args[2]);
    String scanTable = args[3];
    int scanRows = Integer.parseInt(args[4]);
    String feedTable = args[5];
    int feedRows = Integer.parseInt(args[6]);

    SparkSession spark = SparkSession.builder().appName("cosmos-spark cluster test").getOrCreate();
    TaskExecutors executors = new TaskExecutors();
    spark.sparkContext().addSparkListener(executors);
    try {
      Dataset<Row> books =
          spark
              .range(0, rows, 1, 8)
              .selectExpr(
                  "CAST(id AS INT) AS id",
                  "CONCAT('title-', id) AS title",
                  "CAST(id % 700 AS INT) AS pages");
      // A target well under the table's throughput: the throttler runs on every executor.
      books
          .write()
          .format("cosmoscassandra")
          .option("keyspace", keyspace)
          .option("table", table)
          .option("throughput.targetRuPerSecond", "4000")
          .mode("append")
          .save();

      List<Row> read =
          spark
              .read()
              .format("cosmoscassandra")
              .option("keyspace", keyspace)
              .option("table", table)
              .load()
              .select("id", "title", "pages")
              .collectAsList();

      Map<Integer, String> byKey = new TreeMap<>();
      for (Row row : read) {
        byKey.put(row.getInt(0), row.getString(1) + "|" + row.getInt(2));
      }
      int mismatches = 0;
      for (int id = 0; id < rows; id++) {
        String expected = "title-" + id + "|" + (id % 700);
        if (!expected.equals(byKey.get(id))) {
          mismatches++;
        }
      }
      System.out.println(
          "RESULT read="
              + read.size()
              + " distinctKeys="
              + byKey.size()
              + " mismatches="
              + mismatches
              + " taskExecutors="
              + String.join(",", executors.ids()));

      scan(spark, keyspace, scanTable, scanRows);
      feed(spark, keyspace, feedTable, feedRows);
      if (args.length > 7) {
        entra(spark, args[7], rows);
      }
    } finally {
      spark.stop();
    }
  }

  /**
   * Writes and reads a table of an account whose keys are disabled, logging in with a service
   * principal's Microsoft Entra ID secret: every executor gets its own token. Prints one {@code
   * ENTRA} line.
   *
   * @param optionsFile read options (account, endpoint, trust, auth.*, keyspace, table)
   */
  private static void entra(SparkSession spark, String optionsFile, int rows) throws IOException {
    java.util.Properties properties = new java.util.Properties();
    try (InputStream in =
        java.nio.file.Files.newInputStream(java.nio.file.Paths.get(optionsFile))) {
      properties.load(in);
    }
    Map<String, String> options = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      options.put(key, properties.getProperty(key));
    }
    TaskExecutors executors = new TaskExecutors();
    spark.sparkContext().addSparkListener(executors);
    spark
        .range(0, rows, 1, 8)
        .selectExpr("CAST(id AS INT) AS id", "CONCAT('entra-', id) AS title")
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    List<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .options(options)
            .load()
            .select("id", "title")
            .collectAsList();
    Set<Integer> keys = new TreeSet<>();
    int mismatches = 0;
    for (Row row : read) {
      keys.add(row.getInt(0));
      if (!("entra-" + row.getInt(0)).equals(row.getString(1))) {
        mismatches++;
      }
    }
    System.out.println(
        "ENTRA read="
            + read.size()
            + " distinctKeys="
            + keys.size()
            + " mismatches="
            + mismatches
            + " taskExecutors="
            + String.join(",", executors.ids()));
  }

  /**
   * Scans a table of many rows as a user would, with a budget and short tasks so that the split
   * rule (not the slots alone) sets the count, and prints one {@code SCAN} line: what came back,
   * summed by key, the Spark partitions and the executors that ran the scan's tasks.
   */
  private static void scan(SparkSession spark, String keyspace, String table, int rows) {
    TaskExecutors executors = new TaskExecutors();
    spark.sparkContext().addSparkListener(executors);
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .option("keyspace", keyspace)
            .option("table", table)
            .option("throughput.targetRuPerSecond", "2000")
            .option("read.splitTaskSeconds", "1")
            .load();
    int partitions = read.rdd().getNumPartitions();
    Row totals =
        read.selectExpr(
                "COUNT(*)",
                "COUNT(DISTINCT id)",
                "SUM(CAST(id AS BIGINT))",
                "SUM(CAST(pages AS BIGINT))",
                "SUM(CASE WHEN title = CONCAT('title-', id) THEN 0 ELSE 1 END)")
            .first();
    System.out.println(
        "SCAN rows="
            + totals.getLong(0)
            + " distinctKeys="
            + totals.getLong(1)
            + " idSum="
            + totals.getLong(2)
            + " pagesSum="
            + totals.getLong(3)
            + " titleMismatches="
            + totals.getLong(4)
            + " partitions="
            + partitions
            + " scanExecutors="
            + String.join(",", executors.ids()));
    if (totals.getLong(0) != rows) {
      System.out.println("SCAN expected " + rows + " rows");
    }
    spark.sparkContext().removeSparkListener(executors);
  }

  /**
   * Streams a loaded table's change feed with {@code Trigger.AvailableNow} in micro-batches of a
   * third of its rows, and prints one {@code FEED} line: what the sink (on the driver) received, by
   * key, the micro-batches and the executors that read. Each task records where it stopped in the
   * checkpoint from its executor's JVM, which the next batch's planning reads on the driver.
   */
  private static void feed(SparkSession spark, String keyspace, String table, int rows)
      throws Exception {
    TaskExecutors executors = new TaskExecutors();
    spark.sparkContext().addSparkListener(executors);
    Map<Integer, String> received = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicLong delivered = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicInteger batches =
        new java.util.concurrent.atomic.AtomicInteger();
    java.nio.file.Path checkpoint = java.nio.file.Files.createTempDirectory("cosmos-feed");
    org.apache.spark.sql.streaming.StreamingQuery query =
        spark
            .readStream()
            .format("cosmoscassandra")
            .option("keyspace", keyspace)
            .option("table", table)
            .option("changeFeed.maxRowsPerTrigger", Integer.toString(rows / 3))
            .load()
            .writeStream()
            .option("checkpointLocation", checkpoint.toString())
            .trigger(org.apache.spark.sql.streaming.Trigger.AvailableNow())
            .foreachBatch(
                (org.apache.spark.api.java.function.VoidFunction2<Dataset<Row>, Long>)
                    (batch, id) -> {
                      List<Row> got = batch.select("id", "title", "pages").collectAsList();
                      if (!got.isEmpty()) {
                        batches.incrementAndGet();
                      }
                      delivered.addAndGet(got.size());
                      for (Row row : got) {
                        received.put(row.getInt(0), row.getString(1) + "|" + row.getInt(2));
                      }
                    })
            .start();
    query.awaitTermination();
    int mismatches = 0;
    for (int id = 0; id < rows; id++) {
      if (!("title-" + id + "|" + (id % 700)).equals(received.get(id))) {
        mismatches++;
      }
    }
    System.out.println(
        "FEED rows="
            + delivered.get()
            + " distinctKeys="
            + received.size()
            + " mismatches="
            + mismatches
            + " batches="
            + batches.get()
            + " feedExecutors="
            + String.join(",", executors.ids()));
    spark.sparkContext().removeSparkListener(executors);
  }

  /** The ids of the executors that ran at least one task, as the driver's listener saw them. */
  static final class TaskExecutors extends SparkListener {
    private final Set<String> ids = new ConcurrentSkipListSet<>();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      ids.add(taskEnd.taskInfo().executorId());
    }

    Set<String> ids() {
      return new TreeSet<>(ids);
    }
  }

  /** The test keeps this JVM's standard input open; its end means the test JVM is gone. */
  private static void haltWhenTheTestIsGone() {
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

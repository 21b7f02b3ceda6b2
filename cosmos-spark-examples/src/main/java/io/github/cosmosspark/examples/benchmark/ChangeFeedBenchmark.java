package io.github.cosmosspark.examples.benchmark;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.github.cosmosspark.examples.ExampleAccount;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The change-feed source on the emulator, with the real Cassandra behind it: (a) how long a write
 * takes to reach a streaming query's sink at a steady rate of changes with a 1 s trigger, and (b)
 * how fast {@code Trigger.AvailableNow} catches up a backlog against its floor, the RU it charged ÷
 * its budget; printed as two tables.
 *
 * <p>{@code mvn -pl cosmos-spark-examples -am -Pchange-feed-benchmark -DskipTests verify}; sizes
 * with {@code -DchangesPerSecond=1000 -Dseconds=60 -DlatencyRuPerSecond=20000 -DcatchUpRows=100000
 * -DcatchUpRuPerSecond=4000 -DrowBytes=500}; {@code -DlatencyPageRows=100} sets the latency read's
 * page size, {@code -DcatchUpRows=0} leaves out (b).
 */
public final class ChangeFeedBenchmark {
  private static final String KEYSPACE = "change_feed_benchmark";

  /** cosmos-spark's default share of a table's throughput (throughput.fraction). */
  private static final double FRACTION = 0.9;

  /**
   * The page size of the catch-up run that avoids the stop described in {@link #catchUp}: under the
   * first page the session sends for a 4,000 RU/s table (180 rows, a tenth of a second of one
   * task's share at 1 RU a row, RequestSizing.rowsPerPage), so that no page comes back shorter than
   * asked while changes remain.
   */
  private static final int SMALL_PAGE_ROWS = 100;

  private final SparkSession spark;
  private final CosmosEmulator emulator;
  private final ExampleAccount account;
  private final List<String[]> latencyRows = new ArrayList<>();
  private final List<String[]> catchUpRows = new ArrayList<>();

  private ChangeFeedBenchmark(SparkSession spark, CosmosEmulator emulator) {
    this.spark = spark;
    this.emulator = emulator;
    this.account = ExampleAccount.ofEmulator(emulator);
  }

  public static void main(String[] args) throws Exception {
    int changesPerSecond = Integer.getInteger("changesPerSecond", 1_000);
    int seconds = Integer.getInteger("seconds", 60);
    int latencyRuPerSecond = Integer.getInteger("latencyRuPerSecond", 20_000);
    int catchUpRows = Integer.getInteger("catchUpRows", 100_000);
    int catchUpRuPerSecond = Integer.getInteger("catchUpRuPerSecond", 4_000);
    int rowBytes = Integer.getInteger("rowBytes", 500);
    // 0: the source's page size; else spark.cassandra.input.fetch.sizeInRows on the latency read.
    int latencyPageRows = Integer.getInteger("latencyPageRows", 0);
    CassandraServer cassandra = CassandraServer.builder().build();
    cassandra.start();
    try (CosmosEmulator emulator = CosmosEmulator.builder(cassandra).build().start()) {
      SparkSession spark =
          SparkSession.builder()
              // Up to 4 attempts per task, as on a cluster, so that a failed task is retried.
              .master("local[2,4]")
              .appName("change-feed-benchmark")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "4")
              // Every batch's progress stays readable for the figures (Spark keeps the last 100).
              .config("spark.sql.streaming.numRecentProgressUpdates", "100000")
              .getOrCreate();
      ChangeFeedBenchmark benchmark = new ChangeFeedBenchmark(spark, emulator);
      try (CqlSession session = emulator.newSession()) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS "
                + KEYSPACE
                + " WITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      }
      benchmark.latency(changesPerSecond, seconds, latencyRuPerSecond, latencyPageRows);
      if (catchUpRows > 0) {
        benchmark.catchUp(catchUpRows, catchUpRuPerSecond, rowBytes);
      }
      benchmark.print(changesPerSecond, seconds, latencyRuPerSecond, catchUpRuPerSecond, rowBytes);
      spark.stop();
    } finally {
      cassandra.close();
    }
  }

  // (a) End-to-end latency.

  /**
   * Inserts {@code perSecond × seconds} rows at a steady rate while a query with a 1 s trigger
   * reads the feed into a sink that notes when each id arrives; a write's latency is its arrival
   * minus the moment it was sent, both on this JVM's clock.
   */
  private void latency(int perSecond, int seconds, int ruPerSecond, int pageRows) throws Exception {
    String table = "latency";
    createTable(table, ruPerSecond);
    Map<String, String> options = options(table, ruPerSecond);
    if (pageRows > 0) {
      options.put("spark.cassandra.input.fetch.sizeInRows", Integer.toString(pageRows));
    }
    int measured = perSecond * seconds;
    // Two seconds of writes first, not counted: the first batches also load classes and compile.
    int warmUp = 2 * perSecond;
    long[] sentNanos = new long[measured + warmUp];
    AtomicLongArray arrivedNanos = new AtomicLongArray(measured + warmUp);
    AtomicInteger arrived = new AtomicInteger();
    StreamingQuery query =
        spark
            .readStream()
            .format("cosmoscassandra")
            .options(options)
            .option("changeFeed.startFrom", "beginning")
            .load()
            .writeStream()
            .option("checkpointLocation", checkpoint())
            .trigger(Trigger.ProcessingTime("1 second"))
            .foreachBatch(
                (VoidFunction2<Dataset<Row>, Long>)
                    (batch, batchId) -> {
                      List<Row> ids = batch.select("id").collectAsList();
                      long now = System.nanoTime();
                      for (Row row : ids) {
                        // The first arrival counts; a row may come again in a later batch only
                        // if it changed again, which these inserts never do.
                        if (arrivedNanos.compareAndSet(row.getInt(0), 0, now)) {
                          arrived.incrementAndGet();
                        }
                      }
                    })
            .start();
    try {
      // The query's first batch ran (on the empty table): it is polling.
      awaitUntil(query, () -> query.lastProgress() != null, 120);
      write(table, 0, warmUp, perSecond, sentNanos, query);
      awaitUntil(query, () -> arrived.get() >= warmUp, 120);
      long firstMeasuredBatch = query.lastProgress().batchId() + 1;
      long statisticsStart = System.nanoTime();
      TableStatistics before = emulator.statistics(KEYSPACE + "." + table).get();
      double writeSeconds = write(table, warmUp, warmUp + measured, perSecond, sentNanos, query);
      awaitUntil(query, () -> arrived.get() >= warmUp + measured, 300);
      TableStatistics after = emulator.statistics(KEYSPACE + "." + table).get();
      double elapsed = (System.nanoTime() - statisticsStart) / 1e9;

      double[] millis = new double[measured];
      int missing = 0;
      for (int i = 0; i < measured; i++) {
        long at = arrivedNanos.get(warmUp + i);
        if (at == 0) {
          missing++;
          millis[i] = Double.NaN;
        } else {
          millis[i] = (at - sentNanos[warmUp + i]) / 1e6;
        }
      }
      Arrays.sort(millis);
      BatchFigures batches = batchFigures(query, firstMeasuredBatch);
      latencyRows.add(
          new String[] {
            pageRows > 0 ? String.format("%,d", pageRows) : "source's",
            String.format("%,d", measured),
            String.format("%,.0f", measured / writeSeconds),
            String.format("%,d", measured - missing),
            String.format("%,.0f", percentile(millis, measured - missing, 0.50)),
            String.format("%,.0f", percentile(millis, measured - missing, 0.95)),
            String.format("%,.0f", percentile(millis, measured - missing, 0.99)),
            String.format("%,.0f", percentile(millis, measured - missing, 1.0)),
            String.format("%,d", batches.batches),
            String.format("%,d", batches.mostRows),
            batches.medianLagMillis < 0 ? "-" : String.format("%,d", batches.medianLagMillis),
            String.format("%,.0f", batches.requestUnits),
            String.format(
                "%,.0f", (after.requestUnits() - before.requestUnits()) / Math.max(1e-9, elapsed)),
            String.format("%,d", after.rateLimited() - before.rateLimited())
          });
    } finally {
      query.stop();
    }
  }

  /** Nearest-rank percentile of the first {@code count} (sorted) values. */
  private static double percentile(double[] sorted, int count, double fraction) {
    if (count == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(fraction * count);
    return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
  }

  /**
   * Inserts ids {@code from} to {@code to - 1} at {@code perSecond} statements a second, sent
   * without waiting for each answer (at most 256 in flight) so that the rate holds; notes when each
   * was sent. Returns the seconds from the first send to the last answer.
   */
  private double write(
      String table, int from, int to, int perSecond, long[] sentNanos, StreamingQuery query)
      throws Exception {
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<Double> done =
          writer.submit(
              () -> {
                try (CqlSession session = account.connector().openSession()) {
                  PreparedStatement insert =
                      session.prepare(
                          "INSERT INTO "
                              + KEYSPACE
                              + "."
                              + table
                              + " (id, title, pages) VALUES (?, ?, ?)");
                  Semaphore permits = new Semaphore(256);
                  AtomicReference<Throwable> failure = new AtomicReference<>();
                  long start = System.nanoTime();
                  for (int id = from; id < to; id++) {
                    long due = start + (id - from) * 1_000_000_000L / perSecond;
                    for (long wait = due - System.nanoTime();
                        wait > 0;
                        wait = due - System.nanoTime()) {
                      LockSupport.parkNanos(wait);
                    }
                    permits.acquire();
                    BoundStatement statement = insert.bind(id, "title-" + id, id % 997);
                    sentNanos[id] = System.nanoTime();
                    session
                        .executeAsync(statement)
                        .whenComplete(
                            (result, error) -> {
                              if (error != null) {
                                failure.compareAndSet(null, error);
                              }
                              permits.release();
                            });
                    if (failure.get() != null) {
                      break;
                    }
                  }
                  permits.acquire(256);
                  if (failure.get() != null) {
                    throw new IllegalStateException(
                        "A write failed: " + failure.get().getMessage(), failure.get());
                  }
                  return (System.nanoTime() - start) / 1e9;
                }
              });
      while (true) {
        try {
          return done.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException stillWriting) {
          if (!query.isActive()) {
            throw new IllegalStateException("The query stopped while writing", failureOf(query));
          }
        }
      }
    } catch (ExecutionException failed) {
      throw new IllegalStateException("The writer failed", failed.getCause());
    } finally {
      writer.shutdownNow();
    }
  }

  /** The measured batches' count, largest, median source lag and RU, from their progress. */
  private static final class BatchFigures {
    long batches;
    long mostRows;
    long medianLagMillis = -1;
    double requestUnits;
  }

  private static BatchFigures batchFigures(StreamingQuery query, long firstBatch) {
    // A batch's progress is reported after it ran; with no new data a report for the next batch
    // id may come first, with nothing read: the later report of an id is the batch's.
    Map<Long, StreamingQueryProgress> byId = new LinkedHashMap<>();
    for (StreamingQueryProgress progress : query.recentProgress()) {
      if (progress.batchId() >= firstBatch) {
        byId.put(progress.batchId(), progress);
      }
    }
    BatchFigures figures = new BatchFigures();
    List<Long> lags = new ArrayList<>();
    for (StreamingQueryProgress progress : byId.values()) {
      if (progress.numInputRows() == 0) {
        continue;
      }
      figures.batches++;
      figures.mostRows = Math.max(figures.mostRows, progress.numInputRows());
      Map<String, String> metrics = progress.sources()[0].metrics();
      figures.requestUnits += Double.parseDouble(metrics.getOrDefault("requestUnits", "0"));
      String lag = metrics.get("lagMillis");
      if (lag != null) {
        lags.add(Long.valueOf(lag));
      }
    }
    if (!lags.isEmpty()) {
      lags.sort(null);
      figures.medianLagMillis = lags.get((lags.size() - 1) / 2);
    }
    return figures;
  }

  // (b) Catching up with Trigger.AvailableNow.

  /**
   * Loads {@code rows} rows of about {@code rowBytes} bytes into a table, brings it down to {@code
   * ruPerSecond} with the partition layout a table created at that throughput has, then reads its
   * whole feed with {@code Trigger.AvailableNow}: once with the source's defaults, once with pages
   * of {@value #SMALL_PAGE_ROWS} rows. With the defaults the query ends after its first batch: the
   * session sends a first page smaller than the feed reader asked for (RetryingSession's probe,
   * RequestSizing.rowsPerPage), the reader takes the short page for "caught up", and AvailableNow
   * stops once every range has caught up. The table shows what each run delivered.
   */
  private void catchUp(int rows, int ruPerSecond, int rowBytes) throws Exception {
    String table = "catch_up";
    // Loaded at 60,000 RU/s (10 physical partitions) so that loading is not the benchmark's
    // longest part, then set to the throughput measured, and to the layout a table created at it
    // has (RU/s ÷ 6,000, rounded up: docs/emulator.md, "Physical partitions"), so that the feed
    // has the ranges such a table has.
    int loadRuPerSecond = 60_000;
    createTable(table, loadRuPerSecond);
    System.out.printf(
        "Loading %,d rows of ~%,d B into %s.%s at %,d RU/s...%n",
        rows, rowBytes, KEYSPACE, table, loadRuPerSecond);
    long loadStart = System.nanoTime();
    spark
        .range(rows)
        .selectExpr(
            "CAST(id AS INT) AS id",
            "CONCAT('title-', id, '-', REPEAT('x', " + Math.max(0, rowBytes - 30) + ")) AS title",
            "CAST(id % 997 AS INT) AS pages")
        .write()
        .format("cosmoscassandra")
        .options(options(table, loadRuPerSecond))
        .mode("append")
        .save();
    System.out.printf("Loaded in %.1f s.%n", (System.nanoTime() - loadStart) / 1e9);
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "ALTER TABLE "
              + KEYSPACE
              + "."
              + table
              + " WITH cosmosdb_provisioned_throughput="
              + ruPerSecond);
    }
    emulator.physicalPartitions(
        KEYSPACE + "." + table, Math.max(1, (int) Math.ceil(ruPerSecond / 6_000.0)));

    Map<String, String> defaults = options(table, ruPerSecond);
    catchUpRun("source defaults", table, rows, ruPerSecond, defaults);
    Map<String, String> smallPages = options(table, ruPerSecond);
    smallPages.put("spark.cassandra.input.fetch.sizeInRows", Integer.toString(SMALL_PAGE_ROWS));
    catchUpRun("input.fetch.sizeInRows=" + SMALL_PAGE_ROWS, table, rows, ruPerSecond, smallPages);
  }

  private void catchUpRun(
      String label, String table, int rows, int ruPerSecond, Map<String, String> options)
      throws Exception {
    BitSet seen = new BitSet(rows);
    AtomicLong delivered = new AtomicLong();
    TableStatistics before = emulator.statistics(KEYSPACE + "." + table).get();
    String outcome = "ok";
    long start = System.nanoTime();
    StreamingQuery query =
        spark
            .readStream()
            .format("cosmoscassandra")
            .options(options)
            .option("changeFeed.startFrom", "beginning")
            .load()
            .writeStream()
            .option("checkpointLocation", checkpoint())
            .trigger(Trigger.AvailableNow())
            .foreachBatch(
                (VoidFunction2<Dataset<Row>, Long>)
                    (batch, batchId) -> {
                      for (Row row : batch.select("id").collectAsList()) {
                        delivered.incrementAndGet();
                        synchronized (seen) {
                          seen.set(row.getInt(0));
                        }
                      }
                    })
            .start();
    try {
      // AvailableNow ends the query itself; the bound only keeps a stuck run from hanging.
      if (!query.awaitTermination(TimeUnit.MINUTES.toMillis(15))) {
        outcome = "did not end within 15 min";
        query.stop();
      }
    } catch (StreamingQueryException failed) {
      outcome = "failed: " + BenchmarkConnections.firstLine(failed, 100);
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    TableStatistics after = emulator.statistics(KEYSPACE + "." + table).get();
    int distinct;
    synchronized (seen) {
      distinct = seen.cardinality();
    }
    if (outcome.equals("ok") && distinct < rows) {
      outcome = String.format("ended with %,d of %,d rows unread", rows - distinct, rows);
    }
    BatchFigures batches = batchFigures(query, 0);
    double charged = after.requestUnits() - before.requestUnits();
    double budget = FRACTION * ruPerSecond;
    double floorSeconds = charged / budget;
    catchUpRows.add(
        new String[] {
          label,
          String.format("%,d", rows),
          String.format("%,d", distinct),
          String.format("%,d", delivered.get()),
          String.format("%,d", batches.batches),
          String.format("%.1f", wallSeconds),
          String.format("%,.0f", charged),
          String.format("%,.0f", batches.requestUnits),
          String.format("%,.0f", budget),
          String.format("%.1f", floorSeconds),
          String.format("%.2f", wallSeconds / floorSeconds),
          String.format("%,d", after.rateLimited() - before.rateLimited()),
          outcome
        });
  }

  // Shared.

  private void print(
      int perSecond, int seconds, int latencyRuPerSecond, int catchUpRuPerSecond, int rowBytes) {
    System.out.printf(
        "%n(a) End-to-end latency: %,d inserts/s for %d s into a table of %,d RU/s (%d physical"
            + " partitions), Trigger.ProcessingTime(\"1 second\"), a foreachBatch sink noting each"
            + " id's arrival; Spark local[2] on the emulator%n%n",
        perSecond, seconds, latencyRuPerSecond, partitions("latency"));
    String latencyFormat =
        "| %9s | %8s | %8s | %9s | %9s | %7s | %7s | %7s | %7s | %10s | %10s | %9s | %10s | %5s |%n";
    System.out.printf(
        latencyFormat,
        "page rows",
        "changes",
        "sent/s",
        "delivered",
        "median ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "batches",
        "most/batch",
        "lag p50 ms",
        "feed RU",
        "table RU/s",
        "429s");
    for (String[] row : latencyRows) {
      System.out.printf(latencyFormat, (Object[]) row);
    }
    System.out.println(
        "\npage rows = spark.cassandra.input.fetch.sizeInRows on the read (-DlatencyPageRows);"
            + " latency = arrival in the sink − the write's send time; lag p50 = the median over batches"
            + " of the source's lagMillis; feed RU = the source's requestUnits over the measured"
            + " batches; table RU/s = all RU charged on the table (writes and feed) ÷ the measured"
            + " time.");

    System.out.printf(
        "%n(b) Catching up with Trigger.AvailableNow: a table of %,d RU/s (%d physical partitions),"
            + " rows of ~%,d B, its whole feed from the beginning; budget = %.0f%% of the table's"
            + " RU/s (throughput.fraction); floor = RU charged ÷ budget%n%n",
        catchUpRuPerSecond, partitions("catch_up"), rowBytes, FRACTION * 100);
    String catchUpFormat =
        "| %-26s | %8s | %8s | %9s | %7s | %6s | %10s | %9s | %8s | %7s | %10s | %5s | %s%n";
    System.out.printf(
        catchUpFormat,
        "run",
        "rows",
        "distinct",
        "delivered",
        "batches",
        "wall s",
        "RU charged",
        "source RU",
        "budget",
        "floor s",
        "wall/floor",
        "429s",
        "outcome");
    for (String[] row : catchUpRows) {
      System.out.printf(catchUpFormat, (Object[]) row);
    }
    System.out.println(
        "\ndistinct = ids the sink received; delivered = rows, repeats included; RU charged = the"
            + " emulator's charge on the table during the run; source RU = the source's"
            + " requestUnits metric summed over batches; wall = query start to its end.");
  }

  private int partitions(String table) {
    return emulator.physicalPartitionCount(KEYSPACE + "." + table);
  }

  private Map<String, String> options(String table, int ruPerSecond) {
    Map<String, String> options = BenchmarkConnections.cosmos(emulator);
    // The table's throughput, declared as the other benchmarks declare it: the budget follows.
    options.put(
        "spark.cosmos.cassandra.throughput.provisionedRuPerSecond", Integer.toString(ruPerSecond));
    options.put("keyspace", KEYSPACE);
    options.put("table", table);
    return options;
  }

  private void createTable(String table, int ruPerSecond) {
    try (CqlSession session = emulator.newSession()) {
      session.execute("DROP TABLE IF EXISTS " + KEYSPACE + "." + table);
      session.execute(
          "CREATE TABLE "
              + KEYSPACE
              + "."
              + table
              + " (id int PRIMARY KEY, title text, pages int) WITH cosmosdb_provisioned_throughput="
              + ruPerSecond);
    }
  }

  private static String checkpoint() {
    try {
      return Files.createTempDirectory("change-feed-benchmark").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Condition {
    boolean holds();
  }

  /** Polls every 50 ms until {@code condition} holds; fails if the query stops or time runs out. */
  private static void awaitUntil(StreamingQuery query, Condition condition, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.holds()) {
      if (!query.isActive()) {
        throw new IllegalStateException("The query stopped", failureOf(query));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            String.format(Locale.ROOT, "Not done after %d s: %s", seconds, query.lastProgress()));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private static Throwable failureOf(StreamingQuery query) {
    return query.exception().isDefined() ? query.exception().get() : null;
  }
}

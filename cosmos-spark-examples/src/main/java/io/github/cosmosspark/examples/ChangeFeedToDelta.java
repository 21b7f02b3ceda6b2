package io.github.cosmosspark.examples;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Keeps a Delta Lake table equal to a Cosmos table through the table's change feed: a streaming
 * query reads the feed from the beginning and merges each micro-batch into the Delta table by
 * primary key, while a second thread inserts rows into the Cosmos table at a steady rate and then
 * updates some of them. Once the writer is done it waits for the Delta table to catch up, prints
 * each batch's rows, lag and request units, and fails (exit status 1) unless the Delta table equals
 * the Cosmos table row by row.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=ChangeFeedToDelta package},
 * sizes with {@code -Dexample.args="inserts=2000 updates=500 rate=250"} (writes per second); {@code
 * work=<directory>} keeps the Delta table and the checkpoint there instead of in a temporary
 * directory.
 */
public final class ChangeFeedToDelta {
  static final String TABLE = "book_changes";

  /**
   * The table's RU/s: the writer's inserts at 250 a second cost about 1,250 RU/s (~5 RU each), the
   * feed's pages a few more; the rest is room, so that nothing here waits for throughput.
   */
  static final int RU_PER_SECOND = 4_000;

  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.IntegerType, false)
          .add("title", DataTypes.StringType)
          .add("pages", DataTypes.IntegerType);

  private static final String[] COLUMNS = SCHEMA.fieldNames();

  private ChangeFeedToDelta() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    Result result;
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      SparkSession spark = spark();
      result =
          run(
              spark,
              account,
              arguments.keyspace(),
              arguments.integer("inserts", 2_000),
              arguments.integer("updates", 500),
              arguments.integer("rate", 250),
              workDirectory(arguments.string("work", "")));
      spark.stop();
    }
    if (!result.matches) {
      // A non-zero status fails the Maven run, and a job scheduler's.
      System.exit(1);
    }
  }

  /**
   * A session with Delta Lake's SQL extension and catalog, which Spark reads only when a session is
   * built: set later, on a running session, they would be ignored.
   */
  static SparkSession spark() {
    return ExampleAccount.sparkBuilder("ChangeFeedToDelta")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        // Delta splits the state it reads from its log into 50 partitions by default, sized for
        // large tables; for this one, on one machine, a few keep each batch's MERGE quicker.
        .config("spark.databricks.delta.snapshotPartitions", "2")
        // Every batch's progress stays readable for the summary (Spark keeps the last 100).
        .config("spark.sql.streaming.numRecentProgressUpdates", "10000")
        .getOrCreate();
  }

  /** What one micro-batch read from the feed and did to the Delta table. */
  static final class Batch {
    final long id;

    /** The rows the batch read; null if its progress report is not kept. */
    final Long rowsRead;

    /** Now minus the write time of the newest change read; null when the batch read nothing. */
    final Long lagMillis;

    final double requestUnits;
    final long inserted;
    final long updated;

    Batch(long id, Long rowsRead, Long lagMillis, double requestUnits, long[] merged) {
      this.id = id;
      this.rowsRead = rowsRead;
      this.lagMillis = lagMillis;
      this.requestUnits = requestUnits;
      this.inserted = merged[0];
      this.updated = merged[1];
    }
  }

  /** The run's batches and how the Delta table compared with the Cosmos table at the end. */
  static final class Result {
    final List<Batch> batches;
    final String deltaPath;
    final long cosmosRows;
    final long deltaRows;

    /** Rows of the Cosmos table that the Delta table lacks or holds with other values. */
    final long missingOrDifferent;

    /** Rows of the Delta table that the Cosmos table lacks (including older versions). */
    final long unexpected;

    /** Delta rows beyond the first for a key. */
    final long duplicateKeys;

    final boolean matches;

    Result(List<Batch> batches, String deltaPath, Comparison comparison) {
      this.batches = Collections.unmodifiableList(batches);
      this.deltaPath = deltaPath;
      this.cosmosRows = comparison.cosmosRows;
      this.deltaRows = comparison.deltaRows;
      this.missingOrDifferent = comparison.missingOrDifferent;
      this.unexpected = comparison.unexpected;
      this.duplicateKeys = comparison.duplicateKeys;
      this.matches = comparison.matches();
    }
  }

  static Result run(
      SparkSession spark,
      ExampleAccount account,
      String keyspace,
      int inserts,
      int updates,
      int rate,
      Path work) {
    if (updates > inserts) {
      throw new IllegalArgumentException(
          "Argument 'updates' must be at most 'inserts' (each update changes an inserted row), got"
              + " updates="
              + updates
              + " and inserts="
              + inserts
              + ".");
    }
    System.out.println("Change feed to Delta Lake against " + account.describe());
    // A fresh table for a fresh checkpoint: the checkpoint holds positions in this table's feed.
    account.execute(
        Keyspaces.createIfMissing(keyspace),
        "DROP TABLE IF EXISTS " + keyspace + "." + TABLE,
        "CREATE TABLE "
            + keyspace
            + "."
            + TABLE
            + " (id int PRIMARY KEY, title text, pages int)"
            + " WITH cosmosdb_provisioned_throughput="
            + RU_PER_SECOND);
    String deltaPath = work.resolve("delta").resolve(TABLE).toString();
    String checkpoint = work.resolve("checkpoint").toString();

    Dataset<Row> changes =
        spark
            .readStream()
            .format("cosmoscassandra")
            .options(account.options(keyspace, TABLE))
            .option("changeFeed.startFrom", "beginning")
            .load();
    // The target exists before the first batch, so that every batch is the same MERGE.
    DeltaTable.createIfNotExists(spark).location(deltaPath).addColumns(changes.schema()).execute();

    Map<Long, long[]> merges = Collections.synchronizedMap(new TreeMap<>());
    AtomicLong lastBatchMerged = new AtomicLong(-1);
    StreamingQuery query =
        start(
            changes
                .writeStream()
                .queryName("change_feed_to_delta")
                .option("checkpointLocation", checkpoint)
                .trigger(Trigger.ProcessingTime("1 second"))
                // The feed gives the latest version of each changed row, not a log of every
                // change: a row inserted and then updated may come once, as updated, or twice,
                // once per version. Appending would keep both versions; a MERGE on the primary key
                // keeps one row per key, the latest. It is also what makes the sink idempotent: a
                // batch that ran but whose offsets were not committed (the query stopped between
                // the two) runs again on restart, from its start, and may then also bring rows
                // changed since, in their newer version: merged again, they leave one row per key
                // with its latest values, where an append would add them a second time.
                .foreachBatch(
                    (VoidFunction2<Dataset<Row>, Long>)
                        (batch, batchId) -> {
                          merges.put(batchId, merge(spark, deltaPath, batch));
                          lastBatchMerged.set(batchId);
                        }));

    Comparison comparison;
    try {
      // The writer starts once the query has run its first batch (on the empty table): on a small
      // machine the query's start (Delta's first MERGE above all) would otherwise slow the writes
      // below the rate asked.
      awaitFirstBatch(query);
      Written written = writeWhileStreaming(account, keyspace, inserts, updates, rate, query);
      long writerDone = System.nanoTime();
      System.out.printf(
          "Wrote %,d inserts and %,d updates in %.1f s (%,.0f a second); waiting for the Delta"
              + " table to catch up...%n",
          inserts, updates, written.seconds, written.statements / written.seconds);
      comparison = waitUntilEqual(spark, account, keyspace, deltaPath, query);
      System.out.printf(
          "The Delta table %s %.1f s after the last write.%n",
          comparison.matches() ? "equals the Cosmos table" : "still differs from the Cosmos table",
          (System.nanoTime() - writerDone) / 1e9);
      // Its progress is reported after its MERGE: wait for it, to show every batch that wrote.
      awaitProgressOf(query, lastBatchMerged.get());
    } finally {
      stop(query);
    }
    List<Batch> batches = batches(query, merges);
    print(batches);
    Result result = new Result(batches, deltaPath, comparison);
    System.out.printf(
        "%s.%s: %,d rows; Delta table %s: %,d rows; %,d missing or different, %,d unexpected, %,d"
            + " repeated keys: %s.%n",
        keyspace,
        TABLE,
        result.cosmosRows,
        deltaPath,
        result.deltaRows,
        result.missingOrDifferent,
        result.unexpected,
        result.duplicateKeys,
        result.matches ? "equal" : "NOT EQUAL");
    return result;
  }

  /**
   * Merges one micro-batch into the Delta table: an existing key takes the batch's values, a new
   * key is inserted. Returns the rows inserted and updated, from the commit's own metrics.
   */
  private static long[] merge(SparkSession spark, String deltaPath, Dataset<Row> batch) {
    DeltaTable target = DeltaTable.forPath(spark, deltaPath);
    // MERGE reads its source twice (to find the files to rewrite, then to write them) and, by
    // default, first copies a source that is not a Delta table so that both reads see the same
    // rows. Keep it so (spark.databricks.delta.merge.materializeSource=auto): read again, the feed
    // shows rows as they are then, and a row changed in between has moved further on in the feed.
    target
        .as("delta")
        .merge(batch.as("change"), "delta.id = change.id")
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
    // The commit this MERGE made is the table's latest: one batch merges at a time.
    Map<String, String> metrics =
        target.history(1).select("operationMetrics").first().getJavaMap(0);
    return new long[] {
      Long.parseLong(metrics.getOrDefault("numTargetRowsInserted", "0")),
      Long.parseLong(metrics.getOrDefault("numTargetRowsUpdated", "0"))
    };
  }

  /**
   * Inserts ids 0 to {@code inserts - 1}, then updates {@code updates} of them spread over the
   * range, at {@code rate} statements a second, on a thread of its own while the query runs.
   * Prepared statements, as an application's driver sends them. Returns the writer's figures.
   */
  private static Written writeWhileStreaming(
      ExampleAccount account,
      String keyspace,
      int inserts,
      int updates,
      int rate,
      StreamingQuery query) {
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<Written> sent =
          writer.submit(
              () -> {
                try (CqlSession session = account.connector().openSession()) {
                  PreparedStatement insert =
                      session.prepare(
                          "INSERT INTO "
                              + keyspace
                              + "."
                              + TABLE
                              + " (id, title, pages) VALUES (?, ?, ?)");
                  PreparedStatement update =
                      session.prepare(
                          "UPDATE "
                              + keyspace
                              + "."
                              + TABLE
                              + " SET title = ?, pages = ? WHERE id = ?");
                  InFlight inFlight = new InFlight();
                  long start = System.nanoTime();
                  long statements = 0;
                  for (int id = 0; id < inserts; id++) {
                    paceTo(start, statements++, rate);
                    inFlight.send(session, insert.bind(id, title(id, false), pages(id, false)));
                  }
                  // An update must not overtake its row's insert.
                  inFlight.awaitAll();
                  for (int id = 0; id < inserts; id++) {
                    if (isUpdated(id, inserts, updates)) {
                      paceTo(start, statements++, rate);
                      inFlight.send(session, update.bind(title(id, true), pages(id, true), id));
                    }
                  }
                  inFlight.awaitAll();
                  return new Written(statements, (System.nanoTime() - start) / 1e9);
                }
              });
      while (true) {
        try {
          return sent.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException stillWriting) {
          if (!query.isActive()) {
            throw stopped(query, "while the writer was writing");
          }
        }
      }
    } catch (ExecutionException failed) {
      throw new IllegalStateException(
          "The writer failed: " + failed.getCause().getMessage(), failed.getCause());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the writer was writing", interrupted);
    } finally {
      writer.shutdownNow();
    }
  }

  /** What the writer sent, and in how long. */
  private static final class Written {
    final long statements;
    final double seconds;

    Written(long statements, double seconds) {
      this.statements = statements;
      this.seconds = seconds;
    }
  }

  /**
   * Writes sent without waiting for each answer, so that the rate holds whatever a write's round
   * trip takes, and at most {@value #MAX_IN_FLIGHT} at a time; the first failure is kept and
   * thrown.
   */
  private static final class InFlight {
    private static final int MAX_IN_FLIGHT = 64;
    private final Semaphore permits = new Semaphore(MAX_IN_FLIGHT);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    void send(CqlSession session, BoundStatement statement) throws InterruptedException {
      permits.acquire();
      session
          .executeAsync(statement)
          .whenComplete(
              (result, error) -> {
                if (error != null) {
                  failure.compareAndSet(null, error);
                }
                permits.release();
              });
      rethrow();
    }

    void awaitAll() throws InterruptedException {
      permits.acquire(MAX_IN_FLIGHT);
      permits.release(MAX_IN_FLIGHT);
      rethrow();
    }

    private void rethrow() {
      Throwable first = failure.get();
      if (first != null) {
        throw new IllegalStateException("A write failed: " + first.getMessage(), first);
      }
    }
  }

  /** Sleeps until statement {@code index} is due: a steady rate, not bursts. */
  private static void paceTo(long start, long index, int rate) {
    long due = start + index * 1_000_000_000L / rate;
    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
      LockSupport.parkNanos(wait);
    }
  }

  /** Every {@code inserts / updates}-th id, {@code updates} of them. */
  static boolean isUpdated(int id, int inserts, int updates) {
    int step = inserts / updates;
    return id % step == 0 && id / step < updates;
  }

  static String title(int id, boolean updated) {
    return updated ? "Book " + id + ", second edition" : "Book " + id;
  }

  static int pages(int id, boolean updated) {
    return 100 + id % 400 + (updated ? 32 : 0);
  }

  /** The rows the Cosmos table holds once the writer is done, in {@link #SCHEMA}. */
  static List<Row> expectedRows(int inserts, int updates) {
    List<Row> rows = new ArrayList<>(inserts);
    for (int id = 0; id < inserts; id++) {
      boolean updated = isUpdated(id, inserts, updates);
      rows.add(RowFactory.create(id, title(id, updated), pages(id, updated)));
    }
    return rows;
  }

  /** The Delta table against the Cosmos table, row by row. */
  static final class Comparison {
    final long cosmosRows;
    final long deltaRows;
    final long missingOrDifferent;
    final long unexpected;
    final long duplicateKeys;

    Comparison(
        long cosmosRows,
        long deltaRows,
        long missingOrDifferent,
        long unexpected,
        long duplicateKeys) {
      this.cosmosRows = cosmosRows;
      this.deltaRows = deltaRows;
      this.missingOrDifferent = missingOrDifferent;
      this.unexpected = unexpected;
      this.duplicateKeys = duplicateKeys;
    }

    boolean matches() {
      return cosmosRows == deltaRows
          && missingOrDifferent == 0
          && unexpected == 0
          && duplicateKeys == 0;
    }
  }

  /**
   * Compares the Delta table with the Cosmos table once a second until they are equal, for at most
   * a minute. The Cosmos table is read once: the writer is done.
   */
  private static Comparison waitUntilEqual(
      SparkSession spark,
      ExampleAccount account,
      String keyspace,
      String deltaPath,
      StreamingQuery query) {
    Dataset<Row> cosmos =
        spark
            .read()
            .format("cosmoscassandra")
            .options(account.options(keyspace, TABLE))
            .load()
            .select(columns())
            .cache();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (true) {
        Comparison comparison = compare(spark, cosmos, deltaPath);
        if (comparison.matches() || System.nanoTime() > deadline) {
          if (!comparison.matches()) {
            showDifferences(spark, cosmos, deltaPath);
          }
          return comparison;
        }
        if (!query.isActive()) {
          throw stopped(query, "before the Delta table caught up");
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      }
    } finally {
      cosmos.unpersist();
    }
  }

  private static Comparison compare(SparkSession spark, Dataset<Row> cosmos, String deltaPath) {
    Dataset<Row> delta = spark.read().format("delta").load(deltaPath).select(columns());
    long deltaRows = delta.count();
    return new Comparison(
        cosmos.count(),
        deltaRows,
        // EXCEPT compares whole rows: a key with other values counts on both sides.
        cosmos.except(delta).count(),
        delta.except(cosmos).count(),
        deltaRows - delta.select("id").distinct().count());
  }

  private static void showDifferences(SparkSession spark, Dataset<Row> cosmos, String deltaPath) {
    Dataset<Row> delta = spark.read().format("delta").load(deltaPath).select(columns());
    System.out.println("In Cosmos, not so in Delta (first 10):");
    cosmos.except(delta).orderBy("id").show(10, false);
    System.out.println("In Delta, not so in Cosmos (first 10):");
    delta.except(cosmos).orderBy("id").show(10, false);
  }

  private static Column[] columns() {
    Column[] columns = new Column[COLUMNS.length];
    for (int i = 0; i < COLUMNS.length; i++) {
      columns[i] = new Column(COLUMNS[i]);
    }
    return columns;
  }

  /** Waits (up to 2 minutes) until the query has reported its first batch's progress. */
  private static void awaitFirstBatch(StreamingQuery query) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (query.lastProgress() == null) {
      if (!query.isActive()) {
        throw stopped(query, "before its first batch");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The streaming query ran no batch in 2 minutes.");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /** Waits (up to 30 s) until the query has reported the progress of batch {@code batchId}. */
  private static void awaitProgressOf(StreamingQuery query, long batchId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && query.isActive()) {
      StreamingQueryProgress last = query.lastProgress();
      if (last != null && last.batchId() >= batchId) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /** Each batch that merged, with the source's figures from the query's progress reports. */
  private static List<Batch> batches(StreamingQuery query, Map<Long, long[]> merges) {
    // A batch's progress is reported once it has run; with no new data, a report for the next
    // batch id may come first, with nothing read: the later report of an id is the batch's.
    Map<Long, StreamingQueryProgress> progressById = new TreeMap<>();
    for (StreamingQueryProgress progress : query.recentProgress()) {
      progressById.put(progress.batchId(), progress);
    }
    List<Batch> batches = new ArrayList<>();
    synchronized (merges) {
      for (Map.Entry<Long, long[]> merge : merges.entrySet()) {
        StreamingQueryProgress progress = progressById.get(merge.getKey());
        Map<String, String> metrics =
            progress == null || progress.sources().length == 0
                ? Collections.<String, String>emptyMap()
                : sourceMetrics(progress.sources()[0]);
        String lag = metrics.get("lagMillis");
        batches.add(
            new Batch(
                merge.getKey(),
                progress == null ? null : progress.numInputRows(),
                lag == null ? null : Long.valueOf(lag),
                Double.parseDouble(metrics.getOrDefault("requestUnits", "0")),
                merge.getValue()));
      }
    }
    return batches;
  }

  private static Map<String, String> sourceMetrics(SourceProgress source) {
    return source.metrics() == null ? Collections.<String, String>emptyMap() : source.metrics();
  }

  private static void print(List<Batch> batches) {
    String format = "| %5s | %9s | %8s | %8s | %8s | %7s |%n";
    System.out.printf(format, "batch", "rows read", "lag ms", "RU", "inserted", "updated");
    for (Batch batch : batches) {
      System.out.printf(
          format,
          batch.id,
          batch.rowsRead == null ? "-" : String.format("%,d", batch.rowsRead),
          batch.lagMillis == null ? "-" : String.format("%,d", batch.lagMillis),
          String.format("%.2f", batch.requestUnits),
          String.format("%,d", batch.inserted),
          String.format("%,d", batch.updated));
    }
  }

  private static StreamingQuery start(DataStreamWriter<Row> stream) {
    try {
      return stream.start();
    } catch (TimeoutException e) {
      throw new IllegalStateException("The streaming query did not start: " + e.getMessage(), e);
    }
  }

  private static IllegalStateException stopped(StreamingQuery query, String when) {
    StreamingQueryException failure =
        query.exception().isDefined() ? query.exception().get() : null;
    return new IllegalStateException(
        "The streaming query stopped "
            + when
            + (failure == null ? "." : ": " + failure.getMessage()),
        failure);
  }

  private static void stop(StreamingQuery query) {
    try {
      query.stop();
    } catch (TimeoutException e) {
      throw new IllegalStateException("The streaming query did not stop: " + e.getMessage(), e);
    }
  }

  private static Path workDirectory(String parent) {
    try {
      // A new directory each run, also under a given parent: the table is created afresh each
      // run, and an old checkpoint would point into the old table's feed.
      return parent.isEmpty()
          ? Files.createTempDirectory("change-feed-to-delta")
          : Files.createTempDirectory(
              Files.createDirectories(Paths.get(parent)), "change-feed-to-delta");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

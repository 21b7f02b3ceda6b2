package io.github.cosmosspark.examples;

import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.throughput.RequestUnitStatistics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A bulk load the way data engineers do one: a data set shaped like a city's public crime records
 * (22 columns, generated here, nothing downloaded) lands as Parquet or CSV files, and a Spark job
 * loads the files into a table under throughput control, at 90 % of the table's RU/s. Progress is
 * printed every two seconds; at the end the rows per second, request units per second and 429s, and
 * a count of the table against the files.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=BulkLoad package}; {@code
 * -Dexample.args="rows=1000000 ruPerSecond=20000 format=csv dir=/data/crimes"} to change the size
 * (200,000 rows), the table's throughput (10,000 RU/s), the file format (parquet) and where the
 * files go (a temporary directory, deleted afterwards).
 */
public final class BulkLoad {
  static final String TABLE = "crimes";
  static final int DEFAULT_ROWS = 200_000;
  static final int DEFAULT_RU_PER_SECOND = 10_000;

  /** The table, one column per field of the data set, keyed by case. */
  static final String COLUMNS =
      "(case_id int PRIMARY KEY, case_number text, occurred_at timestamp, block text, iucr text,"
          + " primary_type text, description text, location_description text, arrest boolean,"
          + " domestic boolean, beat int, district int, ward int, community_area int,"
          + " fbi_code text, x_coordinate int, y_coordinate int, year int,"
          + " updated_on timestamp, latitude double, longitude double, location text)";

  private BulkLoad() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(
          ExampleAccount.spark("BulkLoad"),
          account,
          arguments.keyspace(),
          arguments.integer("rows", DEFAULT_ROWS),
          arguments.integer("ruPerSecond", DEFAULT_RU_PER_SECOND),
          arguments.string("format", "parquet"),
          arguments.string("dir", ""));
    }
  }

  /** What the load did. */
  static final class Summary {
    final long rows;
    final double seconds;
    final double requestUnits;
    final long rateLimited;
    final long counted;

    Summary(long rows, double seconds, double requestUnits, long rateLimited, long counted) {
      this.rows = rows;
      this.seconds = seconds;
      this.requestUnits = requestUnits;
      this.rateLimited = rateLimited;
      this.counted = counted;
    }
  }

  /**
   * {@code rows} crime records: the same rows for the same {@code rows}, so a load can be checked
   * against them.
   */
  static Dataset<Row> crimes(SparkSession spark, int rows) {
    String kind = "CAST(id * 7 % 8 AS INT) + 1";
    return spark
        .range(rows)
        .selectExpr(
            "id",
            "TIMESTAMP_SECONDS(1672531200 + id * 7919 % 31536000) AS occurred_at",
            kind + " AS kind",
            "CAST(ROUND(41.65 + (id * 7 % 3500) / 10000.0, 6) AS DOUBLE) AS latitude",
            "CAST(ROUND(-87.75 + (id * 11 % 3000) / 10000.0, 6) AS DOUBLE) AS longitude")
        .selectExpr(
            "CAST(id + 10000000 AS INT) AS case_id",
            "CONCAT('JH', LPAD(CAST(id AS STRING), 6, '0')) AS case_number",
            "occurred_at",
            "CONCAT(LPAD(CAST(id * 13 % 120 * 100 AS STRING), 5, '0'), 'XX ',"
                + " ELEMENT_AT(ARRAY('N STATE ST', 'W MADISON ST', 'S HALSTED ST', 'E 63RD ST',"
                + " 'W NORTH AVE', 'S PULASKI RD'), CAST(id % 6 AS INT) + 1)) AS block",
            "ELEMENT_AT(ARRAY('0486', '0820', '0560', '1310', '0460', '0910', '2820', '0610'),"
                + " kind) AS iucr",
            "ELEMENT_AT(ARRAY('BATTERY', 'THEFT', 'ASSAULT', 'CRIMINAL DAMAGE', 'BATTERY',"
                + " 'MOTOR VEHICLE THEFT', 'OTHER OFFENSE', 'BURGLARY'), kind) AS primary_type",
            "ELEMENT_AT(ARRAY('DOMESTIC BATTERY SIMPLE', '$500 AND UNDER', 'SIMPLE',"
                + " 'TO PROPERTY', 'SIMPLE', 'AUTOMOBILE', 'TELEPHONE THREAT', 'FORCIBLE ENTRY'),"
                + " kind) AS description",
            "ELEMENT_AT(ARRAY('STREET', 'RESIDENCE', 'APARTMENT', 'SIDEWALK', 'PARKING LOT',"
                + " 'SMALL RETAIL STORE', 'RESTAURANT'), CAST(id % 7 AS INT) + 1)"
                + " AS location_description",
            "id % 5 = 0 AS arrest",
            "kind = 1 AS domestic",
            "CAST(id * 3 % 25 + 1 AS INT) * 100 + CAST(id % 30 AS INT) + 11 AS beat",
            "CAST(id * 3 % 25 + 1 AS INT) AS district",
            "CAST(id % 50 + 1 AS INT) AS ward",
            "CAST(id % 77 + 1 AS INT) AS community_area",
            "ELEMENT_AT(ARRAY('08B', '06', '08A', '14', '08B', '07', '26', '05'), kind)"
                + " AS fbi_code",
            "CAST(1100000 + id * 17 % 100000 AS INT) AS x_coordinate",
            "CAST(1810000 + id * 29 % 150000 AS INT) AS y_coordinate",
            "YEAR(occurred_at) AS year",
            "TIMESTAMP_SECONDS(1704067200 + id % 86400) AS updated_on",
            "latitude",
            "longitude",
            "CONCAT('(', CAST(latitude AS STRING), ', ', CAST(longitude AS STRING), ')')"
                + " AS location");
  }

  static Summary run(
      SparkSession spark,
      ExampleAccount account,
      String keyspace,
      int rows,
      int ruPerSecond,
      String format,
      String directory) {
    String fileFormat = format.toLowerCase(Locale.ROOT);
    if (!fileFormat.equals("parquet") && !fileFormat.equals("csv")) {
      throw new IllegalArgumentException("format must be parquet or csv, got '" + format + "'.");
    }
    System.out.println("Bulk load against " + account.describe());
    boolean temporary = directory.isEmpty();
    Path files = temporary ? temporaryDirectory() : Paths.get(directory);

    System.out.printf("1. Generating %,d crime records as %s in %s...%n", rows, fileFormat, files);
    Dataset<Row> generated = crimes(spark, rows);
    generated
        .write()
        .mode("overwrite")
        .format(fileFormat)
        .option("header", "true")
        .save(files.toString());
    Dataset<Row> fromFiles =
        spark
            .read()
            .format(fileFormat)
            .schema(generated.schema())
            .option("header", "true")
            .load(files.toString());

    String table = keyspace + "." + TABLE;
    System.out.printf("2. Creating %s at %,d RU/s...%n", table, ruPerSecond);
    account.execute(
        Keyspaces.createIfMissing(keyspace),
        "DROP TABLE IF EXISTS " + table,
        "CREATE TABLE "
            + table
            + " "
            + COLUMNS
            + " WITH cosmosdb_provisioned_throughput="
            + ruPerSecond);

    System.out.printf("3. Loading, at most 90%% of %,d RU/s:%n", ruPerSecond);
    RequestUnitStatistics.Snapshot unitsBefore = CosmosRuntime.get().requestUnits().of(table);
    RetryStatistics.Snapshot retriesBefore = CosmosRuntime.get().retryStatistics().of(table);
    long started = System.nanoTime();
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(daemon());
    Progress reporter = new Progress(table, rows, unitsBefore, retriesBefore, started);
    progress.scheduleAtFixedRate(reporter, 2, 2, TimeUnit.SECONDS);
    try {
      fromFiles
          .write()
          .format("cosmoscassandra")
          .options(account.options(keyspace, TABLE))
          // The table's throughput as the portal shows it: the budget is 90 % of it.
          .option("throughput.provisionedRuPerSecond", Integer.toString(ruPerSecond))
          .mode("append")
          .save();
    } finally {
      progress.shutdownNow();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    RequestUnitStatistics.Snapshot units =
        CosmosRuntime.get().requestUnits().of(table).minus(unitsBefore);
    RetryStatistics.Snapshot retries =
        CosmosRuntime.get().retryStatistics().of(table).minus(retriesBefore);

    long counted =
        spark
            .read()
            .format("cosmoscassandra")
            .options(account.options(keyspace, TABLE))
            .load()
            .count();
    long inFiles = fromFiles.count();
    System.out.println();
    System.out.printf("Loaded %,d rows into %s in %.1f s%n", inFiles, table, seconds);
    System.out.printf("  rows/s        %,.0f%n", inFiles / seconds);
    System.out.printf(
        "  RU            %,.0f (%.2f RU per row)%n",
        units.requestUnits(), units.requestUnits() / inFiles);
    System.out.printf(
        "  RU/s          %,.0f on average; budget %,.0f of %,d provisioned%n",
        units.requestUnits() / seconds, 0.9 * ruPerSecond, ruPerSecond);
    System.out.printf(
        "  429s          %,d (%,d requests resent, %,d ms of waits in all)%n",
        retries.rateLimited(), retries.retries(), retries.backoffMillis());
    System.out.printf(
        "  count check   %,d rows in the table, %,d in the files: %s%n",
        counted, inFiles, counted == inFiles ? "OK" : "MISMATCH");
    if (temporary) {
      deleteRecursively(files);
    }
    if (counted != inFiles) {
      throw new IllegalStateException(
          "The table holds " + counted + " rows, the files " + inFiles + ".");
    }
    return new Summary(inFiles, seconds, units.requestUnits(), retries.rateLimited(), counted);
  }

  /** One line every two seconds while the load runs. */
  private static final class Progress implements Runnable {
    private final String table;
    private final int rows;
    private final RequestUnitStatistics.Snapshot unitsAtStart;
    private final RetryStatistics.Snapshot retriesAtStart;
    private final long startNanos;
    private RequestUnitStatistics.Snapshot last;
    private long lastNanos;

    Progress(
        String table,
        int rows,
        RequestUnitStatistics.Snapshot unitsAtStart,
        RetryStatistics.Snapshot retriesAtStart,
        long startNanos) {
      this.table = table;
      this.rows = rows;
      this.unitsAtStart = unitsAtStart;
      this.retriesAtStart = retriesAtStart;
      this.startNanos = startNanos;
      this.last = unitsAtStart;
      this.lastNanos = startNanos;
    }

    @Override
    public void run() {
      long now = System.nanoTime();
      RequestUnitStatistics.Snapshot units = CosmosRuntime.get().requestUnits().of(table);
      // One row per write statement: each charged answer is one row written.
      long written = units.minus(unitsAtStart).answers();
      double ruPerSecond = units.minus(last).requestUnits() / ((now - lastNanos) / 1e9);
      long rateLimited =
          CosmosRuntime.get().retryStatistics().of(table).minus(retriesAtStart).rateLimited();
      System.out.printf(
          "  %6.1f s  %,9d rows (%5.1f %%)  %,8.0f RU/s  %,d 429s%n",
          (now - startNanos) / 1e9, written, 100.0 * written / rows, ruPerSecond, rateLimited);
      last = units;
      lastNanos = now;
    }
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "bulk-load-progress");
      thread.setDaemon(true);
      return thread;
    };
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("cosmos-spark-crimes-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("Could not delete " + directory + ": " + e);
    }
  }
}

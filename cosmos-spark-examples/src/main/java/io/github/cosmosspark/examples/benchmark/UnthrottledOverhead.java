package io.github.cosmosspark.examples.benchmark;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What cosmos-spark costs over the SCC it wraps: the same write and full scan straight on Cassandra
 * (nothing throttled, so throughput control has nothing to go by and only cosmos-spark's layers are
 * in the path), through cosmos-spark and through plain SCC, alternating, after a warm-up of each.
 * Prints both sides' effective settings side by side, as the runs' executed plans and Cassandra
 * report them, then each side's median and spread and the ratio of medians.
 */
final class UnthrottledOverhead {
  static final String OURS = "cosmos-spark";
  static final String PLAIN = "plain SCC";
  private static final String WRITE = "write";
  private static final String SCAN = "full scan";
  private static final String TABLE = "overhead";

  /**
   * Settings that differ between the sides by design, and why; any other difference is printed as
   * not explained.
   */
  private static final Map<String, String> BY_DESIGN = new LinkedHashMap<>();

  static {
    BY_DESIGN.put(
        "spark.cassandra.connection.factory",
        "the wrapper itself: cosmos-spark's factory wraps the driver's session (RetryingSession,"
            + " its retry policy, its TLS engine)");
    String ownOptions =
        "cosmos-spark hands credentials and trust store to its factory in its own resolved"
            + " options, not as SCC keys";
    BY_DESIGN.put("spark.cassandra.auth.conf.factory (set)", ownOptions);
    BY_DESIGN.put("spark.cassandra.auth.password (set)", ownOptions);
    BY_DESIGN.put("spark.cassandra.connection.ssl.trustStore.password (set)", ownOptions);
    BY_DESIGN.put("spark.cassandra.connection.ssl.trustStore.path (set)", ownOptions);
    BY_DESIGN.put("spark.cassandra.connection.ssl.trustStore.type (set)", ownOptions);
    BY_DESIGN.put(
        "requests Cassandra served in the run",
        "besides the rows or pages, the driver's and the split planner's own queries (schema,"
            + " size estimates), a few that vary between runs; cosmos-spark plans a scan's splits"
            + " twice (CosmosScan rebuilds SCC's scan) and first reads up to 8 pages of the"
            + " table's tokens to estimate its rows and one page of 20 rows to size them"
            + " (ScanSplits; the splits differ too)");
  }

  /** With the same driver choices on both sides, cosmos-spark ignores SCC's cipher list. */
  private static final Map<String, String> SAME_DRIVER = new LinkedHashMap<>();

  static {
    SAME_DRIVER.put(
        "spark.cassandra.connection.ssl.enabledAlgorithms",
        "cosmos-spark's TLS engine does not read it and offers the JVM's suites; plain SCC is"
            + " given those (TLS (negotiated) shows the outcome)");
  }

  /** Without them, what plain SCC's driver chooses for itself. */
  private static final Map<String, String> OWN_DRIVER = new LinkedHashMap<>();

  static {
    OWN_DRIVER.put(
        "native protocol (negotiated)",
        "NOT the wrapper's cost: cosmos-spark pins v4 (all Cosmos speaks), plain SCC's driver"
            + " negotiates v5 with Cassandra 5");
    OWN_DRIVER.put(
        "TLS (negotiated)",
        "NOT the wrapper's cost: cosmos-spark offers the JVM's suites, plain SCC only SCC's two"
            + " RSA-CBC ones (spark.cassandra.connection.ssl.enabledAlgorithms)");
  }

  private final SparkSession spark;
  private final CassandraServer cassandra;
  private final String keyspace;

  private final boolean sameDriver;

  /**
   * @param sameDriver whether plain SCC's driver gets what cosmos-spark's factory gives its own
   *     (protocol v4, the JVM's cipher suites); false runs plain SCC with SCC's own choices, as the
   *     benchmark did before 3 Dec 2026
   */
  UnthrottledOverhead(
      SparkSession spark, CassandraServer cassandra, String keyspace, boolean sameDriver) {
    this.spark = spark;
    this.cassandra = cassandra;
    this.keyspace = keyspace;
    this.sameDriver = sameDriver;
  }

  /** Writes and scans {@code rows} rows {@code rounds} times per side, and prints the tables. */
  void run(int rows, int rounds) throws Exception {
    Dataset<Row> data =
        spark
            .range(rows)
            .selectExpr(
                "CAST(id AS INT) AS id",
                "CONCAT('title-', id) AS title",
                "CAST(id % 997 AS INT) AS pages")
            .cache();
    data.count();
    long expected = data.selectExpr("sum(hash(id, title, pages))").first().getLong(0);
    ConnectorSettings settings = ConnectorSettings.listenTo(spark);
    SettingsComparison seen = new SettingsComparison();
    try (CqlSession admin = cassandra.newSession()) {
      admin.execute(
          "CREATE KEYSPACE IF NOT EXISTS "
              + keyspace
              + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      admin.execute(
          "CREATE TABLE IF NOT EXISTS "
              + keyspace
              + "."
              + TABLE
              + " (id int PRIMARY KEY, title text, pages int)");
      Map<String, Map<String, String>> options = new LinkedHashMap<>();
      options.put(OURS, ours());
      options.put(PLAIN, plain());
      AlternatingRuns runs = new AlternatingRuns(rounds);
      for (Map.Entry<String, Map<String, String>> side : options.entrySet()) {
        runs.side(
            side.getKey(),
            turn -> {
              Map<String, Double> measured = new LinkedHashMap<>();
              Map<String, Map<String, String>> effective =
                  once(side.getValue(), data, rows, expected, admin, settings, measured);
              if (!turn.warmUp()) {
                effective.forEach((kind, values) -> seen.record(kind, turn.side(), values));
              }
              return measured;
            });
      }
      AlternatingRuns.Result result = runs.run();
      print(rows, result, seen);
    } finally {
      spark.listenerManager().unregister(settings);
      data.unpersist();
    }
  }

  /**
   * One write and one scan through one side; fills {@code measured} with rows per second and gives
   * the effective settings of each, by {@link #WRITE} and {@link #SCAN}.
   */
  private Map<String, Map<String, String>> once(
      Map<String, String> options,
      Dataset<Row> data,
      int rows,
      long expected,
      CqlSession admin,
      ConnectorSettings settings,
      Map<String, Double> measured)
      throws Exception {
    admin.execute("TRUNCATE " + keyspace + "." + TABLE);
    String application = options.containsKey("account") ? "cosmos-spark-" : "Spark-Cassandra-";
    String format =
        options.containsKey("account") ? "cosmoscassandra" : "org.apache.spark.sql.cassandra";
    settings.expect();
    ServerConnections.Snapshot before = ServerConnections.take(admin);
    long start = System.nanoTime();
    data.write()
        .format(format)
        .options(options)
        .option("keyspace", keyspace)
        .option("table", TABLE)
        .mode("append")
        .save();
    measured.put(WRITE, rows / ((System.nanoTime() - start) / 1e9));
    ServerConnections.Snapshot written = ServerConnections.take(admin);
    start = System.nanoTime();
    Row summary =
        spark
            .read()
            .format(format)
            .options(options)
            .option("keyspace", keyspace)
            .option("table", TABLE)
            .load()
            .selectExpr("count(*)", "sum(hash(id, title, pages))")
            .first();
    measured.put(SCAN, rows / ((System.nanoTime() - start) / 1e9));
    ServerConnections.Snapshot scanned = ServerConnections.take(admin);
    if (summary.getLong(0) != rows || summary.getLong(1) != expected) {
      throw new IllegalStateException("The overhead table does not hold the source's rows.");
    }
    Map<String, Map<String, String>> effective = new LinkedHashMap<>();
    Map<String, String> write = new LinkedHashMap<>(settings.lastWrite());
    write.putAll(ServerConnections.describe(application, before, written));
    effective.put(WRITE, write);
    Map<String, String> scan = new LinkedHashMap<>(settings.lastScan());
    scan.putAll(ServerConnections.describe(application, written, scanned));
    effective.put(SCAN, scan);
    return effective;
  }

  private Map<String, String> ours() {
    Map<String, String> ours = new LinkedHashMap<>();
    ours.put("account", cassandra.username());
    ours.put("password", cassandra.password());
    ours.put("host", cassandra.host());
    ours.put("port", Integer.toString(cassandra.port()));
    ours.put("tls.truststore.path", cassandra.truststorePath().toString());
    ours.put("tls.truststore.password", cassandra.truststorePassword());
    ours.put("tls.truststore.type", cassandra.truststoreType());
    pinBoth(ours);
    return ours;
  }

  private Map<String, String> plain() {
    Map<String, String> plain =
        BenchmarkConnections.plainConnector(
            cassandra.host(),
            cassandra.port(),
            cassandra.truststorePath().toString(),
            cassandra.truststorePassword(),
            cassandra.truststoreType(),
            cassandra.username(),
            cassandra.password());
    plain.remove("spark.cassandra.connection.factory");
    if (sameDriver) {
      // What cosmos-spark's factory does to the driver for Cosmos, done to plain SCC's too.
      plain.put("spark.cassandra.connection.factory", PlainProtocolV4Factory.class.getName());
      plain.put("spark.cassandra.connection.ssl.enabledAlgorithms", jvmCipherSuites());
    }
    pinBoth(plain);
    return plain;
  }

  /** The cipher suites the JVM enables by default: those cosmos-spark's TLS engine offers. */
  private static String jvmCipherSuites() {
    try {
      return String.join(",", SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("The JVM has no default TLS context.", e);
    }
  }

  /** The SCC settings both sides are given, so that only the layers differ. */
  private static void pinBoth(Map<String, String> options) {
    // cosmos-spark's defaults for Cosmos (ConnectorDefaults), given to plain SCC too.
    options.put("spark.cassandra.output.batch.size.rows", "1");
    options.put("spark.cassandra.connection.keepAliveMS", "60000");
    options.put("spark.cassandra.connection.timeoutMS", "10000");
  }

  private void print(int rows, AlternatingRuns.Result result, SettingsComparison seen) {
    System.out.printf(
        "%nUnthrottled, straight on Cassandra: %,d rows of ~30 B written, then scanned, per run;"
            + " a warm-up of each side, then %d rounds, in this order: %s%n",
        rows, result.rounds(), String.join(", ", result.order()));
    System.out.println(
        sameDriver
            ? "Plain SCC's driver is given what cosmos-spark's factory gives its own: protocol v4"
                + " and the JVM's cipher suites (-DoverheadSameDriver=false: SCC's own choices)."
            : "Plain SCC's driver runs with SCC's own choices (protocol negotiated, SCC's cipher"
                + " suites), as before 3 Dec 2026.");
    seen.print(
        "SCC's own configuration of each run's executed plan; the last four from Cassandra's"
            + " system_views.clients",
        Arrays.asList(OURS, PLAIN),
        this::whyTheyDiffer);
    System.out.printf(
        "%nRows per second, %d runs per side (median, min–max), cosmos-spark ÷ plain SCC as the"
            + " ratio of medians:%n%n",
        result.rounds());
    String format = "| %-10s | %12s | %-17s | %12s | %-17s | %6s |%n";
    System.out.printf(format, "", OURS + " med", "min–max", PLAIN + " med", "min–max", "ratio");
    for (String measure : Arrays.asList(WRITE, SCAN)) {
      AlternatingRuns.Samples ours = result.of(OURS, measure);
      AlternatingRuns.Samples plain = result.of(PLAIN, measure);
      System.out.printf(
          format,
          measure,
          String.format("%,.0f", ours.median()),
          String.format("%,.0f–%,.0f", ours.min(), ours.max()),
          String.format("%,.0f", plain.median()),
          String.format("%,.0f–%,.0f", plain.min(), plain.max()),
          String.format("%.3f", result.ratioOfMedians(measure, OURS, PLAIN)));
    }
  }

  /** Why a setting differs between the sides, or null when nothing here says so. */
  private String whyTheyDiffer(String key) {
    Map<String, String> driver = sameDriver ? SAME_DRIVER : OWN_DRIVER;
    return BY_DESIGN.getOrDefault(key, driver.get(key));
  }
}

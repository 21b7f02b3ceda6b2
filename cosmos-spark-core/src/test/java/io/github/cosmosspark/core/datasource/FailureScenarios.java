package io.github.cosmosspark.core.datasource;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.reliability.EmulatorForwarder;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.CosmosEmulatorMain;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run by {@link SecretsAfterFailuresTest} in a JVM of its own with DEBUG logging everywhere, the
 * Spark UI and an event log: every scenario of the reliability suite, each small, against an
 * emulator whose read-write key comes from the environment ({@code SCENARIO_KEY}) and is set the
 * way a cluster sets it. Prints a line per scenario with its outcome (counts, or whether it failed
 * with the expected message), every exception in full, the plans, then saves the UI's pages and
 * stops Spark so the event log is complete.
 *
 * <p>Arguments: output directory, a file outside it for the emulator's read-only key (the test
 * looks for that key too).
 */
public final class FailureScenarios {
  private static final String KEYSPACE = "secrets_failures";

  /** The driver's request timeout in the latency scenarios. */
  private static final String TIMEOUT_MS = "1000";

  /** Longer than {@link #TIMEOUT_MS}, so that every request sent during it times out. */
  private static final Duration SPIKE = Duration.ofMillis(1_500);

  private final SparkSession spark;
  private final CassandraServer server;
  private final CosmosEmulator emulator;
  private final String key;
  private final Path out;

  private FailureScenarios(
      SparkSession spark, CassandraServer server, CosmosEmulator emulator, String key, Path out) {
    this.spark = spark;
    this.server = server;
    this.emulator = emulator;
    this.key = key;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    Path out = Paths.get(args[0]);
    String key = System.getenv("SCENARIO_KEY");
    Files.createDirectories(out.resolve("events"));
    try (CassandraServer server =
            CassandraServer.builder()
                .yaml("commitlog_sync", "batch")
                .yaml("commitlog_sync_period", "0ms")
                .build()
                .start();
        CosmosEmulator emulator = CosmosEmulator.builder(server).key(key).build().start()) {
      Files.write(Paths.get(args[1]), emulator.readOnlyKey().getBytes(StandardCharsets.UTF_8));
      // As spark-submit --conf and a cluster's Spark config deliver settings.
      CosmosEmulatorMain.connectionSettings(emulator)
          .forEach((name, value) -> System.setProperty((String) name, (String) value));
      SparkSession spark =
          SecretsScenario.sparkWithUiAndEventLog("failure-scenarios", out.resolve("events"));
      SecretsScenario.UiIds ui = SecretsScenario.UiIds.watch(spark);
      FailureScenarios scenarios = new FailureScenarios(spark, server, emulator, key, out);
      scenarios.createTables();
      Map<String, Long> millis = new LinkedHashMap<>();
      timed(millis, "storm", scenarios::storm);
      timed(millis, "killed write", scenarios::killedWrite);
      timed(millis, "dropped scan", scenarios::droppedScan);
      timed(millis, "latency", scenarios::latency);
      timed(millis, "keys and objects", scenarios::keysAndObjects);
      timed(millis, "bad input", scenarios::badInput);
      timed(millis, "tls", scenarios::tls);
      timed(millis, "load", scenarios::load);
      timed(millis, "plans", scenarios::plans);
      timed(
          millis,
          "UI pages",
          () ->
              System.out.printf(
                  "UI PAGES: %d saved with HTTP 200 (%d jobs, %d failed stage attempts, %d SQL"
                      + " executions)%n",
                  SecretsScenario.saveUiPages(spark, ui, out),
                  ui.jobs.size(),
                  ui.failedStages.size(),
                  ui.executions.size()));
      System.out.println("SCENARIO TIMES (ms): " + millis);
      spark.stop();
    }
    System.out.println("SCENARIOS DONE");
  }

  /** A scenario, or a step of the run. */
  private interface Step {
    void run() throws Exception;
  }

  private static void timed(Map<String, Long> millis, String name, Step step) throws Exception {
    long started = System.nanoTime();
    step.run();
    millis.put(name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  private void createTables() {
    try (CqlSession session = emulator.newSession()) {
      session.execute("CREATE KEYSPACE " + KEYSPACE + " WITH cosmosdb_provisioned_throughput=400");
      createTable(session, "storm", 1_000);
      for (String table :
          Arrays.asList(
              "storm_scan",
              "killed",
              "dropped",
              "spiked",
              "bad_input",
              "tls_other_host",
              "tls_plain",
              "load_shared",
              "load_a",
              "load_b")) {
        createTable(session, table, 1_000_000);
      }
    }
  }

  private static void createTable(CqlSession session, String table, int ruPerSecond) {
    session.execute(
        "CREATE TABLE "
            + KEYSPACE
            + "."
            + table
            + " (id int PRIMARY KEY, title text) WITH cosmosdb_provisioned_throughput="
            + ruPerSecond);
  }

  /**
   * A write far over the table's throughput, then a scan of large rows at about twice another's:
   * both are answered with 429s, which the connector waits out.
   *
   * <p>The write's rate is its requests in flight over the time one takes, so it is set by the
   * requests in flight: 2 tasks of 50 here. With SCC's default of 5 per task, 10 requests in flight
   * at the 40 to 50 ms a write took through the emulator's TLS proxy and Cassandra's per-write sync
   * on a busy 2-core machine offered about the table's 1,000 RU/s (~5 RU a row), and the storm
   * sometimes drew no 429 at all.
   */
  private void storm() {
    writer(rows(0, 1_000), "storm")
        .option("throughput.control", "false")
        .option("spark.cassandra.output.concurrent.writes", "50")
        .save();
    System.out.printf(
        "STORM WRITE: rows %d, 429s %d, connector saw %d%n",
        reader("storm").load().count(),
        rateLimited("storm"),
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".storm").rateLimited());

    // 200 rows of 63.5 KB written at a million RU/s, then read at 400: about 945 RU of pages of
    // 20 rows (4.72 RU a row, about 95 a page: Microsoft's figures, interpolated) against a
    // bucket of 400.
    writer(
            spark.range(200).selectExpr("CAST(id AS INT) AS id", "repeat('x', 65000) AS title"),
            "storm_scan")
        .save();
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "ALTER TABLE " + KEYSPACE + ".storm_scan WITH cosmosdb_provisioned_throughput=400");
    }
    int scanned =
        reader("storm_scan")
            .option("throughput.control", "false")
            .option("spark.cassandra.input.fetch.sizeInRows", "20")
            .load()
            .collectAsList()
            .size();
    System.out.printf(
        "STORM SCAN: rows %d, 429s %d, connector saw %d%n",
        scanned,
        rateLimited("storm_scan"),
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + ".storm_scan").rateLimited());
  }

  private void killedWrite() throws Exception {
    AtomicBoolean killed = new AtomicBoolean();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(
        () -> {
          if (requests("killed") >= 1_000 && killed.compareAndSet(false, true)) {
            server.kill();
            server.start();
          }
        },
        0,
        2,
        TimeUnit.MILLISECONDS);
    try {
      writer(rows(0, 4_000), "killed").save();
    } finally {
      stop(watcher);
    }
    System.out.println(
        "KILLED WRITE: killed " + killed.get() + ", rows " + reader("killed").load().count());
  }

  private void droppedScan() throws Exception {
    writer(rows(0, 4_000), "dropped").save();
    emulator.resetStatistics();
    ScheduledExecutorService dropper = Executors.newSingleThreadScheduledExecutor();
    AtomicBoolean dropped = new AtomicBoolean();
    dropper.scheduleWithFixedDelay(
        () -> {
          if (requests("dropped") >= 20 && dropped.compareAndSet(false, true)) {
            emulator.dropAllConnections();
          }
        },
        0,
        2,
        TimeUnit.MILLISECONDS);
    long rows;
    try {
      rows =
          reader("dropped")
              .option("spark.cassandra.input.fetch.sizeInRows", "20")
              .load()
              .collectAsList()
              .size();
    } finally {
      stop(dropper);
    }
    System.out.println("DROPPED SCAN: dropped " + dropped.get() + ", rows " + rows);
  }

  /**
   * A spike from the start fails the planning query; one in the middle of a write or a scan is
   * bridged by resending what timed out; one in the middle of a scan that may not resend fails its
   * task.
   */
  private void latency() throws Exception {
    emulator.injectLatency(SPIKE);
    expectFailure(
        "LATENCY WHILE PLANNING",
        "(the connector's metadata query, made while a read or write is planned) timed out once",
        () ->
            reader("dropped")
                .option("spark.cassandra.read.timeoutMS", TIMEOUT_MS)
                .option("retry.timeoutRetries", "0")
                .load()
                .count());
    emulator.clearFaults();

    String spiked = KEYSPACE + ".spiked";
    RetryStatistics.Snapshot beforeWrite = CosmosRuntime.get().retryStatistics().of(spiked);
    long writeSpike =
        withSpikeAfter(
            "spiked",
            200,
            true,
            () ->
                writer(rows(0, 2_000), "spiked")
                    .option("spark.cassandra.read.timeoutMS", TIMEOUT_MS)
                    .save());
    System.out.printf(
        "LATENCY BRIDGED WRITE: rows %d, timeouts resent %d, spike %d ms%n",
        reader("spiked").load().count(),
        CosmosRuntime.get().retryStatistics().of(spiked).minus(beforeWrite).requestTimeouts(),
        writeSpike);

    String dropped = KEYSPACE + ".dropped";
    RetryStatistics.Snapshot beforeScan = CosmosRuntime.get().retryStatistics().of(dropped);
    int[] scanned = new int[1];
    long scanSpike =
        withSpikeAfter(
            "dropped",
            20,
            true,
            () ->
                scanned[0] =
                    reader("dropped")
                        .option("spark.cassandra.read.timeoutMS", TIMEOUT_MS)
                        .option("spark.cassandra.input.fetch.sizeInRows", "20")
                        .load()
                        .collectAsList()
                        .size());
    System.out.printf(
        "LATENCY BRIDGED SCAN: rows %d, timeouts resent %d, spike %d ms%n",
        scanned[0],
        CosmosRuntime.get().retryStatistics().of(dropped).minus(beforeScan).requestTimeouts(),
        scanSpike);

    // The plan is made before the spike, which begins once the tasks are reading.
    Dataset<Row> notResent =
        reader("dropped")
            .option("spark.cassandra.read.timeoutMS", TIMEOUT_MS)
            .option("spark.cassandra.input.fetch.sizeInRows", "20")
            .option("retry.timeoutRetries", "0")
            .load();
    withSpikeAfter(
        "dropped",
        20,
        false,
        () ->
            expectFailure(
                "LATENCY IN A TASK",
                "A request to "
                    + dropped
                    + " timed out once (spark.cosmos.cassandra.retry.timeoutRetries=0)",
                notResent::collectAsList));
  }

  /** Keys the account refuses, objects it does not have, a CA it does not use. */
  private void keysAndObjects() throws Exception {
    expectFailure(
        "READ-ONLY KEY",
        "Operation not allowed with a read-only key",
        () -> writer(rows(0, 10), "storm").option("password", emulator.readOnlyKey()).save());
    expectFailure(
        "WRONG KEY",
        "Cosmos DB refused the credentials of account '" + emulator.account() + "'",
        () -> reader("storm").option("password", key + "x").load().count());
    expectFailure(
        "MISSING TABLE",
        "Couldn't find table " + KEYSPACE + ".nope in account '" + emulator.account() + "'",
        () -> reader("nope").load().count());
    Path otherCa = out.resolve("other-ca.p12");
    TestCertificateAuthority.create("a CA the emulator does not use")
        .writeTruststore(otherCa, "changeit".toCharArray());
    expectFailure(
        "UNTRUSTED CERTIFICATE",
        "PKIX path",
        () ->
            reader("storm")
                .option("tls.truststore.path", otherCa.toString())
                .option("tls.truststore.password", "changeit")
                .load()
                .count());
  }

  /**
   * BadInputCatalogueTest's inputs that hold the key or reach the table: refused on the driver, or
   * by the task before the row is sent, so the table stays empty.
   */
  private void badInput() {
    expectFailure(
        "NOSQL CONNECTION STRING",
        "Option 'connectionString' is not a connection string as the Azure portal shows it (it"
            + " has a field 'AccountEndpoint'",
        () ->
            reader("bad_input")
                .option(
                    "connectionString",
                    "AccountEndpoint=https://x.documents.azure.com:443/;AccountKey=" + key + ";")
                .load()
                .count());
    expectFailure(
        "OTHER ACCOUNT'S CONNECTION STRING",
        "Option 'account' names account '"
            + emulator.account()
            + "' but 'connectionString' is for account 'other'.",
        () ->
            reader("bad_input")
                .option("account", emulator.account())
                .option(
                    "connectionString",
                    "HostName=other.cassandra.cosmos.azure.com;Username=other;Password="
                        + key
                        + ";Port=10350")
                .load()
                .count());
    expectFailure(
        "EMPTY KEY",
        "Option 'spark.cosmos.cassandra.password' is set but empty.",
        () -> reader("bad_input").option("spark.cosmos.cassandra.password", "").load().count());
    expectFailure(
        "COLUMN THE TABLE LACKS",
        "Cannot write to "
            + KEYSPACE
            + ".bad_input: the DataFrame's column(s) [titel] are not in the table, whose columns"
            + " are [id, title].",
        () -> writer(spark.sql("SELECT 1 AS id, 'x' AS titel"), "bad_input").save());
    expectFailure(
        "NULL PRIMARY KEY",
        "A row for "
            + KEYSPACE
            + ".bad_input has no value in its partition key column 'id' (the primary key is"
            + " (id=null))",
        () ->
            writer(
                    spark
                        .range(0, 5)
                        .selectExpr("IF(id = 0, NULL, CAST(id AS INT)) AS id", "'t' AS title")
                        .coalesce(1),
                    "bad_input")
                // One task that meets the null key first and writes nothing: spread, the rows
                // would be shuffled into several tasks and the others would write theirs.
                .option("write.spreadOverPartitions", "false")
                .save());
    expectFailure(
        "ROW OVER 2 MB",
        "The row of "
            + KEYSPACE
            + ".bad_input with primary key (id=7) is 2200004 bytes; Cosmos DB stores at most"
            + " 2097152 bytes (2 MB) in one row.",
        () ->
            writer(spark.sql("SELECT 7 AS id, repeat('x', 2200000) AS title"), "bad_input").save());
    System.out.println("BAD INPUT TABLE: rows " + reader("bad_input").load().count());
  }

  /**
   * Through a relay that presents a certificate for another host: refused, then accepted with host
   * name verification off; through a plain-text relay with TLS off.
   */
  private void tls() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create("relay CA");
    IssuedCertificate elsewhere =
        ca.issueServerCertificate(
            "db.elsewhere.example",
            Collections.singletonList("db.elsewhere.example"),
            Collections.<String>emptyList());
    Path relayTrust = out.resolve("relay-ca.p12");
    ca.writeTruststore(relayTrust, "changeit".toCharArray());
    try (EmulatorForwarder relay = EmulatorForwarder.presenting(elsewhere, emulator)) {
      expectFailure(
          "CERTIFICATE FOR ANOTHER HOST",
          "No subject alternative",
          () ->
              throughRelay(reader("tls_other_host"), relay, relayTrust)
                  .option("spark.cassandra.connection.timeoutMS", "3000")
                  .load()
                  .count());
      throughRelay(writer(rows(0, 200), "tls_other_host"), relay, relayTrust)
          .option("tls.hostnameVerification", "false")
          .save();
      long rows =
          throughRelay(reader("tls_other_host"), relay, relayTrust)
              .option("tls.hostnameVerification", "false")
              .load()
              .count();
      System.out.printf(
          "TLS HOSTNAME VERIFICATION OFF: rows %d, relayed %d bytes, refused handshakes %d%n",
          rows, relay.bytesFromClients(), relay.handshakesFailed());
    }
    try (EmulatorForwarder plain = EmulatorForwarder.plainText(emulator)) {
      writer(rows(0, 200), "tls_plain")
          .option("port", Integer.toString(plain.port()))
          .option("tls.enabled", "false")
          .save();
      long rows =
          reader("tls_plain")
              .option("port", Integer.toString(plain.port()))
              .option("tls.enabled", "false")
              .load()
              .count();
      System.out.printf("TLS OFF: rows %d, relayed %d bytes%n", rows, plain.bytesFromClients());
    }
  }

  /** Two writes to one table with overlapping keys and one each to two others, at once. */
  private void load() throws Exception {
    ExecutorService jobs = Executors.newFixedThreadPool(4);
    List<Future<?>> running = new ArrayList<>();
    try {
      running.add(jobs.submit(() -> writer(rows(0, 1_000), "load_shared").save()));
      running.add(jobs.submit(() -> writer(rows(500, 1_500), "load_shared").save()));
      running.add(jobs.submit(() -> writer(rows(0, 1_000), "load_a").save()));
      running.add(jobs.submit(() -> writer(rows(0, 1_000), "load_b").save()));
      for (Future<?> job : running) {
        job.get();
      }
    } finally {
      jobs.shutdownNow();
      jobs.awaitTermination(30, TimeUnit.SECONDS);
    }
    System.out.printf(
        "LOAD: shared %d, a %d, b %d%n",
        reader("load_shared").load().count(),
        reader("load_a").load().count(),
        reader("load_b").load().count());
  }

  private void plans() {
    Dataset<Row> filtered = reader("storm").option("password", key).load().filter("id = 7");
    System.out.println("FILTERED ROWS: " + filtered.collectAsList().size());
    filtered.explain(true);
    System.out.println(filtered.queryExecution().toString());
  }

  /**
   * Runs {@code job}, injecting {@link #SPIKE} once {@code table} has served {@code afterRequests}
   * more requests and, if {@code bridged}, taking it back once a request to it has timed out and
   * been counted; returns how long the spike lasted (-1: to the end of the job).
   */
  private long withSpikeAfter(String table, long afterRequests, boolean bridged, Runnable job)
      throws Exception {
    String qualified = KEYSPACE + "." + table;
    long baseline = requests(table);
    RetryStatistics.Snapshot before = CosmosRuntime.get().retryStatistics().of(qualified);
    AtomicLong spikeStart = new AtomicLong();
    AtomicLong spikeMillis = new AtomicLong(-1);
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(
        () -> {
          if (spikeStart.get() == 0) {
            if (requests(table) - baseline >= afterRequests) {
              emulator.injectLatency(SPIKE);
              spikeStart.set(System.nanoTime());
            }
          } else if (bridged
              && spikeMillis.get() < 0
              && CosmosRuntime.get().retryStatistics().of(qualified).minus(before).requestTimeouts()
                  > 0) {
            emulator.clearFaults();
            spikeMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spikeStart.get()));
          }
        },
        0,
        2,
        TimeUnit.MILLISECONDS);
    try {
      job.run();
    } finally {
      stop(watcher);
      emulator.clearFaults();
    }
    if (spikeStart.get() == 0) {
      System.out.println("SPIKE ON " + qualified + ": NEVER BEGAN");
    }
    return spikeMillis.get();
  }

  /** Requests the emulator has served on {@code table} since its statistics were last reset. */
  private long requests(String table) {
    return emulator.statistics(KEYSPACE + "." + table).map(TableStatistics::requests).orElse(0L);
  }

  /** Requests the emulator has refused with a 429 on {@code table}. */
  private long rateLimited(String table) {
    return emulator.statistics(KEYSPACE + "." + table).map(TableStatistics::rateLimited).orElse(0L);
  }

  private static void stop(ScheduledExecutorService watcher) throws InterruptedException {
    watcher.shutdownNow();
    watcher.awaitTermination(5, TimeUnit.SECONDS);
  }

  private Dataset<Row> rows(int from, int to) {
    return spark
        .range(from, to)
        .selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");
  }

  private static DataFrameWriter<Row> writer(Dataset<Row> rows, String table) {
    return rows.write()
        .format("cosmoscassandra")
        .option("keyspace", KEYSPACE)
        .option("table", table)
        .mode("append");
  }

  private DataFrameReader reader(String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .option("keyspace", KEYSPACE)
        .option("table", table);
  }

  private static DataFrameReader throughRelay(
      DataFrameReader reader, EmulatorForwarder relay, Path truststore) {
    return reader
        .option("port", Integer.toString(relay.port()))
        .option("tls.truststore.path", truststore.toString())
        .option("tls.truststore.password", "changeit");
  }

  private static DataFrameWriter<Row> throughRelay(
      DataFrameWriter<Row> writer, EmulatorForwarder relay, Path truststore) {
    return writer
        .option("port", Integer.toString(relay.port()))
        .option("tls.truststore.path", truststore.toString())
        .option("tls.truststore.password", "changeit");
  }

  /**
   * Runs {@code action}, which must fail with {@code expected} somewhere in the exception, its
   * causes or their suppressed exceptions (a Spark job's failure holds the task's exception as
   * text); prints whether it did, and the exception in full.
   */
  private static void expectFailure(String scenario, String expected, Runnable action) {
    try {
      action.run();
      System.out.println(scenario + ": NO FAILURE");
    } catch (Exception failure) {
      boolean asExpected = everyMessage(failure).contains(expected);
      System.out.println(
          scenario
              + (asExpected ? ": FAILED AS EXPECTED" : ": FAILED OTHERWISE, without: " + expected));
      failure.printStackTrace(System.out);
    }
  }

  private static String everyMessage(Throwable failure) {
    StringBuilder messages = new StringBuilder();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> next = new ArrayDeque<>(Collections.singletonList(failure));
    while (!next.isEmpty()) {
      Throwable current = next.poll();
      if (seen.add(current)) {
        messages.append(current).append('\n');
        if (current.getCause() != null) {
          next.add(current.getCause());
        }
        next.addAll(Arrays.asList(current.getSuppressed()));
      }
    }
    return messages.toString();
  }
}

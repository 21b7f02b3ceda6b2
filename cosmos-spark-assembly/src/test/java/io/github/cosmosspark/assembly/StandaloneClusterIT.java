package io.github.cosmosspark.assembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.testkit.cassandra.CassandraDistribution;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.CosmosEmulatorMain;
import io.github.cosmosspark.testkit.emulator.DataPlaneRole;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.entra.EntraTokenEndpoint;
import io.github.cosmosspark.testkit.entra.TestTokenIssuer;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The assembly jar on a real Spark standalone cluster: a master, two workers and a driver, each its
 * own JVM, with executors started by the workers. The driver's classpath is Spark's jars, the
 * assembly jar and the one application class; executors get the assembly through {@code spark.jars}
 * only, as a jar attached to a Databricks cluster arrives. The application writes and reads through
 * the emulator (TLS, keys, RU accounting), so the configuration, the connection factory and the
 * throttler are shown to serialize and to work in other processes.
 */
@CosmosEmulatorTest
class StandaloneClusterIT {
  private static final int ROWS = 3_000;
  private static final String KEYSPACE = "cluster_test";
  private static final String TABLE = "books";
  private static final String SCAN_TABLE = "scan_books";
  private static final int SCAN_ROWS = 100_000;
  private static final String FEED_TABLE = "feed_books";
  private static final String ENTRA_KEYSPACE = "cluster_entra";
  private static final int FEED_ROWS = 3_000;
  private static final Duration APPLICATION_TIMEOUT = Duration.ofMinutes(6);

  @Test
  void anApplicationGivenOnlyTheAssemblyJarWritesAndReadsOnTwoExecutors(
      CosmosEmulator emulator, CqlSession cassandra, CassandraServer server) throws Exception {
    Path assembly = Paths.get(System.getProperty("cosmos.assembly.jar"));
    assertTrue(Files.isRegularFile(assembly), "the assembly jar is built first: " + assembly);
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS "
              + KEYSPACE
              + " WITH cosmosdb_provisioned_throughput=400");
      session.execute(
          "CREATE TABLE IF NOT EXISTS "
              + KEYSPACE
              + "."
              + TABLE
              + " (id int PRIMARY KEY, title text, pages int)"
              + " WITH cosmosdb_provisioned_throughput=10000");
      session.execute(
          "CREATE TABLE IF NOT EXISTS "
              + KEYSPACE
              + "."
              + SCAN_TABLE
              + " (id int PRIMARY KEY, title text, pages int)"
              + " WITH cosmosdb_provisioned_throughput=10000");
    }
    loadScanBooks(cassandra);
    loadFeedBooks(emulator);
    Path home = Paths.get("target", "spark-cluster").toAbsolutePath();
    // A second account, keys disabled, logged into with a service principal's Entra ID secret.
    TestTokenIssuer entra = TestTokenIssuer.create();
    String app = UUID.randomUUID().toString();
    String principal = UUID.randomUUID().toString();
    String secret = "cluster~Secret." + UUID.randomUUID();
    try (EntraTokenEndpoint login =
            EntraTokenEndpoint.builder(entra).clientSecret(app, principal, secret).start();
        CosmosEmulator entraAccount =
            CosmosEmulator.builder(server)
                .account("entraaccount")
                .entraIssuer(entra)
                .disableLocalAuth()
                .grantRole(principal, DataPlaneRole.DATA_CONTRIBUTOR)
                .build()
                .start()) {
      Path entraOptions =
          entraOptions(
              Paths.get("target").toAbsolutePath(),
              entra,
              login,
              entraAccount,
              app,
              secret,
              principal);
      runOnTheCluster(emulator, entraAccount, login, home, entraOptions);
    }
  }

  private void runOnTheCluster(
      CosmosEmulator emulator,
      CosmosEmulator entraAccount,
      EntraTokenEndpoint login,
      Path home,
      Path entraOptions)
      throws Exception {
    Path assembly = Paths.get(System.getProperty("cosmos.assembly.jar"));

    String spark =
        "org.apache.spark:spark-sql_"
            + System.getProperty("scala.binary.version")
            + ":"
            + System.getProperty("spark.version");
    List<Path> sparkJars =
        CassandraDistribution.resolveRuntimeClasspath(spark, " (Spark's jars for the cluster)");

    long started = System.nanoTime();
    String result;
    long clusterUpMillis;
    long applicationMillis;
    try (StandaloneSparkCluster cluster =
        StandaloneSparkCluster.start(home, sparkJars, 2, "1g", Duration.ofMinutes(2))) {
      clusterUpMillis = millisSince(started);
      long submitted = System.nanoTime();
      Path log = home.resolve("logs/driver.log");
      List<String> command = driverCommand(cluster, assembly, emulator);
      command.add(entraOptions.toString());
      Process driver = cluster.launch(command, log);
      if (!driver.waitFor(APPLICATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        fail("The application did not finish within " + APPLICATION_TIMEOUT + ". " + tail(log));
      }
      applicationMillis = millisSince(submitted);
      assertEquals(0, driver.exitValue(), "the application failed. " + tail(log));
      result = resultLine(log);
    }
    System.out.printf(
        "Standalone cluster test: cluster up in %d ms, application (driver JVM start to exit) %d"
            + " ms, everything including shutdown %d ms%n",
        clusterUpMillis, applicationMillis, millisSince(started));

    // What the driver saw, through executors of two workers.
    assertEquals(
        "read=" + ROWS + " distinctKeys=" + ROWS + " mismatches=0",
        result.replaceAll(" taskExecutors=.*", ""));
    String executors = result.replaceAll(".* taskExecutors=", "");
    assertEquals(
        2, executors.split(",").length, "tasks ran on both workers' executors: " + executors);
    assertTrue(!executors.contains("driver"), "no task ran on the driver: " + executors);

    // What the table holds, read directly.
    Map<Integer, String> stored = new HashMap<>();
    try (CqlSession session = emulator.newSession()) {
      for (Row row : session.execute("SELECT id, title, pages FROM " + KEYSPACE + "." + TABLE)) {
        stored.put(row.getInt("id"), row.getString("title") + "|" + row.getInt("pages"));
      }
    }
    assertEquals(ROWS, stored.size());
    for (int id = 0; id < ROWS; id++) {
      assertEquals("title-" + id + "|" + (id % 700), stored.get(id), "row " + id);
    }
    // The assembly's own SCC is the one every JVM loaded: no version check spoke up.
    for (Path log : logsOfTheApplication(home)) {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      assertFalse(text.contains("built against the Spark Cassandra Connector"), log.toString());
      assertFalse(text.contains("more than one Spark Cassandra Connector"), log.toString());
    }

    // The large scan: split by the rule from the table's estimated rows, on both executors, exact.
    Path driverLog = home.resolve("logs/driver.log");
    String scan = line(driverLog, "^SCAN (.*)$");
    long idSum = (long) SCAN_ROWS * (SCAN_ROWS - 1) / 2;
    long pagesSum = 0;
    for (int id = 0; id < SCAN_ROWS; id++) {
      pagesSum += id % 700;
    }
    assertEquals(
        "rows="
            + SCAN_ROWS
            + " distinctKeys="
            + SCAN_ROWS
            + " idSum="
            + idSum
            + " pagesSum="
            + pagesSum
            + " titleMismatches=0",
        scan.replaceAll(" partitions=.*", ""),
        "the scan of " + SCAN_ROWS + " rows");
    String chosen = line(driverLog, "(Scanning " + KEYSPACE + "\\." + SCAN_TABLE + " in .*)$");
    System.out.println("Standalone cluster test: " + chosen + " / " + scan);
    Matcher splits = Pattern.compile("in (\\d+) splits \\(").matcher(chosen);
    assertTrue(splits.find(), "the split rule chose the count: " + chosen);
    assertTrue(
        Pattern.compile("[0-9,]+ rows( of ~[0-9,]+ B \\(sampled\\))? \\((from|counted)")
            .matcher(chosen)
            .find(),
        "chosen from the table's estimated rows, not a fallback: " + chosen);
    int chosenSplits = Integer.parseInt(splits.group(1));
    assertTrue(chosenSplits >= 2, "a budget of 2,000 RU/s in 1-second tasks: " + chosen);
    Matcher partitions = Pattern.compile("partitions=(\\d+) scanExecutors=(.*)$").matcher(scan);
    assertTrue(partitions.find(), scan);
    // SCC turns a split count into about that many Spark partitions over Cosmos's 64 ranges.
    int sparkPartitions = Integer.parseInt(partitions.group(1));
    assertTrue(
        sparkPartitions >= chosenSplits && sparkPartitions <= chosenSplits + 2,
        "Spark partitions follow the chosen splits: " + scan + " / " + chosen);
    assertEquals(2, partitions.group(2).split(",").length, "scanned on both workers: " + scan);

    // A loaded table's change feed, streamed on the executors with Trigger.AvailableNow.
    String feed = line(driverLog, "^FEED (.*)$");
    assertTrue(
        feed.startsWith("rows=" + ROWS + " distinctKeys=" + ROWS + " mismatches=0 batches="),
        "every change delivered once, exact by key: " + feed);
    Matcher feedShape = Pattern.compile("batches=(\\d+) feedExecutors=(.*)$").matcher(feed);
    assertTrue(feedShape.find(), feed);
    assertTrue(Integer.parseInt(feedShape.group(1)) >= 3, "micro-batches of a third: " + feed);
    assertTrue(!feedShape.group(2).contains("driver"), "read on the executors: " + feed);

    // The account with keys disabled, through a service principal's Entra ID secret: the driver
    // and both executors each got tokens of their own.
    String entraResult = line(driverLog, "^ENTRA (.*)$");
    System.out.println(
        "Standalone cluster test, Entra ID login: "
            + entraResult
            + " tokensIssued="
            + login.tokensIssued());
    assertEquals(
        "read=" + ROWS + " distinctKeys=" + ROWS + " mismatches=0",
        entraResult.replaceAll(" taskExecutors=.*", ""));
    assertEquals(
        2,
        entraResult.replaceAll(".* taskExecutors=", "").split(",").length,
        "Entra logins on both workers' executors: " + entraResult);
    assertTrue(
        login.tokensIssued() >= 3,
        "a token for the driver and each executor: " + login.tokensIssued());
    assertTrue(entraAccount.localAuthDisabled());
    TableStatistics entraStatistics = entraAccount.statistics(ENTRA_KEYSPACE + "." + TABLE).get();
    assertTrue(
        entraStatistics.requests() >= ROWS,
        "every row went through the account with keys disabled: " + entraStatistics);

    TableStatistics statistics = emulator.statistics(KEYSPACE + "." + TABLE).get();
    assertTrue(statistics.requests() >= ROWS, "every row went through the emulator: " + statistics);
  }

  /**
   * Creates the Entra account's table and writes the read options the application uses for it, the
   * client secret included, to a file in the test's own directory.
   */
  private static Path entraOptions(
      Path home,
      TestTokenIssuer entra,
      EntraTokenEndpoint login,
      CosmosEmulator account,
      String app,
      String secret,
      String principal)
      throws IOException {
    try (CqlSession session = account.sessionBuilder(entra.token(principal).sign()).build()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS "
              + ENTRA_KEYSPACE
              + " WITH cosmosdb_provisioned_throughput=400");
      session.execute(
          "CREATE TABLE IF NOT EXISTS "
              + ENTRA_KEYSPACE
              + "."
              + TABLE
              + " (id int PRIMARY KEY, title text) WITH cosmosdb_provisioned_throughput=10000");
    }
    Properties options = new Properties();
    options.setProperty("account", account.account());
    options.setProperty("host", account.host());
    options.setProperty("port", Integer.toString(account.port()));
    options.setProperty(
        "tls.truststore.path",
        account
            .writeTruststoreAlsoTrusting(login.truststore(), home.resolve("entra-trust.p12"))
            .toString());
    options.setProperty("tls.truststore.password", account.truststorePassword());
    options.setProperty("tls.truststore.type", account.truststoreType());
    options.setProperty("auth.type", "entra");
    options.setProperty("auth.entra.authorityHost", login.authorityHost());
    options.setProperty("auth.entra.tenantId", entra.tenantId());
    options.setProperty("auth.entra.clientId", app);
    options.setProperty("auth.entra.clientSecret", secret);
    options.setProperty("keyspace", ENTRA_KEYSPACE);
    options.setProperty("table", TABLE);
    Path file = home.resolve("entra-options.properties");
    try (java.io.OutputStream out = Files.newOutputStream(file)) {
      options.store(out, "read options of the Entra ID account");
    }
    return file;
  }

  private static List<String> driverCommand(
      StandaloneSparkCluster cluster, Path assembly, CosmosEmulator emulator) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("-Xmx1g");
    for (String option : System.getProperty("spark.jdk17.opens", "").trim().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option);
      }
    }
    Properties settings = CosmosEmulatorMain.connectionSettings(emulator);
    for (String key : settings.stringPropertyNames()) {
      command.add("-D" + key + "=" + settings.getProperty(key));
    }
    command.addAll(
        Arrays.asList(
            "-Dspark.master=" + cluster.masterUrl(),
            "-Dspark.jars=" + assembly.toUri(),
            "-Dspark.driver.host=127.0.0.1",
            "-Dspark.ui.enabled=false",
            "-Dspark.executor.memory=768m",
            "-Dspark.executor.cores=1",
            "-Dspark.cores.max=2",
            // Start only once both executors are there, so both get tasks.
            "-Dspark.scheduler.minRegisteredResourcesRatio=1.0",
            "-Dspark.scheduler.maxRegisteredResourcesWaitingTime=120s",
            "-Dspark.sql.shuffle.partitions=4",
            "-cp",
            applicationClasses(cluster.home())
                + File.pathSeparator
                + assembly
                + File.pathSeparator
                + cluster.sparkClasspath(),
            ClusterApplication.class.getName(),
            KEYSPACE,
            TABLE,
            Integer.toString(ROWS),
            SCAN_TABLE,
            Integer.toString(SCAN_ROWS),
            FEED_TABLE,
            Integer.toString(FEED_ROWS)));
    return command;
  }

  /** The application's own classes, copied alone, so nothing else of this build is on the path. */
  private static Path applicationClasses(Path home) throws IOException {
    Path directory = home.resolve("application");
    List<Class<?>> classes =
        new ArrayList<>(Arrays.asList(ClusterApplication.class.getNestMembers()));
    for (Class<?> type : classes) {
      String resource = type.getName().replace('.', '/') + ".class";
      Path target = directory.resolve(resource);
      Files.createDirectories(target.getParent());
      try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return directory;
  }

  /** The driver's log and every executor's, as the workers wrote them. */
  private static List<Path> logsOfTheApplication(Path home) throws IOException {
    List<Path> logs = new ArrayList<>();
    logs.add(home.resolve("logs/driver.log"));
    try (java.util.stream.Stream<Path> files = Files.walk(home.resolve("work"))) {
      files.filter(path -> path.getFileName().toString().equals("stderr")).forEach(logs::add);
    }
    assertTrue(logs.size() >= 3, "the driver's log and both executors': " + logs);
    return logs;
  }

  private static String resultLine(Path log) throws IOException {
    return line(log, "^RESULT (.*)$");
  }

  /** The first group of the first line of {@code log} that {@code pattern} finds. */
  private static String line(Path log, String pattern) throws IOException {
    Matcher matcher =
        Pattern.compile(pattern, Pattern.MULTILINE)
            .matcher(Files.readString(log, StandardCharsets.UTF_8));
    if (!matcher.find()) {
      fail("The application printed no line matching " + pattern + ". " + tail(log));
    }
    return matcher.group(1);
  }

  /**
   * The large table's rows, straight into the Cassandra behind the emulator: through Cosmos's
   * budget they would take minutes, and the test is about scanning them.
   */
  /**
   * Writes the table whose change feed the application streams, through the emulator (whose feed
   * logs what passes through it), and checks that the feed holds every row.
   */
  private static void loadFeedBooks(CosmosEmulator emulator) {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE IF NOT EXISTS "
              + KEYSPACE
              + "."
              + FEED_TABLE
              + " (id int PRIMARY KEY, title text, pages int)"
              + " WITH cosmosdb_provisioned_throughput=10000");
      com.datastax.oss.driver.api.core.cql.PreparedStatement insert =
          session.prepare(
              "INSERT INTO "
                  + KEYSPACE
                  + "."
                  + FEED_TABLE
                  + " (id, title, pages) VALUES (?, ?, ?)");
      for (int id = 0; id < FEED_ROWS; id++) {
        session.execute(insert.bind(id, "title-" + id, id % 700));
      }
    }
    assertEquals(FEED_ROWS, emulator.changeFeedEntries(KEYSPACE + "." + FEED_TABLE));
  }

  private static void loadScanBooks(CqlSession cassandra) throws InterruptedException {
    com.datastax.oss.driver.api.core.cql.PreparedStatement insert =
        cassandra.prepare(
            "INSERT INTO " + KEYSPACE + "." + SCAN_TABLE + " (id, title, pages) VALUES (?, ?, ?)");
    long started = System.nanoTime();
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    for (int id = 0; id < SCAN_ROWS; id++) {
      inFlight.acquire();
      cassandra
          .executeAsync(insert.bind(id, "title-" + id, id % 700))
          .whenComplete(
              (result, error) -> {
                if (error != null) {
                  failure.compareAndSet(null, error);
                }
                inFlight.release();
              });
    }
    inFlight.acquire(256);
    if (failure.get() != null) {
      throw new AssertionError("loading the scan table failed", failure.get());
    }
    System.out.printf(
        "Standalone cluster test: %,d rows loaded in %d ms%n", SCAN_ROWS, millisSince(started));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "Last lines of "
          + log
          + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}

package io.github.cosmosspark.assembly;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.testkit.cassandra.CassandraDistribution;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.CosmosEmulatorMain;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
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
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Executors 1 vs N on the same budget, on a real Spark standalone cluster: a master and one worker
 * with N cores (each its own JVM, from Spark's jars), the application given only the assembly jar.
 * Each run writes the same books into a fresh emulator table declared at R RU/s, with {@code
 * spark.cosmos.cassandra.throughput.provisionedRuPerSecond=R} (budget 0.9 R, split by the driver
 * among the executors): run A on one one-core executor, run B on N one-core executors. Prints the
 * write's wall time against the RU floor (RU charged ÷ budget), the 429s, failed tasks and the
 * busiest whole second's RU ÷ budget, and how many rows read back directly from Cassandra match by
 * key.
 *
 * <p>{@code mvn -B -pl cosmos-spark-assembly -am -Pexecutors-benchmark -DskipTests verify} (sizes:
 * {@code -Drows=3000 -DruPerSecond=1000 -Dexecutors=4 -Dpartitions=8 -DwarmupRows=0}; with warm-up
 * rows, each run first writes them into another table, untimed, so that executors have started,
 * loaded their classes and connected before the measured write).
 */
public final class ExecutorsBenchmark {
  private static final String KEYSPACE = "executors_benchmark";
  private static final double FRACTION = 0.9;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

  private final CosmosEmulator emulator;
  private final CassandraServer cassandra;
  private final StandaloneSparkCluster cluster;
  private final Path assembly;
  private final int rows;
  private final int ruPerSecond;
  private final int partitions;
  private final int warmupRows;
  private final List<String> lines = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private ExecutorsBenchmark(
      CosmosEmulator emulator,
      CassandraServer cassandra,
      StandaloneSparkCluster cluster,
      Path assembly,
      int rows,
      int ruPerSecond,
      int partitions,
      int warmupRows) {
    this.emulator = emulator;
    this.cassandra = cassandra;
    this.cluster = cluster;
    this.assembly = assembly;
    this.rows = rows;
    this.ruPerSecond = ruPerSecond;
    this.partitions = partitions;
    this.warmupRows = warmupRows;
  }

  public static void main(String[] args) throws Exception {
    int rows = Integer.getInteger("rows", 3_000);
    int ruPerSecond = Integer.getInteger("ruPerSecond", 1_000);
    int executors = Integer.getInteger("executors", 4);
    int partitions = Integer.getInteger("partitions", 8);
    int warmupRows = Integer.getInteger("warmupRows", 0);
    if (executors < 2 || rows < 1 || ruPerSecond < 1 || partitions < 1 || warmupRows < 0) {
      throw new IllegalArgumentException(
          "executors must be 2 or more (run A has 1), rows, ruPerSecond and partitions 1 or more,"
              + " warmupRows 0 or more; got -Dexecutors="
              + executors
              + " -Drows="
              + rows
              + " -DruPerSecond="
              + ruPerSecond
              + " -Dpartitions="
              + partitions
              + " -DwarmupRows="
              + warmupRows);
    }
    String jar = System.getProperty("cosmos.assembly.jar");
    if (jar == null) {
      throw new IllegalStateException(
          "Set -Dcosmos.assembly.jar to the assembly jar, or run the benchmark through the"
              + " executors-benchmark profile (see the javadoc).");
    }
    Path assembly = Paths.get(jar);
    if (!Files.isRegularFile(assembly)) {
      throw new IllegalStateException(
          "No assembly jar at "
              + assembly
              + ": run the benchmark after package (see the javadoc).");
    }
    if (System.getProperty("spark.jdk17.opens") == null) {
      System.setProperty("spark.jdk17.opens", jdk17Opens());
    }
    String spark =
        "org.apache.spark:spark-sql_"
            + System.getProperty("scala.binary.version")
            + ":"
            + System.getProperty("spark.version");
    List<Path> sparkJars =
        CassandraDistribution.resolveRuntimeClasspath(spark, " (Spark's jars for the cluster)");

    CassandraServer cassandra = CassandraServer.builder().build();
    cassandra.start();
    try (CosmosEmulator emulator = CosmosEmulator.builder(cassandra).build().start()) {
      try (CqlSession session = emulator.newSession()) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS "
                + KEYSPACE
                + " WITH cosmosdb_provisioned_throughput=400");
      }
      Path home = Paths.get("target", "executors-benchmark").toAbsolutePath();
      // One worker with a core per executor of the larger run and the memory for all of them.
      try (StandaloneSparkCluster cluster =
          StandaloneSparkCluster.start(
              home,
              sparkJars,
              1,
              executors,
              (executors * 512 + 256) + "m",
              Duration.ofMinutes(2))) {
        ExecutorsBenchmark benchmark =
            new ExecutorsBenchmark(
                emulator, cassandra, cluster, assembly, rows, ruPerSecond, partitions, warmupRows);
        benchmark.run(1);
        benchmark.run(executors);
        benchmark.print(executors);
      }
    } finally {
      cassandra.close();
    }
  }

  private void run(int executors) throws Exception {
    String table = "books_" + executors + "_executors";
    try (CqlSession session = emulator.newSession()) {
      if (warmupRows > 0) {
        session.execute(
            "CREATE TABLE "
                + KEYSPACE
                + "."
                + table
                + "_warmup (id int PRIMARY KEY, title text, pages int)"
                + " WITH cosmosdb_provisioned_throughput="
                + ruPerSecond);
      }
      session.execute(
          "CREATE TABLE "
              + KEYSPACE
              + "."
              + table
              + " (id int PRIMARY KEY, title text, pages int)"
              + " WITH cosmosdb_provisioned_throughput="
              + ruPerSecond);
    }
    // Seconds up to this one may hold the table's creation, not the write.
    long createdSecond = System.currentTimeMillis() / 1000;
    Path work = cluster.home().resolve("work");
    List<Path> applicationsBefore = applications(work);
    Path log = cluster.home().resolve("logs/driver-" + executors + "-executors.log");
    Process driver = cluster.launch(driverCommand(executors, table), log);
    if (!driver.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      driver.destroyForcibly();
      throw new IllegalStateException(
          "The run with " + executors + " executors did not finish in " + RUN_TIMEOUT + "; " + log);
    }
    if (driver.exitValue() != 0) {
      throw new IllegalStateException(
          "The run with " + executors + " executors failed; see " + log);
    }
    String driverLog = Files.readString(log, StandardCharsets.UTF_8);
    Matcher result =
        Pattern.compile(
                "^RESULT writeMillis=(\\d+) failedTasks=(\\d+) taskExecutors=(\\S*)"
                    + " tasks=(.*)$",
                Pattern.MULTILINE)
            .matcher(driverLog);
    if (!result.find()) {
      throw new IllegalStateException("The driver printed no RESULT line; see " + log);
    }
    long writeMillis = Long.parseLong(result.group(1));
    int failedTasks = Integer.parseInt(result.group(2));
    String taskExecutors = result.group(3);
    String taskSeconds = result.group(4);

    // Taken before reading back; the rows are read from Cassandra itself, uncharged anyway.
    TableStatistics statistics = emulator.statistics(KEYSPACE + "." + table).get();
    int verified = verified(table);

    double budget = FRACTION * ruPerSecond;
    double floorSeconds = statistics.requestUnits() / budget;
    double writeSeconds = writeMillis / 1000.0;
    List<Double> seconds = new ArrayList<>();
    statistics
        .requestUnitsPerSecond()
        .forEach(
            (second, ru) -> {
              if (second > createdSecond) {
                seconds.add(ru);
              }
            });
    double busiest = 0;
    for (int i = 1; i < seconds.size() - 1; i++) {
      busiest = Math.max(busiest, seconds.get(i));
    }
    lines.add(
        String.format(
            Locale.ROOT,
            "| %d | %,d | %,d | %.1f | %.1f | %.2f | %,d | %d | %.3f |",
            executors,
            rows,
            verified,
            writeSeconds,
            floorSeconds,
            writeSeconds / floorSeconds,
            statistics.rateLimited(),
            failedTasks,
            busiest / budget));

    notes.add(
        executors
            + " executor(s): tasks ran on executors ["
            + taskExecutors
            + "]; "
            + statistics
            + "; whole seconds counted: "
            + seconds.size());
    notes.add("  task seconds (executor:s, in the order they ended): " + taskSeconds);
    notes.add(
        "  RU each second: "
            + seconds.stream()
                .map(ru -> String.format(Locale.ROOT, "%.0f", ru))
                .collect(Collectors.joining(" ")));
    Matcher plan =
        Pattern.compile("^.*(writing " + KEYSPACE + "\\." + table + " at .*)$", Pattern.MULTILINE)
            .matcher(driverLog);
    notes.add("  driver: " + (plan.find() ? plan.group(1) : "(no 'writing ... at' line)"));
    List<Path> theseApplications = applications(work);
    theseApplications.removeAll(applicationsBefore);
    for (Path application : theseApplications) {
      try (Stream<Path> files = Files.walk(application)) {
        for (Path stderr :
            files
                .filter(path -> path.getFileName().toString().equals("stderr"))
                .sorted()
                .collect(Collectors.toList())) {
          List<String> changes =
              Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                  .filter(
                      line ->
                          line.contains("The application now has")
                              || line.contains("Cannot count the application's executors"))
                  .collect(Collectors.toList());
          notes.add(
              "  executor "
                  + stderr.getParent().getFileName()
                  + ": "
                  + (changes.isEmpty()
                      ? "no 'The application now has N executors' or 'Cannot count' line"
                      : String.join(" / ", changes)));
        }
      }
    }
  }

  /** Rows read back directly from Cassandra that match what was written, by key. */
  private int verified(String table) {
    Map<Integer, String> stored = new HashMap<>();
    try (CqlSession session = cassandra.newSession()) {
      for (Row row : session.execute("SELECT id, title, pages FROM " + KEYSPACE + "." + table)) {
        stored.put(row.getInt("id"), row.getString("title") + "|" + row.getInt("pages"));
      }
    }
    int matching = 0;
    for (int id = 0; id < rows; id++) {
      if (("title-" + id + "|" + (id % 700)).equals(stored.get(id))) {
        matching++;
      }
    }
    if (stored.size() != rows) {
      notes.add("  " + table + " holds " + stored.size() + " rows, " + rows + " were written");
    }
    return matching;
  }

  private List<String> driverCommand(int executors, String table) throws IOException {
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
            "-Dspark.cosmos.cassandra.throughput.provisionedRuPerSecond=" + ruPerSecond,
            "-Dspark.master=" + cluster.masterUrl(),
            "-Dspark.jars=" + assembly.toUri(),
            "-Dspark.driver.host=127.0.0.1",
            "-Dspark.ui.enabled=false",
            "-Dspark.executor.memory=512m",
            "-Dspark.executor.cores=1",
            "-Dspark.cores.max=" + executors,
            // The driver plans the split among the executors registered: wait for all of them.
            "-Dspark.scheduler.minRegisteredResourcesRatio=1.0",
            "-Dspark.scheduler.maxRegisteredResourcesWaitingTime=120s",
            // Executors keep their session from a warm-up write to the measured one.
            "-Dspark.cassandra.connection.keepAliveMS=120000",
            "-cp",
            applicationClasses()
                + File.pathSeparator
                + assembly
                + File.pathSeparator
                + cluster.sparkClasspath(),
            ExecutorsBenchmarkApplication.class.getName(),
            KEYSPACE,
            table,
            Integer.toString(rows),
            Integer.toString(partitions),
            Integer.toString(warmupRows)));
    return command;
  }

  /** The application's own classes, copied alone, so nothing else of this build is on the path. */
  private Path applicationClasses() throws IOException {
    Path directory = cluster.home().resolve("application");
    for (Class<?> type : ExecutorsBenchmarkApplication.class.getNestMembers()) {
      String resource = type.getName().replace('.', '/') + ".class";
      Path target = directory.resolve(resource);
      Files.createDirectories(target.getParent());
      try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return directory;
  }

  private static List<Path> applications(Path work) throws IOException {
    try (Stream<Path> files = Files.walk(work, 2)) {
      return files
          .filter(path -> path.getFileName().toString().startsWith("app-"))
          .collect(Collectors.toList());
    }
  }

  /** The JVM options this benchmark was started with that open the JDK to Spark. */
  private static String jdk17Opens() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(
            option ->
                option.startsWith("--add-")
                    || option.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                    || option.startsWith("-Djdk.reflect"))
        .collect(Collectors.joining(" "));
  }

  private void print(int executors) {
    double budget = FRACTION * ruPerSecond;
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Executors benchmark: %,d rows into a table of %,d RU/s, budget %.0f RU/s"
            + " (provisionedRuPerSecond=%d), %d partitions, %d warm-up rows; Spark standalone, one"
            + " worker, 1 vs %d one-core executors%n",
        rows,
        ruPerSecond,
        budget,
        ruPerSecond,
        partitions,
        warmupRows,
        executors);
    System.out.println();
    System.out.println(
        "| executors | rows | rows verified | write wall s | RU floor s | ratio | 429s"
            + " | failed tasks | busiest second RU / budget |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    lines.forEach(System.out::println);
    System.out.println();
    notes.forEach(System.out::println);
  }
}

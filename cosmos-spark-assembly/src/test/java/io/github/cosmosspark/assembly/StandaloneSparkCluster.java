package io.github.cosmosspark.assembly;

import io.github.cosmosspark.testkit.cassandra.ParentWatchingLauncher;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Spark standalone cluster made of Spark's own daemons, each in its own JVM: one {@code Master}
 * and {@code workers} {@code Worker}s, run from Spark's jars as Maven Central has them (there is no
 * Spark distribution here). Workers launch executors the way a real installation does, through
 * Spark's launcher: {@code SPARK_HOME} points at an empty installation whose {@code jars/} is
 * empty, and {@code SPARK_DIST_CLASSPATH} (the hook Spark's "Hadoop free" builds use) carries the
 * jars, so an executor's classpath is Spark's jars and nothing of this build; the application's
 * jars reach it through {@code spark.jars}.
 *
 * <p>{@link #close()} ends every JVM it started, executors included, and reports any that survived.
 * The daemons run under the testkit's {@link ParentWatchingLauncher} and executors end with their
 * worker, so nothing outlives a test JVM that is killed.
 */
final class StandaloneSparkCluster implements AutoCloseable {
  private static final String HOST = "127.0.0.1";

  private final Path home;
  private final List<Path> sparkJars;
  private final List<Process> processes = new ArrayList<>();
  private final int masterPort;
  private final int masterWebUiPort;

  private StandaloneSparkCluster(Path home, List<Path> sparkJars) {
    this.home = home;
    this.sparkJars = sparkJars;
    this.masterPort = freePort();
    this.masterWebUiPort = freePort();
  }

  /**
   * Starts a master and {@code workers} workers with one core and {@code workerMemory} each, and
   * waits until every worker has registered.
   */
  static StandaloneSparkCluster start(
      Path home, List<Path> sparkJars, int workers, String workerMemory, Duration timeout)
      throws IOException, InterruptedException {
    return start(home, sparkJars, workers, 1, workerMemory, timeout);
  }

  /**
   * Starts a master and {@code workers} workers with {@code coresPerWorker} cores and {@code
   * workerMemory} each, and waits until every worker has registered. A worker with several cores
   * runs as many one-core executors of an application that sets {@code spark.executor.cores=1}.
   */
  static StandaloneSparkCluster start(
      Path home,
      List<Path> sparkJars,
      int workers,
      int coresPerWorker,
      String workerMemory,
      Duration timeout)
      throws IOException, InterruptedException {
    StandaloneSparkCluster cluster = new StandaloneSparkCluster(home, sparkJars);
    try {
      cluster.prepareHome();
      cluster.startMaster();
      for (int i = 0; i < workers; i++) {
        cluster.startWorker(i, coresPerWorker, workerMemory);
      }
      cluster.awaitWorkers(workers, timeout);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** The URL applications are submitted to. */
  String masterUrl() {
    return "spark://" + HOST + ":" + masterPort;
  }

  /** The jars of Spark's own runtime, as a path list. */
  String sparkClasspath() {
    return sparkJars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }

  /** Where the daemons write their logs and the workers their executors' logs. */
  Path home() {
    return home;
  }

  /**
   * Starts a JVM of this cluster's (its end is {@link #close()}'s business), with {@code command}
   * after the java executable, standard output and error to {@code log}.
   */
  Process launch(List<String> command, Path log) throws IOException {
    List<String> full = new ArrayList<>();
    full.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    full.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(full)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_DIST_CLASSPATH", sparkClasspath());
    env.put("SPARK_SCALA_VERSION", System.getProperty("scala.binary.version", "2.12"));
    env.put("SPARK_LOCAL_IP", HOST);
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.remove("SPARK_TESTING");
    // Standard input stays an open pipe from this JVM: its end tells the child to halt.
    Process process = builder.start();
    synchronized (processes) {
      processes.add(process);
    }
    return process;
  }

  private void prepareHome() throws IOException {
    // A fresh home per run: logs of an earlier run would mix with this one's.
    if (Files.exists(home)) {
      try (java.util.stream.Stream<Path> old = Files.walk(home)) {
        for (Path path :
            old.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.delete(path);
        }
      }
    }
    Files.createDirectories(home.resolve("jars"));
    Files.createDirectories(home.resolve("conf"));
    Files.createDirectories(home.resolve("work"));
    Files.createDirectories(home.resolve("logs"));
    String launcher = ParentWatchingLauncher.class.getName().replace('.', '/') + ".class";
    Path target = home.resolve("launcher").resolve(launcher);
    Files.createDirectories(target.getParent());
    try (InputStream in =
        ParentWatchingLauncher.class.getClassLoader().getResourceAsStream(launcher)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private List<String> daemon(String heap, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(heap);
    command.addAll(Arrays.asList(System.getProperty("spark.jdk17.opens", "").trim().split("\\s+")));
    command.removeIf(String::isEmpty);
    command.add("-cp");
    command.add(home.resolve("launcher") + File.pathSeparator + sparkClasspath());
    command.add(ParentWatchingLauncher.class.getName());
    command.add(mainClass);
    return command;
  }

  private void startMaster() throws IOException {
    List<String> command = daemon("-Xmx256m", "org.apache.spark.deploy.master.Master");
    command.addAll(
        List.of(
            "--host",
            HOST,
            "--port",
            Integer.toString(masterPort),
            "--webui-port",
            Integer.toString(masterWebUiPort)));
    launch(command, home.resolve("logs/master.log"));
  }

  private void startWorker(int index, int cores, String memory) throws IOException {
    Path workDir = home.resolve("work/worker-" + index);
    Files.createDirectories(workDir);
    List<String> command = daemon("-Xmx256m", "org.apache.spark.deploy.worker.Worker");
    command.addAll(
        List.of(
            "--host",
            HOST,
            "--cores",
            Integer.toString(cores),
            "--memory",
            memory,
            "--webui-port",
            Integer.toString(freePort()),
            "--work-dir",
            workDir.toString(),
            masterUrl()));
    launch(command, home.resolve("logs/worker-" + index + ".log"));
  }

  /** Polls the master's JSON page until it lists {@code expected} workers alive. */
  private void awaitWorkers(int expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Pattern alive = Pattern.compile("\"state\"\\s*:\\s*\"ALIVE\"");
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Process process : processes) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "A Spark daemon exited with code "
                  + process.exitValue()
                  + " while the cluster started; see the logs in "
                  + home.resolve("logs"));
        }
      }
      try {
        last = get("http://" + HOST + ":" + masterWebUiPort + "/json/");
        Matcher matcher = alive.matcher(last);
        int count = 0;
        while (matcher.find()) {
          count++;
        }
        // The master itself reports "status":"ALIVE"; workers report "state":"ALIVE".
        if (count >= expected) {
          return;
        }
      } catch (IOException e) {
        // The master's web UI is not up yet.
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        expected
            + " workers did not register within "
            + timeout
            + "; the master said: "
            + last
            + "; logs in "
            + home.resolve("logs"));
  }

  private static String get(String url) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
    connection.setConnectTimeout(1000);
    connection.setReadTimeout(2000);
    try (InputStream in = connection.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      connection.disconnect();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Ends every JVM started here, children first (executors, then workers, then the master), and
   * fails if any is still alive afterwards.
   */
  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>();
    List<Process> started;
    synchronized (processes) {
      started = new ArrayList<>(processes);
    }
    // Newest first: the driver and workers before the master they talk to.
    for (int i = started.size() - 1; i >= 0; i--) {
      ProcessHandle handle = started.get(i).toHandle();
      List<ProcessHandle> descendants = handle.descendants().collect(Collectors.toList());
      all.addAll(descendants);
      all.add(handle);
      descendants.forEach(ProcessHandle::destroy);
      handle.destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        handle.destroyForcibly();
      }
    }
    List<Long> survivors = new ArrayList<>();
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        survivors.add(handle.pid());
      }
    }
    if (!survivors.isEmpty()) {
      throw new IllegalStateException("Spark JVMs still running after close: " + survivors);
    }
  }
}

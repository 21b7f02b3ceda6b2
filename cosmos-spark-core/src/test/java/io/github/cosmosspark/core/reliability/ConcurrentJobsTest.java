package io.github.cosmosspark.core.reliability;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.spark.connector.cql.CassandraConnector;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Six writes at once in one application: four to tables of their own, two to one table with
 * overlapping keys and identical values. All six run their tasks at the same time, every table ends
 * with exactly the rows written, each table stays within its budget (the two jobs on one table
 * together), nothing deadlocks, and once SCC has let its sessions go the JVM has the threads and
 * the emulator the connections it had before.
 */
@CosmosEmulatorTest
class ConcurrentJobsTest {
  private static final String KEYSPACE = "reliability_load";
  private static final List<String> OWN_TABLES =
      java.util.Arrays.asList("own_1", "own_2", "own_3", "own_4");
  private static final String SHARED_TABLE = "shared";
  private static final int OWN_ROWS = 1_200;
  private static final int SHARED_FIRST_FROM = 0;
  private static final int SHARED_FIRST_TO = 800;
  private static final int SHARED_SECOND_FROM = 400;
  private static final int SHARED_SECOND_TO = 1_200;
  // The budget must be what holds each job back, or the bound below tests nothing: the five
  // tables' budgets together (3,000 RU/s) are about half what two cores wrote for the six jobs at
  // once (5,800-6,000 RU/s measured with 3,000 RU/s a table, when no own table reached its budget).
  private static final int BUDGET = 600;
  // ThroughputControlTest's bound: every whole second within 10 % of the budget.
  private static final double SECOND_LIMIT = BUDGET * 1.1;
  private static final long SETTLE_DEADLINE_MS = 30_000;
  private static final List<String> JVM_WIDE_TIMERS =
      java.util.Arrays.asList("cosmos-retry-timer", "cosmos-executor-count");
  private static final int JOBS = 6;
  // Threads, not cores: a task spends most of its time waiting for its budget or the emulator. At
  // least one per job: with fewer, the tasks that wait for the others to start would hold every
  // slot until their deadline.
  private static final int TASK_SLOTS = 8;
  private static final long START_TOGETHER_SECONDS = 60;
  // Counted down by each job's one task as it starts; local mode runs tasks in this JVM, so they
  // all see this one latch.
  private static final CountDownLatch TASKS_STARTED = new CountDownLatch(JOBS);

  private final CosmosEmulator emulator;

  ConcurrentJobsTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createTables(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    // Provisioned far above the budget, so that the emulator counts an overshoot instead of
    // refusing it with 429s.
    for (String table : OWN_TABLES) {
      EmulatorBooks.createTable(emulator, KEYSPACE, table, 100_000);
    }
    EmulatorBooks.createTable(emulator, KEYSPACE, SHARED_TABLE, 100_000);
    EmulatorBooks.createTable(emulator, KEYSPACE, "warm_up", 100_000);
  }

  @AfterAll
  static void forgetBudgets() {
    CosmosRuntimes.forgetJobs();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void sixConcurrentWritesLandExactlyWithinBudgetsAndLeaveNoThreadsOrConnections()
      throws Exception {
    // The shared session's two task slots would run the six jobs two by two.
    SparkSession spark = LocalSpark.sessionWithTaskSlots(TASK_SLOTS);
    try {
      writeSixAtOnce(spark);
    } finally {
      spark.stop();
    }
  }

  private void writeSixAtOnce(SparkSession spark) throws Exception {
    // The threads a JVM keeps once it has used the format (timers, Spark's pools) are part of the
    // baseline: one small round trip first, then SCC's idle sessions closed.
    Map<String, String> warmUp = options("warm_up");
    EmulatorBooks.books(spark, 0, 10)
        .write()
        .format("cosmoscassandra")
        .options(warmUp)
        .mode("append")
        .save();
    spark.read().format("cosmoscassandra").options(warmUp).load().count();
    CassandraConnector.evictCache();
    int connectionsBefore = settledConnections();
    Map<String, Integer> threadsBefore = settledThreads();
    ThreadMXBean jvmThreads = ManagementFactory.getThreadMXBean();
    int allThreadsBefore = jvmThreads.getThreadCount();
    jvmThreads.resetPeakThreadCount();

    JobTimes times = new JobTimes();
    SparkContext context = spark.sparkContext();
    context.addSparkListener(times);
    Sampler sampler = new Sampler();
    ScheduledExecutorService sampling =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "load-sampler");
              thread.setDaemon(true);
              return thread;
            });
    sampling.scheduleAtFixedRate(sampler::sample, 0, 50, TimeUnit.MILLISECONDS);

    Map<String, Dataset<Row>> written = new LinkedHashMap<>();
    Map<String, Long> wallMillis = new ConcurrentHashMap<>();
    ExecutorService jobs = Executors.newFixedThreadPool(JOBS);
    List<Future<?>> running = new ArrayList<>();
    try {
      running.add(
          jobs.submit(
              () ->
                  write(
                      "shared-a",
                      startingTogether(spark, SHARED_FIRST_FROM, SHARED_FIRST_TO),
                      SHARED_TABLE,
                      wallMillis)));
      running.add(
          jobs.submit(
              () ->
                  write(
                      "shared-b",
                      startingTogether(spark, SHARED_SECOND_FROM, SHARED_SECOND_TO),
                      SHARED_TABLE,
                      wallMillis)));
      for (String table : OWN_TABLES) {
        written.put(table, EmulatorBooks.books(spark, 0, OWN_ROWS));
        running.add(
            jobs.submit(
                () -> write(table, startingTogether(spark, 0, OWN_ROWS), table, wallMillis)));
      }
      for (Future<?> job : running) {
        job.get();
      }
    } finally {
      jobs.shutdownNow();
      assertTrue(jobs.awaitTermination(30, TimeUnit.SECONDS), "job threads ended");
      sampling.shutdownNow();
      assertTrue(sampling.awaitTermination(10, TimeUnit.SECONDS), "sampler ended");
      // Spark posts task ends to listeners asynchronously: the last job's may not be in yet.
      context.listenerBus().waitUntilEmpty(30_000L);
      context.removeSparkListener(times);
    }
    written.put(SHARED_TABLE, EmulatorBooks.books(spark, SHARED_FIRST_FROM, SHARED_SECOND_TO));
    int allThreadsPeak = jvmThreads.getPeakThreadCount();

    // Concurrency, from Spark's own task times: each job ran as one task, and there was a span in
    // which all six tasks were running.
    assertEquals(
        java.util.Arrays.asList("own_1", "own_2", "own_3", "own_4", "shared-a", "shared-b"),
        new ArrayList<>(new TreeMap<>(times.tasks).keySet()),
        "jobs whose tasks ran");
    for (Map.Entry<String, List<long[]>> job : times.tasks.entrySet()) {
      assertEquals(1, job.getValue().size(), job.getKey() + "'s tasks: " + times);
    }
    assertTrue(times.allRunningMillis() > 0, "all six tasks ran at the same time: " + times);
    assertTrue(
        times.overlapMillis("shared-a", "shared-b") > 0,
        "the two jobs on one table ran at the same time: " + times);

    // Budgets: each table's seconds, the shared one's for both jobs together.
    Map<String, TableStatistics> statistics = new TreeMap<>();
    for (String table : written.keySet()) {
      statistics.put(table, emulator.statistics(KEYSPACE + "." + table).get());
    }

    // Leaks: SCC closes its sessions keepAliveMS after their last use.
    boolean connectionsBack = waitFor(() -> emulator.openClientConnections() == connectionsBefore);
    int connectionsAfter = emulator.openClientConnections();
    boolean threadsBack = waitFor(() -> trackedThreads().equals(threadsBefore));
    Map<String, Integer> threadsAfter = trackedThreads();

    System.out.println("ConcurrentJobsTest figures:");
    for (String job : new TreeMap<>(times.tasks).keySet()) {
      long[] task = times.tasks.get(job).get(0);
      int rows = job.startsWith("shared") ? SHARED_FIRST_TO - SHARED_FIRST_FROM : OWN_ROWS;
      System.out.printf(
          Locale.ROOT,
          "  job %-8s submitted +%5d ms, task ran +%5d..+%5d ms, wall %,6d ms, %,5.0f rows/s%n",
          job,
          times.starts.get(job) - times.firstStart(),
          task[0] - times.firstStart(),
          task[1] - times.firstStart(),
          wallMillis.get(job),
          rows * 1000.0 / wallMillis.get(job));
    }
    System.out.printf(
        Locale.ROOT,
        "  all six running together for %,d ms (+%d..+%d ms); shared-a and shared-b together for"
            + " %,d ms; first submission to last end %,d ms; JVM-wide timers after: %s%n",
        times.allRunningMillis(),
        times.lastLaunch() - times.firstStart(),
        times.firstFinish() - times.firstStart(),
        times.overlapMillis("shared-a", "shared-b"),
        times.lastEnd() - times.firstStart(),
        jvmWideTimers());
    for (Map.Entry<String, TableStatistics> table : statistics.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "  table %-6s %s; busiest whole second %.0f RU = %.3f x budget %d; seconds %s%n",
          table.getKey(),
          table.getValue(),
          busiestWholeSecond(table.getValue()),
          busiestWholeSecond(table.getValue()) / BUDGET,
          BUDGET,
          roundedSeconds(table.getValue()));
    }
    System.out.printf(
        Locale.ROOT,
        "  client connections: before %d, peak %d, after %d%n",
        connectionsBefore,
        sampler.peakConnections.get(),
        connectionsAfter);
    System.out.printf(
        Locale.ROOT,
        "  threads (all in the JVM): before %d, peak %d, after %d; tracked (driver pools,"
            + " cosmos-*, non-daemon): before %d, peak %d, after %d%n",
        allThreadsBefore,
        allThreadsPeak,
        jvmThreads.getThreadCount(),
        total(threadsBefore),
        sampler.peakTrackedThreads.get(),
        total(threadsAfter));

    for (Map.Entry<String, TableStatistics> table : statistics.entrySet()) {
      assertWithin(table.getKey(), table.getValue());
    }
    assertTrue(
        connectionsBack, "connections before " + connectionsBefore + ", after " + connectionsAfter);
    assertTrue(
        threadsBack,
        "threads before "
            + threadsBefore
            + "\nafter "
            + threadsAfter
            + "\nextra "
            + extra(threadsAfter, threadsBefore));
    assertTrue(sampler.peakConnections.get() > connectionsBefore, "the jobs opened connections");
    for (Map.Entry<String, Integer> timer : jvmWideTimers().entrySet()) {
      assertEquals(1, timer.getValue(), "threads named " + timer.getKey());
    }

    for (Map.Entry<String, Dataset<Row>> table : written.entrySet()) {
      Map<String, String> unthrottled = options(table.getKey());
      unthrottled.put("throughput.control", "false");
      Dataset<Row> read = spark.read().format("cosmoscassandra").options(unthrottled).load();
      assertSameRowsByKey(table.getValue(), read, "id");
    }
  }

  private void write(String job, Dataset<Row> books, String table, Map<String, Long> wallMillis) {
    SparkContext context = books.sparkSession().sparkContext();
    context.setJobGroup(job, job, false);
    try {
      long start = System.nanoTime();
      books.write().format("cosmoscassandra").options(options(table)).mode("append").save();
      wallMillis.put(job, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } finally {
      context.clearJobGroup();
    }
  }

  /**
   * Books in one partition, so that a job is one task, whose rows flow only once every job's task
   * has started: the six then write together however long the driver took to plan each.
   */
  private static Dataset<Row> startingTogether(SparkSession spark, int from, int to) {
    Dataset<Row> books = EmulatorBooks.books(spark, from, to).coalesce(1);
    return books.mapPartitions(
        (MapPartitionsFunction<Row, Row>) ConcurrentJobsTest::afterEveryJobStarted,
        Encoders.row(books.schema()));
  }

  /** A job that never starts fails the others' tasks with this message instead of hanging them. */
  private static Iterator<Row> afterEveryJobStarted(Iterator<Row> rows)
      throws InterruptedException {
    TASKS_STARTED.countDown();
    if (!TASKS_STARTED.await(START_TOGETHER_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          (JOBS - TASKS_STARTED.getCount())
              + " of the "
              + JOBS
              + " jobs' tasks started within "
              + START_TOGETHER_SECONDS
              + " s");
    }
    return rows;
  }

  private Map<String, String> options(String table) {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    options.put("throughput.targetRuPerSecond", Integer.toString(BUDGET));
    options.put("spark.cassandra.connection.keepAliveMS", "500");
    // A job is its one task, as startingTogether makes it: no shuffle by the partition key.
    options.put("write.spreadOverPartitions", "false");
    return options;
  }

  /** Every whole second but the first and the last stays within the limit. */
  private static void assertWithin(String table, TableStatistics statistics) {
    List<Map.Entry<Long, Double>> seconds =
        new ArrayList<>(new TreeMap<>(statistics.requestUnitsPerSecond()).entrySet());
    assertTrue(seconds.size() >= 3, table + " ran for several seconds: " + seconds);
    for (Map.Entry<Long, Double> second : seconds.subList(1, seconds.size() - 1)) {
      assertTrue(
          second.getValue() <= SECOND_LIMIT,
          String.format(
              Locale.ROOT,
              "%s: %,.0f RU in second %d, limit %,.0f: %s",
              table,
              second.getValue(),
              second.getKey(),
              SECOND_LIMIT,
              seconds));
    }
  }

  private static double busiestWholeSecond(TableStatistics statistics) {
    List<Double> seconds =
        new ArrayList<>(new TreeMap<>(statistics.requestUnitsPerSecond()).values());
    double busiest = 0;
    for (double ru : seconds.subList(1, Math.max(1, seconds.size() - 1))) {
      busiest = Math.max(busiest, ru);
    }
    return busiest;
  }

  private static List<Long> roundedSeconds(TableStatistics statistics) {
    List<Long> rounded = new ArrayList<>();
    for (double ru : new TreeMap<>(statistics.requestUnitsPerSecond()).values()) {
      rounded.add(Math.round(ru));
    }
    return rounded;
  }

  /** The emulator's connections once they stop changing (previous tests' sessions closing). */
  private int settledConnections() throws InterruptedException {
    int last = -1;
    int stable = 0;
    long deadline = System.currentTimeMillis() + SETTLE_DEADLINE_MS;
    while (stable < 5 && System.currentTimeMillis() < deadline) {
      int now = emulator.openClientConnections();
      stable = now == last ? stable + 1 : 0;
      last = now;
      Thread.sleep(50);
    }
    return last;
  }

  private static Map<String, Integer> settledThreads() throws InterruptedException {
    Map<String, Integer> last = null;
    int stable = 0;
    long deadline = System.currentTimeMillis() + SETTLE_DEADLINE_MS;
    while (stable < 5 && System.currentTimeMillis() < deadline) {
      Map<String, Integer> now = trackedThreads();
      stable = now.equals(last) ? stable + 1 : 0;
      last = now;
      Thread.sleep(50);
    }
    return last;
  }

  private static boolean waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + SETTLE_DEADLINE_MS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /**
   * Live threads that a leak would leave: the driver's per-session pools ({@code s<n>-io-<i>},
   * {@code -admin-}, {@code -timer-}), ours ({@code cosmos-*}) and every non-daemon thread, by name
   * with the session number left out. Two kinds are left out: our JVM-wide timers, started on first
   * use and kept for the JVM's life (checked by {@link #jvmWideTimers()} instead), and Netty's
   * global executor thread, which the emulator's channel group starts and which ends itself after a
   * second idle.
   */
  private static Map<String, Integer> trackedThreads() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String name = thread.getName();
      boolean driverPool = name.matches("s\\d+-(io|admin|timer)-\\d+");
      boolean tracked = driverPool || name.startsWith("cosmos-") || !thread.isDaemon();
      if (thread.isAlive()
          && tracked
          && !JVM_WIDE_TIMERS.contains(name)
          && !name.startsWith("globalEventExecutor-")) {
        counts.merge(name.replaceFirst("^s\\d+-", "s*-"), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Live threads of our JVM-wide timers, by name: at most one each, whatever ran. */
  private static Map<String, Integer> jvmWideTimers() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && JVM_WIDE_TIMERS.contains(thread.getName())) {
        counts.merge(thread.getName(), 1, Integer::sum);
      }
    }
    return counts;
  }

  private static int total(Map<String, Integer> threads) {
    return threads.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static Map<String, Integer> extra(
      Map<String, Integer> after, Map<String, Integer> before) {
    Map<String, Integer> extra = new TreeMap<>();
    for (Map.Entry<String, Integer> entry : after.entrySet()) {
      int more = entry.getValue() - before.getOrDefault(entry.getKey(), 0);
      if (more != 0) {
        extra.put(entry.getKey(), more);
      }
    }
    for (Map.Entry<String, Integer> entry : before.entrySet()) {
      if (!after.containsKey(entry.getKey())) {
        extra.put(entry.getKey(), -entry.getValue());
      }
    }
    return extra;
  }

  /** Peaks seen every 50 ms while the jobs run. */
  private final class Sampler {
    final AtomicInteger peakConnections = new AtomicInteger();
    final AtomicInteger peakTrackedThreads = new AtomicInteger();

    void sample() {
      peakConnections.accumulateAndGet(emulator.openClientConnections(), Math::max);
      peakTrackedThreads.accumulateAndGet(total(trackedThreads()), Math::max);
    }
  }

  /** When each job group's job started and ended, and when each of its tasks ran. */
  private static final class JobTimes extends SparkListener {
    final Map<String, Long> starts = new ConcurrentHashMap<>();
    final Map<String, Long> ends = new ConcurrentHashMap<>();
    final Map<String, List<long[]>> tasks = new ConcurrentHashMap<>();
    private final Map<Integer, String> groupOfStage = new ConcurrentHashMap<>();
    private final Map<Integer, String> groupOfJob = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String group = start.properties().getProperty("spark.jobGroup.id");
      if (group == null) {
        return;
      }
      starts.put(group, start.time());
      groupOfJob.put(start.jobId(), group);
      for (Object stage : scala.collection.JavaConverters.seqAsJavaList(start.stageIds())) {
        groupOfStage.put((Integer) stage, group);
      }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
      String group = groupOfJob.get(end.jobId());
      if (group != null) {
        ends.put(group, end.time());
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      String group = groupOfStage.get(end.stageId());
      if (group != null) {
        tasks
            .computeIfAbsent(group, key -> new java.util.concurrent.CopyOnWriteArrayList<>())
            .add(new long[] {end.taskInfo().launchTime(), end.taskInfo().finishTime()});
      }
    }

    long firstStart() {
      return starts.values().stream().mapToLong(Long::longValue).min().getAsLong();
    }

    long lastEnd() {
      return ends.values().stream().mapToLong(Long::longValue).max().getAsLong();
    }

    /** The last task to launch, of jobs that ran one task each. */
    long lastLaunch() {
      return tasks.values().stream().mapToLong(job -> job.get(0)[0]).max().getAsLong();
    }

    /** The first task to finish, of jobs that ran one task each. */
    long firstFinish() {
      return tasks.values().stream().mapToLong(job -> job.get(0)[1]).min().getAsLong();
    }

    /** How long every job's one task was running at once; 0 or less when never. */
    long allRunningMillis() {
      return firstFinish() - lastLaunch();
    }

    long overlapMillis(String a, String b) {
      long[] x = tasks.get(a).get(0);
      long[] y = tasks.get(b).get(0);
      return Math.min(x[1], y[1]) - Math.max(x[0], y[0]);
    }

    /** Each job's task launch..finish times, relative to the first job's start. */
    @Override
    public String toString() {
      Map<String, List<String>> relative = new TreeMap<>();
      long zero = firstStart();
      for (Map.Entry<String, List<long[]>> job : tasks.entrySet()) {
        List<String> spans = new ArrayList<>();
        for (long[] task : job.getValue()) {
          spans.add("+" + (task[0] - zero) + "..+" + (task[1] - zero) + " ms");
        }
        relative.put(job.getKey(), spans);
      }
      return relative.toString();
    }
  }
}

package io.github.cosmosspark.core.session;

import io.github.cosmosspark.core.config.WarnOnce;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import io.github.cosmosspark.core.metrics.TaskMetrics;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.throughput.HotPartitions;
import io.github.cosmosspark.core.throughput.ProvisionedThroughput;
import io.github.cosmosspark.core.throughput.RequestUnitStatistics;
import io.github.cosmosspark.core.throughput.TableBudget;
import io.github.cosmosspark.core.throughput.Throttles;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything cosmos-spark keeps per JVM (the driver, or one executor), in one object: the table
 * throttles and the executor count their shares follow, the counts of charges and retries, the
 * throughput DDL provisioned, each running task's request counters, the timer every wait is
 * scheduled on, and which warnings were already given. Everything else is made per read or write
 * and passed down; no other class keeps mutable state in a static field.
 *
 * <p>SCC opens one session per account and endpoint and hands it to every task of the JVM, so what
 * tasks share must live beside the sessions, here, not in them.
 */
public final class CosmosRuntime {
  private static final CosmosRuntime JVM = new CosmosRuntime();

  private final ScheduledExecutorService timer = newTimer();
  private final RetryStatistics retryStatistics = new RetryStatistics();
  private final RequestUnitStatistics requestUnits = new RequestUnitStatistics();
  private final ProvisionedThroughput provisioned = new ProvisionedThroughput();
  private final TaskMetrics taskMetrics = new TaskMetrics();
  private final AtomicInteger sessionsOpened = new AtomicInteger();

  /**
   * What one job can leave behind for the next in the same JVM; tests start from a clean one. The
   * counts above only grow, and readers take differences.
   */
  private volatile JobMemory jobMemory = new JobMemory();

  private CosmosRuntime() {}

  /** This JVM's runtime. */
  public static CosmosRuntime get() {
    return JVM;
  }

  /**
   * One daemon thread does every wait of the JVM: resends after 429s and admissions that wait for
   * budget. It only starts sends (the driver's executeAsync returns at once), so it is never busy
   * for long, and no driver I/O thread ever sleeps.
   */
  public ScheduledExecutorService timer() {
    return timer;
  }

  /** What retrying cost, per table, since the JVM started. */
  public RetryStatistics retryStatistics() {
    return retryStatistics;
  }

  /** The request units Cosmos charged, per table, since the JVM started. */
  public RequestUnitStatistics requestUnits() {
    return requestUnits;
  }

  /** The throughput DDL run in this JVM provisioned. */
  public ProvisionedThroughput provisionedThroughput() {
    return provisioned;
  }

  /** The request counters of the tasks running now. */
  public TaskMetrics taskMetrics() {
    return taskMetrics;
  }

  /**
   * Counts a driver session opened to Cosmos in this JVM, each with its own connections (a TLS
   * handshake and a login each); returns how many were opened so far, this one included.
   */
  public int sessionOpened() {
    return sessionsOpened.incrementAndGet();
  }

  /**
   * How many driver sessions to Cosmos this JVM has opened; only grows, readers take differences.
   */
  public int sessionsOpened() {
    return sessionsOpened.get();
  }

  /** The table throttles, one per table with a budget or a learned rate. */
  public Throttles throttles() {
    return jobMemory.throttles;
  }

  /**
   * What a Spark task does before its first request to {@code table}: registers the job's budget on
   * this executor (a later plan for the same table replaces the share), and takes the task's
   * request counters for that table.
   *
   * @param budget the job's budget, or null when it has none
   */
  public RequestMetrics startTask(String table, TableBudget budget) {
    if (budget != null) {
      throttles().register(budget);
    }
    return taskMetrics.forCurrentTask(table);
  }

  /** 429s compared with the budget's use, and the keys throttled most, per table. */
  public HotPartitions hotPartitions() {
    return jobMemory.hotPartitions;
  }

  /** Which warnings this JVM has given. */
  public WarnOnce warnings() {
    return jobMemory.warnings;
  }

  /**
   * Forgets throttles, learned rates, the executor count and the warnings given, as a new JVM
   * would. Only tests need it, through their own accessor in this package: it is not public.
   */
  void forgetJobs() {
    jobMemory = new JobMemory();
  }

  private static ScheduledExecutorService newTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "cosmos-retry-timer");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  private static final class JobMemory {
    final Throttles throttles = new Throttles();
    final WarnOnce warnings = new WarnOnce();
    final HotPartitions hotPartitions = new HotPartitions();
  }
}

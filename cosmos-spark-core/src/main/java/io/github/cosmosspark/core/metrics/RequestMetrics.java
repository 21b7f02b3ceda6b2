package io.github.cosmosspark.core.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The Cosmos requests one Spark task attempt sent to one table: their charge, how many were
 * rate-limited and resent, and how long they waited. A request is attributed to the task whose
 * thread sent it first; its later pages and resends, sent from timer and I/O threads, carry the
 * same counters along.
 */
public final class RequestMetrics {
  /** For requests outside any task (planning, DDL on the driver): counted, never shown. */
  public static final RequestMetrics UNATTRIBUTED = new RequestMetrics();

  private static final ConcurrentMap<Long, ConcurrentMap<String, RequestMetrics>> BY_TASK =
      new ConcurrentHashMap<>();

  private final LongAdder centiRequestUnits = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder budgetWaitNanos = new LongAdder();
  private final LongAdder backoffMillis = new LongAdder();

  /**
   * The counters of the task running on this thread for {@code table}, or {@link #UNATTRIBUTED}
   * when this thread runs no task.
   */
  public static RequestMetrics forCurrentTask(String table) {
    TaskContext task = TaskContext.get();
    if (task == null || table == null) {
      return UNATTRIBUTED;
    }
    long attempt = task.taskAttemptId();
    ConcurrentMap<String, RequestMetrics> byTable = BY_TASK.get(attempt);
    if (byTable == null) {
      byTable = new ConcurrentHashMap<>();
      ConcurrentMap<String, RequestMetrics> raced = BY_TASK.putIfAbsent(attempt, byTable);
      if (raced != null) {
        byTable = raced;
      } else {
        task.addTaskCompletionListener(
            (TaskCompletionListener) completed -> BY_TASK.remove(attempt));
      }
    }
    return byTable.computeIfAbsent(table, name -> new RequestMetrics());
  }

  /** A response arrived, with the charge Cosmos reported (0 when it reported none). */
  public void recordResponse(double requestUnits) {
    requests.increment();
    centiRequestUnits.add(Math.round(requestUnits * 100));
  }

  public void recordRateLimited() {
    rateLimited.increment();
  }

  public void recordRetry(long delayMillis) {
    retries.increment();
    backoffMillis.add(delayMillis);
  }

  public void recordBudgetWait(long waitNanos) {
    budgetWaitNanos.add(waitNanos);
  }

  /**
   * Request units charged, in hundredths, so that Spark's long-valued metrics keep two decimals.
   */
  public long centiRequestUnits() {
    return centiRequestUnits.sum();
  }

  public long requests() {
    return requests.sum();
  }

  public long rateLimited() {
    return rateLimited.sum();
  }

  public long retries() {
    return retries.sum();
  }

  public long budgetWaitMillis() {
    return TimeUnit.NANOSECONDS.toMillis(budgetWaitNanos.sum());
  }

  public long backoffMillis() {
    return backoffMillis.sum();
  }
}

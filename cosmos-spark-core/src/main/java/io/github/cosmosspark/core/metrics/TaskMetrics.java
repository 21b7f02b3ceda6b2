package io.github.cosmosspark.core.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The request counters of the task attempts running in one JVM, per table, until each attempt
 * completes. The JVM's one instance is held by the session layer's runtime.
 */
public final class TaskMetrics {
  private final ConcurrentMap<Long, ConcurrentMap<String, RequestMetrics>> byTask =
      new ConcurrentHashMap<>();

  /** For requests outside any task (planning, DDL on the driver): counted, never shown. */
  private final RequestMetrics unattributed = new RequestMetrics();

  /**
   * The counters of the task running on this thread for {@code table}, or {@link #unattributed()}
   * when this thread runs no task.
   */
  public RequestMetrics forCurrentTask(String table) {
    TaskContext task = TaskContext.get();
    if (task == null || table == null) {
      return unattributed;
    }
    long attempt = task.taskAttemptId();
    ConcurrentMap<String, RequestMetrics> byTable = byTask.get(attempt);
    if (byTable == null) {
      byTable = new ConcurrentHashMap<>();
      ConcurrentMap<String, RequestMetrics> raced = byTask.putIfAbsent(attempt, byTable);
      if (raced != null) {
        byTable = raced;
      } else {
        task.addTaskCompletionListener(
            (TaskCompletionListener) completed -> byTask.remove(attempt));
      }
    }
    return byTable.computeIfAbsent(table, name -> new RequestMetrics());
  }

  /** The counters of requests no task sent. */
  public RequestMetrics unattributed() {
    return unattributed;
  }
}

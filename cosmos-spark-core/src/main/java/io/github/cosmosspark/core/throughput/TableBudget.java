package io.github.cosmosspark.core.throughput;

import java.io.Serializable;

/**
 * A job's budget on one table, planned on the driver, and how many executors it was split among
 * then. It travels to the executors inside the connector's configuration, where {@link Throttles}
 * gives each its share of the executors alive at that time (see {@link LiveExecutors}).
 */
public final class TableBudget implements Serializable {
  private static final long serialVersionUID = 3L;

  private final String table;
  private final double totalRuPerSecond;
  private final int plannedExecutors;
  private final int tasksPerExecutor;

  public TableBudget(String table, double totalRuPerSecond, int plannedExecutors) {
    this(table, totalRuPerSecond, plannedExecutors, 1);
  }

  /**
   * @param tasksPerExecutor tasks one executor runs at once, sharing its part: pages are sized from
   *     a task's part
   */
  public TableBudget(
      String table, double totalRuPerSecond, int plannedExecutors, int tasksPerExecutor) {
    this.table = table;
    this.totalRuPerSecond = totalRuPerSecond;
    this.plannedExecutors = Math.max(1, plannedExecutors);
    this.tasksPerExecutor = Math.max(1, tasksPerExecutor);
  }

  /** {@code keyspace.table}, lower case unless quoted, as requests name it. */
  public String table() {
    return table;
  }

  /** RU/s the whole job may use on the table; 0 when throughput control is off for it. */
  public double totalRuPerSecond() {
    return totalRuPerSecond;
  }

  /** The executors that existed when the driver planned the budget. */
  public int plannedExecutors() {
    return plannedExecutors;
  }

  /** Tasks one executor runs at once. */
  public int tasksPerExecutor() {
    return tasksPerExecutor;
  }

  /** RU/s one executor may use when the executors are as planned. */
  public double shareRuPerSecond() {
    return shareAmong(plannedExecutors);
  }

  /** RU/s one of {@code executors} executors may use. */
  public double shareAmong(int executors) {
    return totalRuPerSecond / Math.max(1, executors);
  }

  @Override
  public String toString() {
    return String.format(
        "TableBudget{%s: %,.0f RU/s among %d executor%s}",
        table, totalRuPerSecond, plannedExecutors, plannedExecutors == 1 ? "" : "s");
  }
}

package io.github.cosmosspark.core.throughput;

/**
 * A job's budget on one table as the driver planned it: the total, why, and how it is split. Only
 * the per-executor share ({@link #budget()}) travels to the executors.
 */
public final class BudgetPlan {
  private final TableBudget budget;
  private final double totalRuPerSecond;
  private final String reason;
  private final int executors;
  private final int tasksPerExecutor;

  BudgetPlan(
      TableBudget budget,
      double totalRuPerSecond,
      String reason,
      int executors,
      int tasksPerExecutor) {
    this.budget = budget;
    this.totalRuPerSecond = totalRuPerSecond;
    this.reason = reason;
    this.executors = executors;
    this.tasksPerExecutor = tasksPerExecutor;
  }

  /** One executor's share, for the executors. */
  public TableBudget budget() {
    return budget;
  }

  /** Whether requests wait for the budget; false when throughput control is off. */
  public boolean controlled() {
    return budget.shareRuPerSecond() > 0;
  }

  public double totalRuPerSecond() {
    return totalRuPerSecond;
  }

  /** Where the total comes from, e.g. {@code 90% of 1,000 RU/s declared}. */
  public String reason() {
    return reason;
  }

  public int executors() {
    return executors;
  }

  /** Tasks one executor runs at once, each sharing the executor's budget. */
  public int tasksPerExecutor() {
    return tasksPerExecutor;
  }
}

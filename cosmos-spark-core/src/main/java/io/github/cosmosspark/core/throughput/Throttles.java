package io.github.cosmosspark.core.throughput;

import io.github.cosmosspark.core.retry.RateLimitListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The throttles of one JVM, one per table with a budget, and the executor count their shares
 * follow. The JVM's one instance is held by the session layer's runtime.
 */
public final class Throttles implements RateLimitListener {
  private static final double SLOWEST_START_RU_PER_SECOND = 50;
  private static final long FORGET_LEARNED_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final ConcurrentMap<String, TableThrottle> byTable = new ConcurrentHashMap<>();
  private final Set<String> turnedOff = ConcurrentHashMap.newKeySet();
  private final ConcurrentMap<String, TableBudget> budgets = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, ChargeMeter> meters = new ConcurrentHashMap<>();
  private final LiveExecutors executors = new LiveExecutors(this::reshare);

  /** The executors this JVM's shares are split among. */
  LiveExecutors executors() {
    return executors;
  }

  /**
   * Applies a budget the driver planned; a later plan for the same table replaces the share, and a
   * share of 0 (throughput control turned off) removes the throttle.
   */
  public void register(TableBudget budget) {
    if (budget.totalRuPerSecond() <= 0) {
      turnedOff.add(budget.table());
      byTable.remove(budget.table());
      budgets.remove(budget.table());
      return;
    }
    turnedOff.remove(budget.table());
    budgets.put(budget.table(), budget);
    TableThrottle existing = byTable.get(budget.table());
    if (existing != null && existing.isLearning()) {
      byTable.remove(budget.table(), existing);
    }
    double share = budget.shareAmong(executors.count(budget.plannedExecutors()));
    TableThrottle throttle =
        byTable.computeIfAbsent(budget.table(), table -> new TableThrottle(share));
    throttle.reshare(share);
    throttle.tasksPerExecutor(budget.tasksPerExecutor());
  }

  /** Gives every budget its share of {@code executors}, when their number changed. */
  void reshare(int executors) {
    for (TableBudget budget : budgets.values()) {
      TableThrottle throttle = byTable.get(budget.table());
      if (throttle != null && !throttle.isLearning()) {
        throttle.reshare(budget.shareAmong(executors));
      }
    }
  }

  /**
   * The table's throttle, or null when no job in this JVM gave it a budget. A learned rate unused
   * for a minute is forgotten: the next job may find the table idle, or resized, and learns anew.
   */
  public TableThrottle forTable(String table) {
    TableThrottle throttle = byTable.get(table);
    if (throttle != null && throttle.isLearning() && throttle.idleNanos() > FORGET_LEARNED_NANOS) {
      byTable.remove(table, throttle);
      meters.remove(table);
      return null;
    }
    return throttle;
  }

  /** Records what a request to a table without a throttle cost, for {@link #learnFrom429}. */
  public void recordCharge(String table, double requestUnits) {
    if (turnedOff.contains(table)) {
      return;
    }
    meters.computeIfAbsent(table, name -> new ChargeMeter()).record(requestUnits);
  }

  /**
   * Cosmos rate-limited a table nobody gave a budget: from now on, admit its requests at the rate
   * it was serving, and learn from there. Does nothing when throughput control is off for it.
   */
  public TableThrottle learnFrom429(String table) {
    if (turnedOff.contains(table)) {
      return null;
    }
    return byTable.computeIfAbsent(
        table,
        name -> {
          ChargeMeter meter = meters.get(name);
          double serving = meter == null ? 0 : meter.ruPerSecond();
          // Half of what drew the 429, as TCP halves its window: what the table served includes
          // its saved-up burst capacity.
          return new TableThrottle(
              Double.POSITIVE_INFINITY,
              Math.max(SLOWEST_START_RU_PER_SECOND, serving / 2),
              System::nanoTime);
        });
  }

  /**
   * A 429 for {@code table}: its throttle slows down, or a table nobody gave a budget starts
   * admitting its requests, this one's resends included, at a learned rate.
   */
  @Override
  public void onRateLimited(String table, long sentNanos) {
    TableThrottle throttle = forTable(table);
    if (throttle != null) {
      throttle.onRateLimited(sentNanos);
    } else {
      learnFrom429(table);
    }
  }
}

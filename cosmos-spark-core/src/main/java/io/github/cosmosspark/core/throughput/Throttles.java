package io.github.cosmosspark.core.throughput;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The throttles of this JVM, one per table with a budget. */
public final class Throttles {
  private static final ConcurrentMap<String, TableThrottle> BY_TABLE = new ConcurrentHashMap<>();
  private static final Set<String> TURNED_OFF = ConcurrentHashMap.newKeySet();
  private static final ConcurrentMap<String, TableBudget> BUDGETS = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, ChargeMeter> METERS = new ConcurrentHashMap<>();
  private static final double SLOWEST_START_RU_PER_SECOND = 50;
  private static final long FORGET_LEARNED_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

  private Throttles() {}

  /**
   * Applies a budget the driver planned; a later plan for the same table replaces the share, and a
   * share of 0 (throughput control turned off) removes the throttle.
   */
  public static void register(TableBudget budget) {
    if (budget.totalRuPerSecond() <= 0) {
      TURNED_OFF.add(budget.table());
      BY_TABLE.remove(budget.table());
      BUDGETS.remove(budget.table());
      return;
    }
    TURNED_OFF.remove(budget.table());
    BUDGETS.put(budget.table(), budget);
    TableThrottle existing = BY_TABLE.get(budget.table());
    if (existing != null && existing.isLearning()) {
      BY_TABLE.remove(budget.table(), existing);
    }
    double share = budget.shareAmong(LiveExecutors.count(budget.plannedExecutors()));
    BY_TABLE.computeIfAbsent(budget.table(), table -> new TableThrottle(share)).reshare(share);
  }

  /** Gives every budget its share of {@code executors}, when their number changed. */
  static void reshare(int executors) {
    for (TableBudget budget : BUDGETS.values()) {
      TableThrottle throttle = BY_TABLE.get(budget.table());
      if (throttle != null && !throttle.isLearning()) {
        throttle.reshare(budget.shareAmong(executors));
      }
    }
  }

  /**
   * The table's throttle, or null when no job in this JVM gave it a budget. A learned rate unused
   * for a minute is forgotten: the next job may find the table idle, or resized, and learns anew.
   */
  public static TableThrottle forTable(String table) {
    TableThrottle throttle = BY_TABLE.get(table);
    if (throttle != null && throttle.isLearning() && throttle.idleNanos() > FORGET_LEARNED_NANOS) {
      BY_TABLE.remove(table, throttle);
      METERS.remove(table);
      return null;
    }
    return throttle;
  }

  /** Removes the table's throttle and what was learned: its requests are sent at once again. */
  public static void unregister(String table) {
    BY_TABLE.remove(table);
    BUDGETS.remove(table);
    TURNED_OFF.remove(table);
    METERS.remove(table);
  }

  /** Records what a request to a table without a throttle cost, for {@link #learnFrom429}. */
  public static void recordCharge(String table, double requestUnits) {
    if (TURNED_OFF.contains(table)) {
      return;
    }
    METERS.computeIfAbsent(table, name -> new ChargeMeter()).record(requestUnits);
  }

  /**
   * Cosmos rate-limited a table nobody gave a budget: from now on, admit its requests at the rate
   * it was serving, and learn from there. Does nothing when throughput control is off for it.
   */
  public static TableThrottle learnFrom429(String table) {
    if (TURNED_OFF.contains(table)) {
      return null;
    }
    return BY_TABLE.computeIfAbsent(
        table,
        name -> {
          ChargeMeter meter = METERS.get(name);
          double serving = meter == null ? 0 : meter.ruPerSecond();
          // Half of what drew the 429, as TCP halves its window: what the table served includes
          // its saved-up burst capacity.
          return new TableThrottle(
              Double.POSITIVE_INFINITY,
              Math.max(SLOWEST_START_RU_PER_SECOND, serving / 2),
              System::nanoTime);
        });
  }
}

package io.github.cosmosspark.core.throughput;

import io.github.cosmosspark.core.retry.RateLimitListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The throttles of one JVM, one per table with a budget, and the executor count their shares
 * follow. The JVM's one instance is held by the session layer's runtime.
 */
public final class Throttles implements RateLimitListener {
  private static final double SLOWEST_START_RU_PER_SECOND = 50;
  private static final long FORGET_LEARNED_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final double RATE_LIMITED_START = 0.5;

  /**
   * Held answers come at the rate the server lets through, which is the budget: start just under it
   * rather than at half, as nothing was refused.
   */
  private static final double SLOW_ANSWER_START = 0.85;

  private final ConcurrentMap<String, TableThrottle> byTable = new ConcurrentHashMap<>();
  private final Set<String> turnedOff = ConcurrentHashMap.newKeySet();
  private final ConcurrentMap<String, TableBudget> budgets = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, ChargeMeter> meters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, AnswerTimes> answerTimes = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, LongAdder> slowAnswers = new ConcurrentHashMap<>();
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
    // Half of what drew the 429, as TCP halves its window: what the table served includes its
    // saved-up burst capacity.
    return learnFrom(table, RATE_LIMITED_START);
  }

  private TableThrottle learnFrom(String table, double partOfServed) {
    if (turnedOff.contains(table)) {
      return null;
    }
    return byTable.computeIfAbsent(
        table,
        name -> {
          ChargeMeter meter = meters.get(name);
          double serving = meter == null ? 0 : meter.ruPerSecond();
          return new TableThrottle(
              Double.POSITIVE_INFINITY,
              Math.max(SLOWEST_START_RU_PER_SECOND, serving * partOfServed),
              System::nanoTime);
        });
  }

  /**
   * An answer from {@code table} to a request sent at {@code sentNanos} came {@code latencyNanos}
   * later, charged {@code requestUnits}, or the server answered it with a read or write timeout,
   * {@code timedOut} (on an account with server-side retry, what Cosmos answers a request it held
   * for 60 s). When it timed out or was slow ({@link AnswerTimes}), the table's throttle slows
   * down, or a table nobody gave a budget starts admitting its requests at the rate it was served:
   * on an account with server-side retry no 429 ever comes, and a job that keeps sending at full
   * demand piles held requests up until they time out after 60 s.
   *
   * @return whether the answer was slow
   */
  public boolean onAnswer(
      String table, long sentNanos, long latencyNanos, double requestUnits, boolean timedOut) {
    if (turnedOff.contains(table)) {
      return false;
    }
    long now = System.nanoTime();
    boolean slow =
        timedOut
            || answerTimes
                .computeIfAbsent(table, name -> new AnswerTimes(now))
                .recordAndJudge(latencyNanos, requestUnits, now);
    if (!slow) {
      return false;
    }
    slowAnswers.computeIfAbsent(table, name -> new LongAdder()).increment();
    TableThrottle throttle = forTable(table);
    if (throttle != null) {
      throttle.onSlowAnswer(sentNanos);
    } else {
      learnFrom(table, SLOW_ANSWER_START);
    }
    return true;
  }

  /**
   * How many answers from {@code table} this JVM took as held by server-side retry: slow ones and
   * timeouts.
   */
  public long slowAnswers(String table) {
    LongAdder count = slowAnswers.get(table);
    return count == null ? 0 : count.sum();
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

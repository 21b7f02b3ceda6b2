package io.github.cosmosspark.core.throughput;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Admission for one table in one executor: each request reserves its estimated request units and is
 * told how long to wait first (a virtual schedule at the current rate, allowing 50 ms of burst);
 * the real charge corrects the schedule afterwards. The rate starts at the executor's share,
 * shrinks by 30 % on a 429 and by 15 % on an answer held by server-side retry (at most twice a
 * second, never below a tenth of where it started learning or a twentieth of the share) and grows
 * back by 5 % of the share each clean second, never above it: when another application uses part of
 * the table, this job yields.
 */
public final class TableThrottle {
  private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long DECREASE_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long INCREASE_SPACING_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final double SMOOTHING = 0.2;
  private static final double RATE_LIMITED_FACTOR = 0.7;
  private static final double SLOW_ANSWER_FACTOR = 0.85;

  private final LongSupplier clock;
  private double shareRuPerSecond;
  private int tasksPerExecutor = 1;
  private double floorRuPerSecond;
  private double rate;
  private long scheduleNanos;
  private long lastDecreaseNanos;
  private long lastIncreaseNanos;
  private long lastUseNanos;
  // First guesses, a write and a read of a row of 1 KB or less (Microsoft's published figures);
  // learned from real charges.
  private double writeCost = RowCosts.write(0);
  private double readCost = RowCosts.read(0);

  TableThrottle(double shareRuPerSecond) {
    this(shareRuPerSecond, shareRuPerSecond, System::nanoTime);
  }

  /**
   * A throttle that starts at {@code rate}; with an infinite share it has no ceiling and keeps
   * probing upwards while clean, which is how it finds a table's throughput nobody declared.
   */
  TableThrottle(double shareRuPerSecond, double rate, LongSupplier clock) {
    this.clock = clock;
    long now = clock.getAsLong();
    this.scheduleNanos = now;
    this.lastIncreaseNanos = now;
    this.lastUseNanos = now;
    this.lastDecreaseNanos = now - INCREASE_SPACING_NANOS;
    this.shareRuPerSecond = shareRuPerSecond;
    this.rate = Math.min(rate, shareRuPerSecond);
    this.floorRuPerSecond =
        Double.isInfinite(shareRuPerSecond) ? this.rate * 0.1 : shareRuPerSecond * 0.05;
    if (Double.isInfinite(shareRuPerSecond)) {
      // Learning starts at a 429: answers to what was sent before are already accounted for.
      lastDecreaseNanos = now;
    }
  }

  /** Whether this throttle learned its rate from 429s instead of being given a share. */
  public synchronized boolean isLearning() {
    return Double.isInfinite(shareRuPerSecond);
  }

  synchronized void reshare(double newShare) {
    shareRuPerSecond = newShare;
    floorRuPerSecond = newShare * 0.05;
    rate = Math.min(rate, newShare);
  }

  /** The cost to reserve for the next request of this kind. */
  public synchronized double estimate(boolean write) {
    return write ? writeCost : readCost;
  }

  /** Reserves {@code cost} RU; returns how many nanoseconds to wait before sending. */
  public synchronized long reserve(double cost) {
    long now = clock.getAsLong();
    lastUseNanos = now;
    recover(now);
    if (scheduleNanos - now < 0) {
      scheduleNanos = now;
    }
    long sendAt = Math.max(now, scheduleNanos - BURST_NANOS);
    scheduleNanos += nanosFor(cost);
    return sendAt - now;
  }

  /** Corrects the schedule with what the request really cost (0 when it was not executed). */
  public synchronized void settle(boolean write, double estimated, double actual) {
    scheduleNanos += nanosFor(actual - estimated);
    if (actual > 0) {
      if (write) {
        writeCost += SMOOTHING * (actual - writeCost);
      } else {
        readCost += SMOOTHING * (actual - readCost);
      }
    }
  }

  /**
   * Cosmos refused a request first sent at {@code sentNanos}: another client uses part of the
   * table, or the rate is too high. Only requests sent after the last decrease count, so that a
   * backlog of answers to requests sent at the old rate does not shrink it again and again.
   */
  public synchronized void onRateLimited(long sentNanos) {
    decrease(sentNanos, RATE_LIMITED_FACTOR);
  }

  /**
   * An answer to a request first sent at {@code sentNanos} came late (see {@link AnswerTimes}): on
   * an account with server-side retry, Cosmos held it over budget. The rate shrinks by less than
   * for a 429: a held request still runs, so sending a little over the budget costs only waiting,
   * while sending under it leaves throughput unused.
   */
  public synchronized void onSlowAnswer(long sentNanos) {
    decrease(sentNanos, SLOW_ANSWER_FACTOR);
  }

  private void decrease(long sentNanos, double factor) {
    long now = clock.getAsLong();
    if (sentNanos - lastDecreaseNanos > 0 && now - lastDecreaseNanos >= DECREASE_SPACING_NANOS) {
      rate = Math.max(floorRuPerSecond, rate * factor);
      lastDecreaseNanos = now;
      lastIncreaseNanos = now;
    }
  }

  /** Nanoseconds since a request last reserved units here. */
  synchronized long idleNanos() {
    return clock.getAsLong() - lastUseNanos;
  }

  /** The rate admission runs at now, in RU/s. */
  public synchronized double currentRuPerSecond() {
    return rate;
  }

  /** Says how many tasks share the executor's part; pages are sized from a task's part. */
  synchronized void tasksPerExecutor(int tasks) {
    tasksPerExecutor = Math.max(1, tasks);
  }

  /** One task's part of the executor's share, in RU/s. */
  public synchronized double taskShareRuPerSecond() {
    return shareRuPerSecond / tasksPerExecutor;
  }

  /** The executor's share of the job's budget, in RU/s. */
  public synchronized double shareRuPerSecond() {
    return shareRuPerSecond;
  }

  private void recover(long now) {
    if (rate < shareRuPerSecond
        && now - lastDecreaseNanos >= INCREASE_SPACING_NANOS
        && now - lastIncreaseNanos >= INCREASE_SPACING_NANOS) {
      double step = Double.isInfinite(shareRuPerSecond) ? rate * 0.05 : shareRuPerSecond * 0.05;
      rate = Math.min(shareRuPerSecond, rate + step);
      lastIncreaseNanos = now;
    }
  }

  private long nanosFor(double requestUnits) {
    return (long) (requestUnits / rate * 1e9);
  }
}

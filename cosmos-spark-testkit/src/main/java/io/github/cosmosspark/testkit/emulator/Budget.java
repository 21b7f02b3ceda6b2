package io.github.cosmosspark.testkit.emulator;

import java.util.HashMap;
import java.util.Map;

/**
 * One physical partition's request-unit budget and counters. A token bucket refilled at the
 * partition's RU/s and holding at most one second of it: a request is admitted while the bucket is
 * not in debt, reserving what it is known to cost (a write's whole charge, a read's minimum), and
 * settled at its real charge once it has run. A request arriving in debt is refused with the time
 * the debt takes to repay.
 *
 * <p>With burst capacity (an account option), a partition of less than 3,000 RU/s also saves the
 * throughput it leaves unused, up to 300 seconds of it, and spends the savings when its bucket is
 * empty, at no more than 3,000 RU/s in all
 * (https://learn.microsoft.com/azure/cosmos-db/burst-capacity).
 */
final class Budget {

  /** Burst capacity: seconds of unused throughput a partition may save. */
  static final double BURST_SAVED_SECONDS = 300;

  /** Burst capacity: the rate savings may be spent at, and the partitions it applies to. */
  static final double BURST_RATE_RU_PER_SECOND = 3000;

  private final String scope;
  private final boolean burstCapacity;
  private double ruPerSecond;
  private double tokens;
  private double saved;
  private double burstAllowance;
  private long lastRefillNanos;
  private double charged;
  private long requests;
  private long rateLimited;
  private long servedFromBurst;
  private final Map<Long, Double> perSecond = new HashMap<>();

  Budget(String scope, double ruPerSecond, boolean burstCapacity, long nowNanos) {
    this.scope = scope;
    this.ruPerSecond = ruPerSecond;
    this.burstCapacity = burstCapacity;
    this.tokens = ruPerSecond;
    this.lastRefillNanos = nowNanos;
  }

  /**
   * 0 when the request may run, having taken {@code reserve} request units from the budget at once
   * (so that requests sent together cannot all pass before any is charged); else how many
   * milliseconds until it may. A refusal is counted.
   */
  synchronized long admit(long nowNanos, double reserve) {
    long wait = waitMillis(nowNanos);
    if (wait > 0) {
      rateLimited++;
      return wait;
    }
    take(reserve);
    return 0;
  }

  /** 0 when a request may run now, else the milliseconds until it may; changes nothing. */
  synchronized long waitMillis(long nowNanos) {
    refill(nowNanos);
    if (tokens > 0 || burstAvailable()) {
      return 0;
    }
    return Math.max(1, (long) Math.ceil(-tokens / ruPerSecond * 1000.0));
  }

  /** Counts a request refused because another partition it needed was in debt. */
  synchronized void countRefusal() {
    rateLimited++;
  }

  /** Takes {@code reserve} from the bucket, or from savings when the bucket is empty. */
  synchronized void take(double reserve) {
    if (tokens <= 0 && burstAvailable()) {
      saved -= reserve;
      burstAllowance -= reserve;
      servedFromBurst++;
    } else {
      tokens -= reserve;
    }
  }

  /** Settles an admitted request at its real charge; {@code reserved} was taken at admission. */
  synchronized void charge(double ru, double reserved, long nowNanos, long epochSecond) {
    refill(nowNanos);
    tokens -= ru - reserved;
    charged += ru;
    requests++;
    perSecond.merge(epochSecond, ru, Double::sum);
  }

  synchronized void provision(double newRuPerSecond, long nowNanos) {
    refill(nowNanos);
    ruPerSecond = newRuPerSecond;
    tokens = Math.min(tokens, ruPerSecond);
    saved = Math.min(saved, savedCapacity());
  }

  synchronized double ruPerSecond() {
    return ruPerSecond;
  }

  /** Whether burst capacity applies: on for the account, and under 3,000 RU/s here. */
  synchronized boolean burstApplies() {
    return burstCapacity && ruPerSecond < BURST_RATE_RU_PER_SECOND;
  }

  synchronized PartitionStatistics statistics(int index) {
    return new PartitionStatistics(
        index, ruPerSecond, charged, requests, rateLimited, servedFromBurst, perSecond);
  }

  synchronized void reset() {
    charged = 0;
    requests = 0;
    rateLimited = 0;
    servedFromBurst = 0;
    perSecond.clear();
  }

  @Override
  public synchronized String toString() {
    return scope + ": " + ruPerSecond + " RU/s";
  }

  private boolean burstAvailable() {
    return burstApplies() && saved > 0 && burstAllowance > 0;
  }

  private double savedCapacity() {
    return burstApplies() ? ruPerSecond * BURST_SAVED_SECONDS : 0;
  }

  private void refill(long nowNanos) {
    double elapsedSeconds = Math.max(0, (nowNanos - lastRefillNanos) / 1e9);
    lastRefillNanos = nowNanos;
    double refilled = tokens + elapsedSeconds * ruPerSecond;
    tokens = Math.min(ruPerSecond, refilled);
    if (burstApplies()) {
      // Only what a full bucket could not hold was left unused.
      saved = Math.min(savedCapacity(), saved + Math.max(0, refilled - ruPerSecond));
      double extraRate = BURST_RATE_RU_PER_SECOND - ruPerSecond;
      burstAllowance = Math.min(extraRate, burstAllowance + elapsedSeconds * extraRate);
    }
  }
}

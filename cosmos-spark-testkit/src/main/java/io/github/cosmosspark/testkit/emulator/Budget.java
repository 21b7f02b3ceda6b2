package io.github.cosmosspark.testkit.emulator;

import java.util.HashMap;
import java.util.Map;

/**
 * One scope's request-unit budget and counters. A token bucket refilled at the provisioned RU/s and
 * holding at most one second of it (more with burst capacity): a request is admitted while the
 * bucket is not in debt, reserving what it is known to cost (a write's whole charge, a read's
 * minimum), and settled at its real charge once it has run. A request arriving in debt is refused
 * with the time the debt takes to repay.
 */
final class Budget {

  private final String scope;
  private double ruPerSecond;
  private double burstSeconds;
  private double tokens;
  private long lastRefillNanos;
  private double charged;
  private long requests;
  private long rateLimited;
  private final Map<Long, Double> perSecond = new HashMap<>();

  Budget(String scope, double ruPerSecond, double burstSeconds, long nowNanos) {
    this.scope = scope;
    this.ruPerSecond = ruPerSecond;
    this.burstSeconds = burstSeconds;
    this.tokens = ruPerSecond * burstSeconds;
    this.lastRefillNanos = nowNanos;
  }

  /**
   * 0 when the request may run, having taken {@code reserve} request units from the budget at once
   * (so that requests sent together cannot all pass before any is charged); else how many
   * milliseconds until it may.
   */
  synchronized long admit(long nowNanos, double reserve) {
    refill(nowNanos);
    if (tokens > 0) {
      tokens -= reserve;
      return 0;
    }
    rateLimited++;
    return Math.max(1, (long) Math.ceil(-tokens / ruPerSecond * 1000.0));
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
    tokens = Math.min(tokens, capacity());
  }

  synchronized double ruPerSecond() {
    return ruPerSecond;
  }

  synchronized TableStatistics statistics() {
    return new TableStatistics(scope, charged, requests, rateLimited, perSecond);
  }

  synchronized void reset() {
    charged = 0;
    requests = 0;
    rateLimited = 0;
    perSecond.clear();
  }

  private double capacity() {
    return ruPerSecond * burstSeconds;
  }

  private void refill(long nowNanos) {
    double elapsedSeconds = (nowNanos - lastRefillNanos) / 1e9;
    lastRefillNanos = nowNanos;
    tokens = Math.min(capacity(), tokens + elapsedSeconds * ruPerSecond);
  }
}

package io.github.cosmosspark.core.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Cosmos requests one Spark task attempt sent to one table: their charge, how many were
 * rate-limited and resent, and how long they waited. A request is attributed to the task whose
 * thread sent it first; its later pages and resends, sent from timer and I/O threads, carry the
 * same counters along.
 */
public final class RequestMetrics {
  private final LongAdder centiRequestUnits = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder rateLimitedUnderBudget = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder budgetWaitNanos = new LongAdder();
  private final LongAdder backoffMillis = new LongAdder();

  RequestMetrics() {}

  /** A response arrived, with the charge Cosmos reported (0 when it reported none). */
  public void recordResponse(double requestUnits) {
    requests.increment();
    centiRequestUnits.add(Math.round(requestUnits * 100));
  }

  /**
   * A 429; {@code underBudget} when the table was throttled while well under the job's budget, the
   * mark of a hot physical partition.
   */
  public void recordRateLimited(boolean underBudget) {
    rateLimited.increment();
    if (underBudget) {
      rateLimitedUnderBudget.increment();
    }
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

  /** 429s received while the table was well under the job's budget: a hot physical partition. */
  public long rateLimitedUnderBudget() {
    return rateLimitedUnderBudget.sum();
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

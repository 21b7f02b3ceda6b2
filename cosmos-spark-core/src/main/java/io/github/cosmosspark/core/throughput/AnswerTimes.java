package io.github.cosmosspark.core.throughput;

import java.util.concurrent.TimeUnit;

/**
 * How long one table's answers take, to hear a budget that never answers 429: an account with
 * server-side retry holds a request over its partition's throughput and answers it late, or after
 * 60 s with a timeout, so slow answers are the only sign that the job sends too much.
 *
 * <p>An answer is slow when it took at least {@link #SLOW_NANOS} and at least {@link #SLOW_FACTOR}
 * times what the fastest answer of the last minutes took per request unit. The absolute part keeps
 * network jitter, a garbage-collection pause or a large page from counting; the relative part keeps
 * a distant client's normal answers from counting. A second is a sixtieth of the time Cosmos holds
 * a request before it gives up, so the job slows down long before anything times out.
 */
final class AnswerTimes {
  static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  static final double SLOW_FACTOR = 20;

  /** The fastest answer is remembered for one to two windows: a table can move or slow down. */
  private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(5);

  private long windowStartNanos;
  private double fastestNanosPerUnit = Double.POSITIVE_INFINITY;
  private double previousFastestNanosPerUnit = Double.POSITIVE_INFINITY;

  AnswerTimes(long nowNanos) {
    this.windowStartNanos = nowNanos;
  }

  /**
   * Records an answer that took {@code latencyNanos} and was charged {@code requestUnits} (0 when
   * not known), and says whether it was slow.
   */
  synchronized boolean recordAndJudge(long latencyNanos, double requestUnits, long nowNanos) {
    roll(nowNanos);
    // Small requests cost about 1 RU whatever their size: time per unit below 1 RU says nothing.
    double units = Math.max(1, requestUnits);
    double fastest = Math.min(fastestNanosPerUnit, previousFastestNanosPerUnit);
    boolean slow =
        latencyNanos >= SLOW_NANOS
            && (Double.isInfinite(fastest) || latencyNanos >= SLOW_FACTOR * fastest * units);
    fastestNanosPerUnit = Math.min(fastestNanosPerUnit, latencyNanos / units);
    return slow;
  }

  private void roll(long nowNanos) {
    long elapsed = nowNanos - windowStartNanos;
    if (elapsed >= 2 * WINDOW_NANOS) {
      previousFastestNanosPerUnit = Double.POSITIVE_INFINITY;
      fastestNanosPerUnit = Double.POSITIVE_INFINITY;
      windowStartNanos = nowNanos;
    } else if (elapsed >= WINDOW_NANOS) {
      previousFastestNanosPerUnit = fastestNanosPerUnit;
      fastestNanosPerUnit = Double.POSITIVE_INFINITY;
      windowStartNanos += WINDOW_NANOS;
    }
  }
}

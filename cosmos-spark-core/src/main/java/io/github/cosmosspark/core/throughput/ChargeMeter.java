package io.github.cosmosspark.core.throughput;

import java.util.concurrent.TimeUnit;

/** Request units a table served in this JVM over the last second or so. */
final class ChargeMeter {
  private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

  private long windowStartNanos = System.nanoTime();
  private double current;
  private double previous;

  synchronized void record(double requestUnits) {
    roll(System.nanoTime());
    current += requestUnits;
  }

  /** RU per second: the last whole second, or the current one when it holds more. */
  synchronized double ruPerSecond() {
    long now = System.nanoTime();
    roll(now);
    double elapsedSeconds = Math.max(0.1, (now - windowStartNanos) / 1e9);
    return Math.max(previous, current / elapsedSeconds);
  }

  private void roll(long now) {
    long elapsed = now - windowStartNanos;
    if (elapsed >= 2 * SECOND_NANOS) {
      previous = 0;
      current = 0;
      windowStartNanos = now;
    } else if (elapsed >= SECOND_NANOS) {
      previous = current;
      current = 0;
      windowStartNanos += SECOND_NANOS;
    }
  }
}

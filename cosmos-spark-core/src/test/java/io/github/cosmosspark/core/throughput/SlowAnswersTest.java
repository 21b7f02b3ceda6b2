package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slow answers and timeouts do for a table what a 429 does: on an account with server-side retry
 * they are the only sign of a budget exceeded.
 */
class SlowAnswersTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void aTableNobodyGaveABudgetStartsLearningAtItsFirstSlowAnswer() {
    Throttles throttles = new Throttles();
    long sent = System.nanoTime();
    throttles.recordCharge("ks.t", 400);
    throttles.recordCharge("ks.other", 400);
    assertFalse(throttles.onAnswer("ks.t", sent, 3 * MS, 5, false));
    assertNull(throttles.forTable("ks.t"), "fast answers: no throttle");

    assertTrue(throttles.onAnswer("ks.t", sent, 400 * MS, 5, false));
    TableThrottle learned = throttles.forTable("ks.t");
    assertNotNull(learned);
    assertTrue(learned.isLearning());
    // Started just under what the table served, where a 429 starts at half of it: the same 400 RU
    // served, measured within the same tenth of a second (the meter's shortest window).
    double after429 = throttles.learnFrom429("ks.other").currentRuPerSecond();
    assertEquals(0.85 / 0.5, learned.currentRuPerSecond() / after429, 1e-6);
    assertEquals(1, throttles.slowAnswers("ks.t"));
  }

  @Test
  void aTimeoutCountsHoweverQuicklyItCame() {
    Throttles throttles = new Throttles();
    assertTrue(throttles.onAnswer("ks.t", System.nanoTime(), 100 * MS, 0, true));
    assertNotNull(throttles.forTable("ks.t"));
    assertEquals(1, throttles.slowAnswers("ks.t"));
  }

  @Test
  void aTableWithThroughputControlTurnedOffIsLeftAlone() {
    Throttles throttles = new Throttles();
    throttles.register(new TableBudget("ks.t", 0, 1));
    assertFalse(throttles.onAnswer("ks.t", System.nanoTime(), 10_000 * MS, 0, true));
    assertNull(throttles.forTable("ks.t"));
    assertEquals(0, throttles.slowAnswers("ks.t"));
  }
}

package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TableThrottleTest {

  @Test
  void requestsAreScheduledAtTheRateAfterA50MillisecondBurst() {
    TableThrottle throttle = new TableThrottle(100);
    long[] waits = new long[10];
    for (int i = 0; i < waits.length; i++) {
      waits[i] = TimeUnit.NANOSECONDS.toMillis(throttle.reserve(10));
    }
    // 10 RU at 100 RU/s is 100 ms each; the first 50 ms of schedule go at once.
    assertEquals(0, waits[0]);
    assertTrue(waits[1] >= 30 && waits[1] <= 50, "second: " + waits[1]);
    assertTrue(waits[9] >= 830 && waits[9] <= 850, "tenth: " + waits[9]);
  }

  @Test
  void aRequestThatWasNotExecutedGivesItsReservationBack() {
    TableThrottle throttle = new TableThrottle(100);
    throttle.reserve(10);
    throttle.reserve(10);
    throttle.settle(true, 10, 0);
    throttle.settle(true, 10, 0);

    assertEquals(0, TimeUnit.NANOSECONDS.toMillis(throttle.reserve(10)));
  }

  @Test
  void theRealChargeCorrectsTheScheduleAndTheNextEstimate() {
    TableThrottle throttle = new TableThrottle(100);
    for (int i = 0; i < 30; i++) {
      throttle.settle(true, throttle.estimate(true), 11.42);
    }
    assertEquals(11.42, throttle.estimate(true), 0.01);
    assertEquals(2, throttle.estimate(false), 0.001, "reads learn separately");
  }

  @Test
  void a429ShrinksTheRateAtMostOncePerHalfSecond() {
    TableThrottle throttle = new TableThrottle(1000);
    throttle.onRateLimited(System.nanoTime());
    throttle.onRateLimited(System.nanoTime());
    assertEquals(700, throttle.currentRuPerSecond(), 0.001);
    assertEquals(1000, throttle.shareRuPerSecond(), 0.001);
  }

  @Test
  void aLate429ForARequestSentBeforeTheLastDecreaseDoesNotShrinkTheRateAgain()
      throws InterruptedException {
    TableThrottle throttle = new TableThrottle(1000);
    long sentBefore = System.nanoTime();
    throttle.onRateLimited(System.nanoTime());
    Thread.sleep(510);

    throttle.onRateLimited(sentBefore);
    assertEquals(700, throttle.currentRuPerSecond(), 0.001);
    throttle.onRateLimited(System.nanoTime());
    assertEquals(490, throttle.currentRuPerSecond(), 0.001);
  }

  @Test
  void aSmallerShareFromANewPlanLowersTheRateAtOnce() {
    TableThrottle throttle = new TableThrottle(1000);
    throttle.reshare(250);
    assertEquals(250, throttle.currentRuPerSecond(), 0.001);
  }
}

package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The throttle on a clock the test moves, so every wait is exact and nothing sleeps. */
class TableThrottleTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void requestsAreScheduledAtTheRateAfterA50MillisecondBurst() {
    TableThrottle throttle = shared(100);
    long[] waits = new long[10];
    for (int i = 0; i < waits.length; i++) {
      waits[i] = millis(throttle.reserve(10));
    }
    // 10 RU at 100 RU/s is 100 ms each; the first 50 ms of schedule go at once.
    assertEquals(0, waits[0]);
    assertEquals(50, waits[1]);
    assertEquals(850, waits[9]);
  }

  @Test
  void aRequestThatWasNotExecutedGivesItsReservationBack() {
    TableThrottle throttle = shared(100);
    throttle.reserve(10);
    throttle.reserve(10);
    throttle.settle(true, 10, 0);
    throttle.settle(true, 10, 0);

    assertEquals(0, millis(throttle.reserve(10)));
  }

  @Test
  void theFirstGuessesAreMicrosoftsFiguresForAWriteAndAReadOfA1KbRow() {
    TableThrottle throttle = shared(100);
    assertEquals(4.95, throttle.estimate(true), 1e-9);
    assertEquals(1.00, throttle.estimate(false), 1e-9);
  }

  @Test
  void theRealChargeCorrectsTheScheduleAndTheNextEstimate() {
    TableThrottle throttle = shared(100);
    throttle.reserve(6);
    throttle.settle(true, 6, 16);
    // 16 RU booked at 100 RU/s: 160 ms of schedule, of which 50 ms may go at once.
    assertEquals(110, millis(throttle.reserve(1)));
    for (int i = 0; i < 30; i++) {
      throttle.settle(true, throttle.estimate(true), 11.42);
    }
    assertEquals(11.42, throttle.estimate(true), 0.01);
    assertEquals(1.00, throttle.estimate(false), 0.001, "reads learn separately");
  }

  @Test
  void a429ShrinksTheRateAtMostOncePerHalfSecondAndOnlyForRequestsSentSinceTheLastDrop() {
    TableThrottle throttle = shared(1000);
    long sentEarlier = now.get();
    advance(10);
    throttle.onRateLimited(now.get());
    throttle.onRateLimited(now.get());
    assertEquals(700, throttle.currentRuPerSecond(), 0.001);

    advance(510);
    throttle.onRateLimited(sentEarlier);
    assertEquals(700, throttle.currentRuPerSecond(), 0.001, "a late answer to an old request");
    throttle.onRateLimited(now.get());
    assertEquals(490, throttle.currentRuPerSecond(), 0.001);
    assertEquals(1000, throttle.shareRuPerSecond(), 0.001);
  }

  @Test
  void eachCleanSecondGivesBackFivePercentOfTheShareNeverMore() {
    TableThrottle throttle = shared(1000);
    throttle.onRateLimited(now.get());
    for (int second = 0; second < 10; second++) {
      advance(1000);
      throttle.reserve(1);
    }
    assertEquals(1000, throttle.currentRuPerSecond(), 0.001);
  }

  @Test
  void aLearningThrottleProbesUpwardsWithoutACeilingAndKeepsAFloor() {
    TableThrottle throttle = new TableThrottle(Double.POSITIVE_INFINITY, 100, now::get);
    advance(1000);
    throttle.reserve(1);
    assertEquals(105, throttle.currentRuPerSecond(), 0.001);
    for (int drop = 0; drop < 20; drop++) {
      advance(600);
      throttle.onRateLimited(now.get());
    }
    assertEquals(10, throttle.currentRuPerSecond(), 0.001, "a tenth of where learning started");
  }

  @Test
  void aSmallerShareFromANewPlanLowersTheRateAtOnce() {
    TableThrottle throttle = shared(1000);
    throttle.reshare(250);
    assertEquals(250, throttle.currentRuPerSecond(), 0.001);
  }

  @Test
  void aSlowAnswerShrinksTheRateByLessThanA429AndOnlyForRequestsSentSinceTheLastDrop() {
    TableThrottle throttle = shared(1000);
    long sentBefore = now.get();
    advance(600);
    throttle.onSlowAnswer(now.get());
    assertEquals(850, throttle.currentRuPerSecond(), 1e-9);
    advance(600);
    throttle.onSlowAnswer(sentBefore);
    assertEquals(850, throttle.currentRuPerSecond(), 1e-9, "sent before the drop: no second drop");
    throttle.onSlowAnswer(now.get());
    assertEquals(722.5, throttle.currentRuPerSecond(), 1e-9);
  }

  private TableThrottle shared(double share) {
    return new TableThrottle(share, share, now::get);
  }

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}

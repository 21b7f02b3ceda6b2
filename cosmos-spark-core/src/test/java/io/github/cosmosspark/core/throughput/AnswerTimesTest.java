package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which answers count as held by server-side retry; on a clock the test sets. */
class AnswerTimesTest {
  private static final long START = 1_000_000_000L;

  @Test
  void anAnswerUnderAQuarterOfASecondIsNeverSlowWhateverTheFastestWas() {
    AnswerTimes times = new AnswerTimes(START);
    times.recordAndJudge(ms(1), 5, START);
    assertFalse(times.recordAndJudge(ms(249), 5, START), "249 ms after a 1 ms answer");
  }

  @Test
  void anAnswerOverAQuarterOfASecondAndTwentyTimesTheFastestPerUnitIsSlow() {
    AnswerTimes times = new AnswerTimes(START);
    times.recordAndJudge(ms(2), 5, START);
    // The fastest took 0.4 ms per RU: 20 times that for 5 RU is 40 ms, under the 250 ms floor.
    assertTrue(times.recordAndJudge(ms(300), 5, START));
  }

  @Test
  void aLargePageThatTookLongForItsChargeIsNotSlow() {
    AnswerTimes times = new AnswerTimes(START);
    times.recordAndJudge(ms(20), 100, START); // 0.2 ms per RU
    assertFalse(times.recordAndJudge(ms(500), 400, START), "500 ms for 400 RU is 1.25 ms per RU");
    assertTrue(times.recordAndJudge(ms(2_000), 400, START), "2 s for 400 RU is 25 times slower");
  }

  @Test
  void withNothingFastSeenYetOnlyTheQuarterSecondCounts() {
    AnswerTimes times = new AnswerTimes(START);
    assertTrue(times.recordAndJudge(ms(260), 5, START));
    assertFalse(new AnswerTimes(START).recordAndJudge(ms(240), 5, START));
  }

  @Test
  void aTimeoutWithoutChargeIsJudgedAsOneRequestUnit() {
    AnswerTimes times = new AnswerTimes(START);
    times.recordAndJudge(ms(3), 5, START);
    assertTrue(times.recordAndJudge(ms(60_000), 0, START));
  }

  @Test
  void theFastestAnswerIsForgottenAfterTwoWindowsOfFiveMinutes() {
    AnswerTimes times = new AnswerTimes(START);
    times.recordAndJudge(ms(1), 1, START);
    assertTrue(times.recordAndJudge(ms(300), 1, START + ms(60_000)));
    // Ten minutes of answers that all take 300 ms: a client far away, not a held request.
    long later = START + TimeUnit.MINUTES.toNanos(5);
    times.recordAndJudge(ms(300), 1, later);
    long muchLater = START + TimeUnit.MINUTES.toNanos(10);
    assertFalse(times.recordAndJudge(ms(300), 1, muchLater));
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}

package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Telling a hot physical partition from a busy table, on a clock the test controls. */
class HotPartitionsTest {
  private static final long SECOND = 1_000_000_000L;
  private static final String TABLE = "ks.t";

  @Test
  void throttledWhileWellUnderTheShareIsAHotPartitionWithItsKeysNamed() {
    HotPartitions hot = new HotPartitions();
    for (int second = 0; second < 4; second++) {
      long start = second * SECOND;
      // 1,000 RU a second of a 3,600 RU/s share: 28 %.
      hot.recordCharge(TABLE, 1_000, start);
      long at = start + SECOND / 2;
      if (second > 0) {
        assertTrue(hot.onRateLimited(TABLE, "id=7", 3_600, at));
        assertTrue(hot.onRateLimited(TABLE, "id=7", 3_600, at));
        assertTrue(hot.onRateLimited(TABLE, "id=9", 3_600, at));
      }
    }
    assertNull(hot.finding(TABLE), "the third second is not over yet");
    hot.recordCharge(TABLE, 1_000, 4 * SECOND);
    assertEquals(
        "ks.t was rate-limited in 3 seconds while this JVM used on average 1000 RU/s of its 3600"
            + " RU/s share (9 of its 9 429s under 60 % of the share): one physical partition is over"
            + " its part of the table's throughput (Cosmos splits a table's RU/s evenly over its"
            + " physical partitions), or another client uses the table. Most throttled keys (429s):"
            + " id=7 (6), id=9 (3). See docs/troubleshooting.md, \"Rate-limited while the table is"
            + " half used\".",
        hot.finding(TABLE));
  }

  @Test
  void throttledAtTheBudgetIsNotAHotPartition() {
    HotPartitions hot = new HotPartitions();
    for (int second = 0; second < 10; second++) {
      hot.recordCharge(TABLE, 3_500, second * SECOND);
      if (second > 0) {
        assertFalse(hot.onRateLimited(TABLE, "id=1", 3_600, second * SECOND + 1));
      }
    }
    assertNull(hot.finding(TABLE));
  }

  @Test
  void withoutABudgetNothingIsUnderIt() {
    HotPartitions hot = new HotPartitions();
    for (int second = 0; second < 10; second++) {
      assertFalse(hot.onRateLimited(TABLE, null, Double.POSITIVE_INFINITY, second * SECOND + 1));
    }
    assertNull(hot.finding(TABLE));
  }

  @Test
  void aHotKeyAmongManyColdOnesIsCountedInFixedMemory() {
    HotPartitions hot = new HotPartitions();
    for (int second = 0; second < 5; second++) {
      hot.recordCharge(TABLE, 100, second * SECOND);
      for (int cold = 0; cold < 200; cold++) {
        hot.onRateLimited(TABLE, "id=" + (1_000 + second * 200 + cold), 3_600, second * SECOND + 5);
        if (cold % 4 == 0) {
          hot.onRateLimited(TABLE, "id=42", 3_600, second * SECOND + 5);
        }
      }
    }
    hot.recordCharge(TABLE, 100, 5 * SECOND);
    String finding = hot.finding(TABLE);
    // 250 429s for id=42; Space-Saving may overcount a key by what it inherited, never undercount.
    assertTrue(finding.contains("Most throttled keys (429s): id=42 ("), finding);
  }
}

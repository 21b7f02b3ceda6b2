package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The split rule, case by case. Rows of 1 KB cost 1 RU each in a page, which keeps the arithmetic
 * in the comments plain: {@code W = taskSeconds × budget / slots} RU per task.
 */
class ScanSplitsTest {
  private static final long KB = 1024;

  private static RowEstimate rows(long rows) {
    return RowEstimate.builder().segment(RowEstimate.RING, rows, RowEstimate.RING, true).build();
  }

  private static int splits(long rows, double budget, int slots, int taskSeconds) {
    return ScanSplits.choose(rows(rows), KB, budget, slots, taskSeconds).splits();
  }

  @Test
  void theSplitCountFollowsTheTableTheBudgetAndTheSlots() {
    // rows, budget RU/s, slots, task seconds -> splits
    long[][] cases = {
      // 100 rows: one task, however many slots
      {100, 1_000, 8, 60, 1},
      // 100,000 rows at 10,000 RU/s: W = 75,000, so 2 for length; 8 slots to fill (10 x 10,000)
      {100_000, 10_000, 8, 60, 8},
      // 25,000 rows: only 3 slots are worth filling
      {25_000, 10_000, 8, 60, 3},
      // 100 million rows at 10,000 RU/s: 1,334 tasks of a minute, rounded to 167 waves of 8
      {100_000_000, 10_000, 8, 60, 1_336},
      // at 1,000 RU/s it would be 13,336: capped at 10,000
      {100_000_000, 1_000, 8, 60, 10_000},
      // 50,000 rows at 400 RU/s over 64 slots: W = 375, 134 -> 192 in waves, but no split
      // under 1,000 rows: 50
      {50_000, 400, 64, 60, 50},
      // no budget: W = 60 x 1,000 = 60,000 per task: 167 -> 21 waves of 8
      {10_000_000, 0, 8, 60, 168},
      // tasks of a second: W = 5,000, so 20 (10 waves of 2)
      {100_000, 10_000, 2, 1, 20},
      // tasks of 10 minutes: the slots still fill
      {1_000_000, 10_000, 4, 600, 4},
    };
    for (long[] c : cases) {
      assertEquals(
          c[4],
          splits(c[0], c[1], (int) c[2], (int) c[3]),
          String.format(
              "%,d rows at %,d RU/s over %d slots, tasks of %ds", c[0], c[1], c[2], c[3]));
    }
  }

  @Test
  void anEmptyTableIsOneSplit() {
    ScanSplits chosen = ScanSplits.choose(rows(0), KB, 10_000, 8, 60);
    assertEquals(1, chosen.splits());
    assertEquals("the table is empty", chosen.reason());
  }

  @Test
  void aTableWhoseRowsCouldNotBeEstimatedGetsTwoWavesOfTheSlots() {
    ScanSplits chosen = ScanSplits.choose(null, KB, 10_000, 8, 60);
    assertEquals(16, chosen.splits());
    assertNull(chosen.estimate());
    assertTrue(chosen.describe("ks.t").contains("could not be estimated"), chosen.describe("ks.t"));
  }

  @Test
  void smallRowsCostTheirShareOfAKilobyte() {
    // 40-byte rows: 0.0390625 RU each, 100,000 rows 3,906 RU; W = 1 x 2,000 / 2 = 1,000: 4
    assertEquals(4, ScanSplits.choose(rows(100_000), 40, 2_000, 2, 1).splits());
  }

  @Test
  void aUsersSplitSizeIsAppliedAsTheConnectorDoesToTheEstimatedBytes() {
    // 1,000,000 rows of 1 KB: 976 MB; in 64 MB splits 15 (the connector rounds down)
    assertEquals(15, ScanSplits.forSplitSize(rows(1_000_000), KB, 64, 2).splits());
    // the connector never makes fewer than 1 + 2 x slots
    assertEquals(5, ScanSplits.forSplitSize(rows(1_000_000), KB, 512, 2).splits());
    assertTrue(
        ScanSplits.forSplitSize(rows(1_000_000), KB, 64, 2).reason().startsWith("your "),
        "the log names the user's setting");
  }

  @Test
  void aFullPageExtrapolatesItsDensityOverItsSegment() {
    // 500 tokens over a quarter of a 1,000-token segment: 499 / 250 x 1,000
    RowEstimate estimate =
        RowEstimate.builder().segment(1_000, 500, 250, false).segment(1_000, 7, 0, true).build();
    assertEquals(1_996 + 7, estimate.rows());
    assertEquals(507, estimate.rowsSampled());
    assertEquals(false, estimate.exact());
  }

  @Test
  void segmentsReadWholeAreACount() {
    RowEstimate estimate =
        RowEstimate.builder().segment(1_000, 3, 900, true).segment(1_000, 0, 0, true).build();
    assertEquals(3, estimate.rows());
    assertTrue(estimate.exact());
  }
}

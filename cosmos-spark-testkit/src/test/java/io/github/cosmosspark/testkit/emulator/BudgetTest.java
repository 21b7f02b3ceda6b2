package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** The budget's arithmetic, on a clock the test controls. */
class BudgetTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void admitsUntilInDebtThenSaysWhenTheDebtIsRepaid() {
    Budget budget = new Budget("ks.t", 400, false, 0);
    assertEquals(0, budget.admit(0, 500));
    budget.charge(500, 500, 0, 0);

    // 100 RU in debt at 400 RU/s: 250 ms to repay.
    assertEquals(250, budget.admit(0, 1));
    assertEquals(125, budget.admit(SECOND / 8, 1));
    assertEquals(0, budget.admit(SECOND / 4 + 1, 1));
    assertEquals(2, budget.statistics(0).rateLimited());
  }

  @Test
  void requestsSentTogetherCannotAllPassBeforeAnyIsCharged() {
    Budget budget = new Budget("ks.t", 400, false, 0);
    int admitted = 0;
    for (int i = 0; i < 300; i++) {
      if (budget.admit(0, 4.95) == 0) {
        admitted++;
      }
    }
    // 400 RU of budget admits writes of 4.95 RU (a 1 KB row) until it is spent: 81 (80 x 4.95 =
    // 396 leaves it in credit), the last overdrawing.
    assertEquals(81, admitted);
  }

  @Test
  void withoutBurstCapacityIdleTimeIsNotSaved() {
    Budget budget = new Budget("ks.t", 400, false, 0);
    budget.charge(400, 0, 10 * SECOND, 10);
    assertEquals(1, budget.admit(10 * SECOND, 1), "a full second's budget, no more, was available");
    assertFalse(budget.burstApplies());
  }

  @Test
  void burstCapacitySavesIdleThroughputAndSpendsItAtUpTo3000RuPerSecond() {
    Budget budget = new Budget("ks.t", 400, true, 0);
    // Ten idle seconds with a full bucket: all 4,000 RU it could not hold are saved.
    assertEquals(0, budget.admit(10 * SECOND, 400));
    // The bucket is empty; savings are spent, but at no more than 3,000 - 400 RU/s on top of it:
    // the 2,600 RU allowance of one second is spent by 26 requests of 100 RU.
    int fromSavings = 0;
    while (budget.admit(10 * SECOND, 100) == 0) {
      fromSavings++;
    }
    assertEquals(26, fromSavings);
    assertEquals(26, budget.statistics(0).servedFromBurst());
    // A second later another 2,600 RU of allowance and 400 RU of bucket are there.
    assertEquals(0, budget.admit(11 * SECOND, 400));
    assertEquals(0, budget.admit(11 * SECOND, 100));
  }

  @Test
  void burstCapacityDoesNotApplyAtOrAbove3000RuPerSecond() {
    Budget budget = new Budget("ks.t", 3_000, true, 0);
    assertFalse(budget.burstApplies());
    assertEquals(0, budget.admit(60 * SECOND, 3_000));
    assertEquals(1, budget.admit(60 * SECOND, 1), "one second's budget, nothing saved");
  }

  @Test
  void savingsAreCappedAtFiveMinutesOfThroughput() {
    Budget budget = new Budget("ks.t", 100, true, 0);
    // An hour idle saves 300 s x 100 RU/s = 30,000 RU and no more; spending it at 3,000 RU/s
    // (100 from the bucket, 2,900 from savings each second) takes a little over ten seconds.
    long now = 3_600 * SECOND;
    double spent = 0;
    for (int second = 0; second < 12; second++) {
      while (budget.admit(now + second * SECOND, 100) == 0) {
        spent += 100;
      }
    }
    // All 30,000 saved, and 100 from the bucket in each of the 12 seconds.
    assertEquals(31_200, spent, 1e-9);
  }

  @Test
  void reprovisioningChangesTheRateAtOnce() {
    Budget budget = new Budget("ks.t", 400, false, 0);
    budget.charge(800, 0, 0, 0);
    budget.provision(4_000, 0);
    assertEquals(100, budget.admit(0, 1), "400 RU of debt at 4,000 RU/s");
  }

  @Test
  void statisticsCountPerSecondWindows() {
    Budget budget = new Budget("ks.t", 400, false, 0);
    budget.charge(5, 0, 0, 100);
    budget.charge(6, 0, 0, 100);
    budget.charge(7, 0, SECOND, 101);
    PartitionStatistics statistics = budget.statistics(0);
    assertEquals(3, statistics.requests());
    assertEquals(18, statistics.requestUnits(), 1e-9);
    assertEquals(11, statistics.requestUnitsPerSecond().get(100L), 1e-9);
    assertEquals(11, statistics.peakRequestUnitsPerSecond(), 1e-9);
    budget.reset();
    assertEquals(0, budget.statistics(0).requests());
  }
}

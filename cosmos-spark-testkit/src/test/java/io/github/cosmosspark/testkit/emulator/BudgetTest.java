package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The budget's arithmetic, on a clock the test controls. */
class BudgetTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void admitsUntilInDebtThenSaysWhenTheDebtIsRepaid() {
    Budget budget = new Budget("ks.t", 400, 1, 0);
    assertEquals(0, budget.admit(0, 500));
    budget.charge(500, 500, 0, 0);

    // 100 RU in debt at 400 RU/s: 250 ms to repay.
    assertEquals(250, budget.admit(0, 1));
    assertEquals(125, budget.admit(SECOND / 8, 1));
    assertEquals(0, budget.admit(SECOND / 4 + 1, 1));
    assertEquals(2, budget.statistics().rateLimited());
  }

  @Test
  void requestsSentTogetherCannotAllPassBeforeAnyIsCharged() {
    Budget budget = new Budget("ks.t", 400, 1, 0);
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
    Budget budget = new Budget("ks.t", 400, 1, 0);
    budget.charge(400, 0, 10 * SECOND, 10);
    assertEquals(1, budget.admit(10 * SECOND, 1), "a full second's budget, no more, was available");
  }

  @Test
  void burstCapacitySavesIdleThroughput() {
    Budget budget = new Budget("ks.t", 400, 5, 0);
    budget.charge(1_600, 0, 10 * SECOND, 10);
    assertEquals(0, budget.admit(10 * SECOND, 1), "five seconds' budget was saved");
  }

  @Test
  void reprovisioningChangesTheRateAtOnce() {
    Budget budget = new Budget("ks.t", 400, 1, 0);
    budget.charge(800, 0, 0, 0);
    budget.provision(4_000, 0);
    assertEquals(100, budget.admit(0, 1), "400 RU of debt at 4,000 RU/s");
  }

  @Test
  void statisticsCountPerSecondWindows() {
    Budget budget = new Budget("ks.t", 400, 1, 0);
    budget.charge(5, 0, 0, 100);
    budget.charge(6, 0, 0, 100);
    budget.charge(7, 0, SECOND, 101);
    TableStatistics statistics = budget.statistics();
    assertEquals(3, statistics.requests());
    assertEquals(18, statistics.requestUnits(), 1e-9);
    assertEquals(11, statistics.requestUnitsPerSecond().get(100L), 1e-9);
    assertEquals(11, statistics.peakRequestUnitsPerSecond(), 1e-9);
    budget.reset();
    assertEquals(0, budget.statistics().requests());
  }
}

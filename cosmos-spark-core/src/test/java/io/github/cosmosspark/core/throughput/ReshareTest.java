package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Executors joining or leaving while a job runs change every executor's share of its budget. */
class ReshareTest {
  private static final String TABLE = "reshare.books";

  @AfterEach
  void forget() {
    Throttles.unregister(TABLE);
    LiveExecutors.forget();
  }

  @Test
  void eachExecutorsShareFollowsTheExecutorsAliveNow() {
    Throttles.register(new TableBudget(TABLE, 1_000, 2));
    assertEquals(500, share(), 0.001);

    LiveExecutors.observed(4);
    assertEquals(250, share(), 0.001);

    // A task of the same job arriving later carries the plan of 2 executors; 4 are alive.
    Throttles.register(new TableBudget(TABLE, 1_000, 2));
    assertEquals(250, share(), 0.001);

    LiveExecutors.observed(1);
    assertEquals(1_000, share(), 0.001);
  }

  private static double share() {
    return Throttles.forTable(TABLE).shareRuPerSecond();
  }
}

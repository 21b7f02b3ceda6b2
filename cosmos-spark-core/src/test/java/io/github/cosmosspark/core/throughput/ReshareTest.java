package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Executors joining or leaving while a job runs change every executor's share of its budget. */
class ReshareTest {
  private static final String TABLE = "reshare.books";

  private final Throttles throttles = new Throttles();

  @Test
  void eachExecutorsShareFollowsTheExecutorsAliveNow() {
    throttles.register(new TableBudget(TABLE, 1_000, 2));
    assertEquals(500, share(), 0.001);

    throttles.executors().observed(4);
    assertEquals(250, share(), 0.001);

    // A task of the same job arriving later carries the plan of 2 executors; 4 are alive.
    throttles.register(new TableBudget(TABLE, 1_000, 2));
    assertEquals(250, share(), 0.001);

    throttles.executors().observed(1);
    assertEquals(1_000, share(), 0.001);
  }

  private double share() {
    return throttles.forTable(TABLE).shareRuPerSecond();
  }
}

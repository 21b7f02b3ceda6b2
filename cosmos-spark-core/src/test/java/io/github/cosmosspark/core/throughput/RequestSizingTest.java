package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SCC request sizes chosen from a budget: the figures, and the user's own settings kept. */
class RequestSizingTest {
  private static final long BOOK_ROW_BYTES = 40;

  @Test
  void enoughConcurrentWritesPerTaskToCoverATenthOfASecondAtItsShare() {
    // 20,000 RU/s on one executor of 2 tasks: 10,000 RU/s a task; a row under 1 KB costs 4.95 RU
    // (Microsoft's 1 KB figure): 2,020.2 rows/s, 202.02 in 100 ms, rounded up.
    assertEquals(
        Collections.singletonMap(RequestSizing.CONCURRENT_WRITES, "203"),
        RequestSizing.forWrite(plan(20_000, 2), BOOK_ROW_BYTES, key -> false));
    // Rows of 3,000 B (2.93 KB) cost 6.29 + 0.93 x (6.67 - 6.29) / 2 = 6.467 RU, between the 2 KB
    // and 4 KB figures: 1,546.4 rows/s a task, 154.64 in 100 ms.
    assertEquals(
        Collections.singletonMap(RequestSizing.CONCURRENT_WRITES, "155"),
        RequestSizing.forWrite(plan(20_000, 2), 3_000, key -> false));
  }

  @Test
  void neverFewerConcurrentWritesThanSccsDefaultNorMoreThanTheCap() {
    assertEquals("5", concurrentWrites(plan(100, 2)));
    assertEquals("256", concurrentWrites(plan(10_000_000, 1)));
  }

  @Test
  void pagesCostAtMostATenthOfATasksSecondOfBudget() {
    // 100 RU/s, 2 tasks: 5 RU a page; rows of 40 B cost 1/25.6 RU each.
    assertEquals(
        Collections.singletonMap(RequestSizing.FETCH_SIZE, "128"),
        RequestSizing.forRead(plan(100, 2), BOOK_ROW_BYTES, key -> false));
    assertEquals(
        Collections.singletonMap(RequestSizing.FETCH_SIZE, "1000"),
        RequestSizing.forRead(plan(100_000, 2), BOOK_ROW_BYTES, key -> false));
    assertEquals(
        Collections.singletonMap(RequestSizing.FETCH_SIZE, "10"),
        RequestSizing.forRead(plan(400, 8), 100_000, key -> false));
  }

  @Test
  void aSettingTheUserMadeIsKept() {
    Map<String, String> write =
        RequestSizing.forWrite(
            plan(20_000, 2), BOOK_ROW_BYTES, RequestSizing.CONCURRENT_WRITES::equals);
    Map<String, String> read =
        RequestSizing.forRead(plan(100, 2), BOOK_ROW_BYTES, RequestSizing.FETCH_SIZE::equals);
    assertEquals(Collections.emptyMap(), write);
    assertEquals(Collections.emptyMap(), read);
  }

  private static String concurrentWrites(BudgetPlan plan) {
    return RequestSizing.forWrite(plan, BOOK_ROW_BYTES, key -> false)
        .get(RequestSizing.CONCURRENT_WRITES);
  }

  private static BudgetPlan plan(double ruPerSecond, int tasksPerExecutor) {
    return new BudgetPlan(
        new TableBudget("ks.t", ruPerSecond, 1), ruPerSecond, "a test", 1, tasksPerExecutor);
  }
}

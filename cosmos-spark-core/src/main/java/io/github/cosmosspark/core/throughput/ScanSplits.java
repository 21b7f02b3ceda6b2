package io.github.cosmosspark.core.throughput;

import java.util.Locale;

/**
 * How many Spark partitions (splits) a full scan of a table gets, when the user chose neither a
 * split count nor a split size: from the table's estimated rows ({@link RowEstimate}), what a row
 * costs to read ({@link RowCosts}), the job's RU budget on the table and Spark's task slots.
 *
 * <p>Cosmos keeps no {@code system.size_estimates}, so SCC's own planner falls back to {@code 1 + 2
 * × cores} splits whatever the table's size. This rule aims at tasks of about {@code taskSeconds}
 * of the budget each (so that a failed task repeats little work), at least one per task slot so the
 * whole budget is used, in whole waves of the slots, and no split of a small table smaller than it
 * needs to be:
 *
 * <pre>
 *   U      = rows × RU per row                          the scan's cost
 *   W      = taskSeconds × budget / slots               one task's RU (without a budget:
 *                                                       taskSeconds × 1,000 RU/s)
 *   n      = max(ceil(U / W), min(slots, ceil(rows / 10,000)), 1)
 *   n      = ceil(n / slots) × slots                    when n &gt; slots: whole waves
 *   splits = min(n, ceil(rows / 1,000), 10,000)
 * </pre>
 *
 * An empty table gets 1 split; a table whose rows could not be estimated gets {@code 2 × slots}
 * (about SCC's own fallback, in whole waves).
 */
public final class ScanSplits {
  /** The target length of a task, in seconds of budget; the option's default. */
  public static final int DEFAULT_TASK_SECONDS = 60;

  /**
   * What one task is taken to read per second when the job has no budget: nothing bounds it but the
   * table's throughput, which Cosmos does not say. A guess on the side of more, shorter tasks.
   */
  static final double UNBUDGETED_TASK_RU_PER_SECOND = 1_000;

  /** Rows below which filling every task slot is not worth a task: about a second of reading. */
  static final long ROWS_TO_FILL_A_SLOT = 10_000;

  /** No split reads fewer rows than this on average, whatever the budget. */
  static final long FEWEST_ROWS_PER_SPLIT = 1_000;

  /** At most this many splits: past it, tasks grow longer than the target instead. */
  static final int MOST_SPLITS = 10_000;

  /** Waves of the task slots when the rows could not be estimated. */
  static final int FALLBACK_WAVES = 2;

  private final int splits;
  private final RowEstimate estimate;
  private final double ruPerRow;
  private final double taskRuPerSecond;
  private final int taskSlots;
  private final boolean budgeted;
  private final String reason;

  private ScanSplits(
      int splits,
      RowEstimate estimate,
      double ruPerRow,
      double taskRuPerSecond,
      int taskSlots,
      boolean budgeted,
      String reason) {
    this.splits = splits;
    this.budgeted = budgeted;
    this.estimate = estimate;
    this.ruPerRow = ruPerRow;
    this.taskRuPerSecond = taskRuPerSecond;
    this.taskSlots = taskSlots;
    this.reason = reason;
  }

  /**
   * The splits for a scan.
   *
   * @param estimate the table's rows, or null when they could not be estimated
   * @param rowBytes a row's size, from the schema
   * @param budgetRuPerSecond the job's RU/s on the table; 0 when it has none
   * @param taskSlots the tasks Spark runs at once
   * @param taskSeconds the target length of a task, in seconds of budget; at least 1
   */
  public static ScanSplits choose(
      RowEstimate estimate,
      long rowBytes,
      double budgetRuPerSecond,
      int taskSlots,
      int taskSeconds) {
    int slots = Math.max(1, taskSlots);
    double ruPerRow = RowCosts.readInPage(rowBytes);
    double taskRuPerSecond =
        budgetRuPerSecond > 0 ? budgetRuPerSecond / slots : UNBUDGETED_TASK_RU_PER_SECOND;
    if (estimate == null) {
      return new ScanSplits(
          (int) Math.min(MOST_SPLITS, (long) FALLBACK_WAVES * slots),
          null,
          ruPerRow,
          taskRuPerSecond,
          slots,
          budgetRuPerSecond > 0,
          "the table's rows could not be estimated: "
              + FALLBACK_WAVES
              + " waves of the task slots");
    }
    long rows = estimate.rows();
    if (rows == 0) {
      return new ScanSplits(
          1,
          estimate,
          ruPerRow,
          taskRuPerSecond,
          slots,
          budgetRuPerSecond > 0,
          "the table is empty");
    }
    double taskRu = Math.max(1, taskSeconds) * taskRuPerSecond;
    long forLength = (long) Math.ceil(rows * ruPerRow / taskRu);
    long toFill = Math.min(slots, ceilDiv(rows, ROWS_TO_FILL_A_SLOT));
    long count = Math.max(1, Math.max(forLength, toFill));
    String reason;
    if (count > slots) {
      count = ceilDiv(count, slots) * slots;
      reason =
          String.format(
              Locale.ROOT,
              "tasks of ~%ds of budget, in whole waves of %d slots",
              Math.max(1, taskSeconds),
              slots);
    } else if (forLength >= toFill) {
      reason = "tasks of ~" + Math.max(1, taskSeconds) + "s of budget";
    } else {
      reason = "one task per slot, each at least " + ROWS_TO_FILL_A_SLOT + " rows";
    }
    long fewest = ceilDiv(rows, FEWEST_ROWS_PER_SPLIT);
    if (count > fewest) {
      count = fewest;
      reason = "at least " + FEWEST_ROWS_PER_SPLIT + " rows per split";
    }
    if (count > MOST_SPLITS) {
      count = MOST_SPLITS;
      reason = "at most " + MOST_SPLITS + " splits (tasks longer than the target)";
    }
    return new ScanSplits(
        (int) count, estimate, ruPerRow, taskRuPerSecond, slots, budgetRuPerSecond > 0, reason);
  }

  /**
   * The splits for a scan whose user set SCC's {@code spark.cassandra.input.split.sizeInMB}: SCC's
   * own formula ({@code max(bytes / size, 1 + 2 × slots)}, {@code ScanHelper.getPartitionGenerator}
   * in SCC 3.5), applied to the estimated rows times {@code rowBytes} instead of {@code
   * system.size_estimates}, which Cosmos does not keep.
   */
  public static ScanSplits forSplitSize(
      RowEstimate estimate, long rowBytes, int splitSizeInMB, int taskSlots) {
    int slots = Math.max(1, taskSlots);
    long bytes = estimate.rows() * Math.max(1, rowBytes);
    long bySize = bytes / ((long) Math.max(1, splitSizeInMB) * 1024 * 1024);
    long count = Math.min(Integer.MAX_VALUE, Math.max(bySize, 1 + 2L * slots));
    return new ScanSplits(
        (int) count,
        estimate,
        RowCosts.readInPage(rowBytes),
        UNBUDGETED_TASK_RU_PER_SECOND,
        slots,
        false,
        String.format(
            Locale.ROOT,
            "your spark.cassandra.input.split.sizeInMB=%d over ~%,d bytes, at least 1 + 2 x %d"
                + " slots as the connector does",
            splitSizeInMB,
            bytes,
            slots));
  }

  private static long ceilDiv(long dividend, long divisor) {
    return (dividend + divisor - 1) / divisor;
  }

  /** The number of splits. */
  public int splits() {
    return splits;
  }

  /** The estimate the count came from; null when the rows could not be estimated. */
  public RowEstimate estimate() {
    return estimate;
  }

  /** The scan's estimated cost, in RU; 0 when the rows could not be estimated. */
  public double scanRequestUnits() {
    return estimate == null ? 0 : estimate.rows() * ruPerRow;
  }

  /** What bounds the count, for the log. */
  public String reason() {
    return reason;
  }

  /** One line for the log: the count, the estimate and why. */
  public String describe(String table) {
    if (estimate == null) {
      return String.format(Locale.ROOT, "Scanning %s in %d splits: %s.", table, splits, reason);
    }
    if (reason.startsWith("your ")) {
      return String.format(
          Locale.ROOT, "Scanning %s in %d splits (%s): %s.", table, splits, reason, estimate);
    }
    double taskSeconds = scanRequestUnits() / splits / taskRuPerSecond;
    return String.format(
        Locale.ROOT,
        "Scanning %s in %d splits (%s): %s x ~%.3f RU = ~%,.0f RU; %,.0f RU/s per task over %d"
            + " task slots%s, so ~%.1fs per task.",
        table,
        splits,
        reason,
        estimate,
        ruPerRow,
        scanRequestUnits(),
        taskRuPerSecond,
        taskSlots,
        budgeted ? "" : " (no budget: assumed)",
        taskSeconds);
  }

  @Override
  public String toString() {
    return "ScanSplits{" + splits + ", " + reason + "}";
  }
}

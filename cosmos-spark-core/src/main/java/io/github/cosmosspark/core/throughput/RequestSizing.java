package io.github.cosmosspark.core.throughput;

import io.github.cosmosspark.core.config.WarnOnce;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCC settings that decide how much a task has in flight, chosen from the budget and the row
 * size, so that a job reaches its budget without queueing far past it. Settings the user made are
 * kept. One INFO line per read or write says what was chosen and why.
 */
public final class RequestSizing {
  public static final String CONCURRENT_WRITES = "spark.cassandra.output.concurrent.writes";
  public static final String FETCH_SIZE = "spark.cassandra.input.fetch.sizeInRows";

  private static final Logger LOG = LoggerFactory.getLogger(RequestSizing.class);

  /**
   * Requests in flight must cover the time each takes, or a task cannot reach its share: enough for
   * 100 ms, several times an in-region round trip.
   */
  private static final double COVERED_SECONDS = 0.1;

  /**
   * A page is charged at once when it arrives; at most a tenth of a task's second of budget keeps
   * the per-second charge smooth.
   */
  private static final double PAGE_SHARE_OF_SECOND = 0.1;

  private static final int SCC_CONCURRENT_WRITES = 5;
  private static final int MOST_CONCURRENT_WRITES = 256;
  private static final int FEWEST_ROWS_PER_PAGE = 10;
  private static final int SCC_ROWS_PER_PAGE = 1000;

  private RequestSizing() {}

  /**
   * The settings for a write of rows of about {@code rowBytes} under {@code plan}, without those
   * {@code userSet} says the user chose.
   */
  public static Map<String, String> forWrite(
      BudgetPlan plan, long rowBytes, Predicate<String> userSet) {
    return forWrite(plan, rowBytes, key -> userSet.test(key) ? "" : null, new WarnOnce());
  }

  /**
   * The settings for a write of rows of about {@code rowBytes} under {@code plan}, without those
   * the user chose ({@code userValue} gives the user's value of a key, or null). A choice of the
   * user's that holds the write below its budget is said once per key in {@code warnings}, with its
   * cost.
   */
  public static Map<String, String> forWrite(
      BudgetPlan plan, long rowBytes, Function<String, String> userValue, WarnOnce warnings) {
    double ruPerRow = RowCosts.write(rowBytes);
    double rowsPerTaskSecond = taskShare(plan) / ruPerRow;
    int concurrent =
        clamp(
            (long) Math.ceil(rowsPerTaskSecond * COVERED_SECONDS),
            SCC_CONCURRENT_WRITES,
            MOST_CONCURRENT_WRITES);
    Map<String, String> chosen = new LinkedHashMap<>();
    String choice;
    String users = userValue.apply(CONCURRENT_WRITES);
    if (users != null) {
      choice = "your " + CONCURRENT_WRITES;
      warnIfBelowBudget(
          plan, CONCURRENT_WRITES, users, concurrent, ruPerRow / COVERED_SECONDS, warnings);
    } else {
      chosen.put(CONCURRENT_WRITES, Integer.toString(concurrent));
      choice = concurrent + " concurrent writes per task (" + CONCURRENT_WRITES + ")";
    }
    log("writing", plan, ruPerRow, rowBytes, choice);
    return chosen;
  }

  /** The settings for a scan of rows of about {@code rowBytes} under {@code plan}. */
  public static Map<String, String> forRead(
      BudgetPlan plan, long rowBytes, Predicate<String> userSet) {
    return forRead(plan, rowBytes, key -> userSet.test(key) ? "" : null, new WarnOnce());
  }

  /**
   * The settings for a scan of rows of about {@code rowBytes} under {@code plan}; a page size of
   * the user's that holds the scan below its budget is said once in {@code warnings}, with its
   * cost.
   */
  public static Map<String, String> forRead(
      BudgetPlan plan, long rowBytes, Function<String, String> userValue, WarnOnce warnings) {
    double ruPerRow = RowCosts.readInPage(rowBytes);
    int rowsPerPage = rowsPerPage(taskShare(plan), ruPerRow, SCC_ROWS_PER_PAGE);
    Map<String, String> chosen = new LinkedHashMap<>();
    String choice;
    String users = userValue.apply(FETCH_SIZE);
    if (users != null) {
      choice = "your " + FETCH_SIZE;
      warnIfBelowBudget(
          plan, FETCH_SIZE, users, rowsPerPage, ruPerRow / PAGE_SHARE_OF_SECOND, warnings);
    } else {
      chosen.put(FETCH_SIZE, Integer.toString(rowsPerPage));
      choice = rowsPerPage + " rows per page (" + FETCH_SIZE + ")";
    }
    log("reading", plan, ruPerRow, rowBytes, choice);
    return chosen;
  }

  /**
   * The RU/s a user's setting lets the job use, by the rule above read backwards: {@code
   * ruPerSecondPerUnit} is what one unit of the setting (a write in flight, a row per page) carries
   * in a task's second; every task of every executor runs with it.
   */
  static double ruPerSecondAllowed(BudgetPlan plan, int setting, double ruPerSecondPerUnit) {
    return Math.min(
        plan.totalRuPerSecond(),
        setting * ruPerSecondPerUnit * Math.max(1, plan.tasksPerExecutor()) * plan.executors());
  }

  private static void warnIfBelowBudget(
      BudgetPlan plan,
      String key,
      String users,
      int rulesChoice,
      double ruPerSecondPerUnit,
      WarnOnce warnings) {
    int setting;
    try {
      setting = Integer.parseInt(users.trim());
    } catch (NumberFormatException e) {
      return; // the connector refuses it with its own message
    }
    double allowed = ruPerSecondAllowed(plan, setting, ruPerSecondPerUnit);
    if (setting >= rulesChoice || allowed >= plan.totalRuPerSecond()) {
      return;
    }
    warnings.warn(
        LOG,
        "below budget " + key,
        String.format(
            Locale.ROOT,
            "'%s=%d' holds this %s to about %,.0f RU/s of its %,.0f RU/s budget on %s; remove it"
                + " to let cosmos-spark size requests from the budget (it would use %d).",
            key,
            setting,
            key.equals(FETCH_SIZE) ? "read" : "write",
            allowed,
            plan.totalRuPerSecond(),
            plan.budget().table(),
            rulesChoice));
  }

  /**
   * The one page-size rule, for the first pages (sized here, at planning, from the schema's row
   * size) and for each later page (sized by the session from what the previous page cost per row):
   * a page costs at most a tenth of one task's second of budget, never fewer than 10 rows nor more
   * than {@code most}.
   */
  public static int rowsPerPage(double taskShareRuPerSecond, double ruPerRow, int most) {
    return clamp(
        (long) Math.floor(taskShareRuPerSecond * PAGE_SHARE_OF_SECOND / ruPerRow),
        FEWEST_ROWS_PER_PAGE,
        Math.max(FEWEST_ROWS_PER_PAGE, most));
  }

  private static double taskShare(BudgetPlan plan) {
    return plan.budget().shareRuPerSecond() / Math.max(1, plan.tasksPerExecutor());
  }

  private static int clamp(long value, int least, int most) {
    return (int) Math.max(least, Math.min(most, value));
  }

  private static void log(
      String doing, BudgetPlan plan, double ruPerRow, long rowBytes, String choice) {
    LOG.info(
        String.format(
            Locale.ROOT,
            "%s %s at %,.0f RU/s (%s): %d executor%s x %,.0f RU/s, %d task%s each; ~%.2f RU/row"
                + " (rows of ~%,d B, from the schema): %s",
            doing,
            plan.budget().table(),
            plan.totalRuPerSecond(),
            plan.reason(),
            plan.executors(),
            plan.executors() == 1 ? "" : "s",
            plan.budget().shareRuPerSecond(),
            plan.tasksPerExecutor(),
            plan.tasksPerExecutor() == 1 ? "" : "s",
            ruPerRow,
            rowBytes,
            choice));
  }
}

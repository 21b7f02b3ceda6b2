package io.github.cosmosspark.core.metrics;

import java.util.Locale;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/**
 * The custom metrics of our scans and writes. Spark creates each class by name on the driver to sum
 * the tasks' values, so each is a public class with a no-argument constructor. Reads and writes
 * have their own classes because a task that copies a table scans and writes at once, and Spark
 * tells one node's metrics from another's by class.
 */
public final class CosmosMetrics {
  static final String REQUEST_UNITS = "cosmosRequestUnits";
  static final String REQUESTS = "cosmosRequests";
  static final String RATE_LIMITED = "cosmosRateLimited";
  static final String RATE_LIMITED_UNDER_BUDGET = "cosmosRateLimitedUnderBudget";
  static final String RETRIES = "cosmosRetries";
  static final String BUDGET_WAIT = "cosmosBudgetWaitMs";
  static final String BACKOFF = "cosmosBackoffMs";
  static final String PROBE_REQUEST_UNITS = "cosmosProbeRequestUnits";

  private CosmosMetrics() {}

  /** The metrics a scan reports. */
  public static CustomMetric[] forReads() {
    return new CustomMetric[] {
      new ReadRequestUnits(),
      new ReadRequests(),
      new ReadRateLimited(),
      new ReadRateLimitedUnderBudget(),
      new ReadRetries(),
      new ReadBudgetWait(),
      new ReadBackoff(),
      new ReadProbeRequestUnits()
    };
  }

  /** The metrics a write reports. */
  public static CustomMetric[] forWrites() {
    return new CustomMetric[] {
      new WriteRequestUnits(),
      new WriteRequests(),
      new WriteRateLimited(),
      new WriteRateLimitedUnderBudget(),
      new WriteRetries(),
      new WriteBudgetWait(),
      new WriteBackoff()
    };
  }

  /** One task's values, named as the metrics above. */
  public static CustomTaskMetric[] values(RequestMetrics metrics) {
    return new CustomTaskMetric[] {
      new Value(REQUEST_UNITS, metrics.centiRequestUnits()),
      new Value(REQUESTS, metrics.requests()),
      new Value(RATE_LIMITED, metrics.rateLimited()),
      new Value(RATE_LIMITED_UNDER_BUDGET, metrics.rateLimitedUnderBudget()),
      new Value(RETRIES, metrics.retries()),
      new Value(BUDGET_WAIT, metrics.budgetWaitMillis()),
      new Value(BACKOFF, metrics.backoffMillis())
    };
  }

  /**
   * What the driver charged while planning a scan (the pages that estimate the table's rows), in
   * request units; reported by the scan as a driver metric.
   */
  public static CustomTaskMetric[] planning(double requestUnits) {
    return new CustomTaskMetric[] {new Value(PROBE_REQUEST_UNITS, Math.round(requestUnits * 100))};
  }

  private static final class Value implements CustomTaskMetric {
    private final String name;
    private final long value;

    Value(String name, long value) {
      this.name = name;
      this.value = value;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long value() {
      return value;
    }
  }

  /** A metric summed over tasks. */
  abstract static class Sum extends CustomSumMetric {
    private final String name;
    private final String description;

    Sum(String name, String description) {
      this.name = name;
      this.description = description;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String description() {
      return description;
    }
  }

  /** Request units, kept in hundredths by the tasks and shown with two decimals. */
  abstract static class RequestUnits extends Sum {
    RequestUnits(String description) {
      this(REQUEST_UNITS, description);
    }

    RequestUnits(String name, String description) {
      super(name, description);
    }

    @Override
    public String aggregateTaskMetrics(long[] taskMetrics) {
      long centi = 0;
      for (long value : taskMetrics) {
        centi += value;
      }
      return String.format(Locale.ROOT, "%,.2f", centi / 100.0);
    }
  }

  public static final class ReadRequestUnits extends RequestUnits {
    public ReadRequestUnits() {
      super("Cosmos RU charged for reads");
    }
  }

  public static final class ReadProbeRequestUnits extends RequestUnits {
    public ReadProbeRequestUnits() {
      super(PROBE_REQUEST_UNITS, "Cosmos RU charged to estimate the table's rows (planning)");
    }
  }

  public static final class ReadRequests extends Sum {
    public ReadRequests() {
      super(REQUESTS, "Cosmos read requests answered");
    }
  }

  public static final class ReadRateLimited extends Sum {
    public ReadRateLimited() {
      super(RATE_LIMITED, "Cosmos 429s (request rate too large) on reads");
    }
  }

  public static final class ReadRateLimitedUnderBudget extends Sum {
    public ReadRateLimitedUnderBudget() {
      super(
          RATE_LIMITED_UNDER_BUDGET,
          "Cosmos 429s on reads while under the budget (a hot physical partition)");
    }
  }

  public static final class ReadRetries extends Sum {
    public ReadRetries() {
      super(RETRIES, "Cosmos reads resent after a wait (429, timeout, lost connection)");
    }
  }

  public static final class ReadBudgetWait extends Sum {
    public ReadBudgetWait() {
      super(BUDGET_WAIT, "ms reads waited for RU budget (summed over requests)");
    }
  }

  public static final class ReadBackoff extends Sum {
    public ReadBackoff() {
      super(BACKOFF, "ms reads waited before resends (summed over requests)");
    }
  }

  public static final class WriteRequestUnits extends RequestUnits {
    public WriteRequestUnits() {
      super("Cosmos RU charged for writes");
    }
  }

  public static final class WriteRequests extends Sum {
    public WriteRequests() {
      super(REQUESTS, "Cosmos write requests answered");
    }
  }

  public static final class WriteRateLimited extends Sum {
    public WriteRateLimited() {
      super(RATE_LIMITED, "Cosmos 429s (request rate too large) on writes");
    }
  }

  public static final class WriteRateLimitedUnderBudget extends Sum {
    public WriteRateLimitedUnderBudget() {
      super(
          RATE_LIMITED_UNDER_BUDGET,
          "Cosmos 429s on writes while under the budget (a hot physical partition)");
    }
  }

  public static final class WriteRetries extends Sum {
    public WriteRetries() {
      super(RETRIES, "Cosmos writes resent after a wait (429, 449, timeout, lost connection)");
    }
  }

  public static final class WriteBudgetWait extends Sum {
    public WriteBudgetWait() {
      super(BUDGET_WAIT, "ms writes waited for RU budget (summed over requests)");
    }
  }

  public static final class WriteBackoff extends Sum {
    public WriteBackoff() {
      super(BACKOFF, "ms writes waited before resends (summed over requests)");
    }
  }
}

package io.github.cosmosspark.core.throughput;

import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.Settings;
import java.util.HashMap;
import java.util.Map;

/** Carries a planned budget through the connector's configuration, from driver to executors. */
public final class TableBudgets {
  private static final String TABLE_KEY = CosmosCassandraConfig.RESOLVED_PREFIX + "budget.table";
  private static final String TOTAL_KEY = CosmosCassandraConfig.RESOLVED_PREFIX + "budget.total";
  private static final String EXECUTORS_KEY =
      CosmosCassandraConfig.RESOLVED_PREFIX + "budget.executors";

  private TableBudgets() {}

  /** The options that carry {@code budget}. */
  public static Map<String, String> toResolvedOptions(TableBudget budget) {
    Map<String, String> options = new HashMap<>();
    options.put(TABLE_KEY, budget.table());
    options.put(TOTAL_KEY, Double.toString(budget.totalRuPerSecond()));
    options.put(EXECUTORS_KEY, Integer.toString(budget.plannedExecutors()));
    return options;
  }

  /** The budget in the connector's merged configuration (keys in any case), or null. */
  public static TableBudget fromResolvedOptions(Map<String, String> settings) {
    String table = Settings.valueIgnoringCase(settings, TABLE_KEY);
    String total = Settings.valueIgnoringCase(settings, TOTAL_KEY);
    String executors = Settings.valueIgnoringCase(settings, EXECUTORS_KEY);
    return table == null || total == null || executors == null
        ? null
        : new TableBudget(table, Double.parseDouble(total), Integer.parseInt(executors));
  }
}

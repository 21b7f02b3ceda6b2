package io.github.cosmosspark.core.throughput;

import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.Settings;
import java.util.HashMap;
import java.util.Map;

/** Carries a planned budget through the connector's configuration, from driver to executors. */
public final class TableBudgets {
  private static final String TABLE_KEY = CosmosCassandraConfig.RESOLVED_PREFIX + "budget.table";
  private static final String SHARE_KEY = CosmosCassandraConfig.RESOLVED_PREFIX + "budget.share";

  private TableBudgets() {}

  /** The options that carry {@code budget}. */
  public static Map<String, String> toResolvedOptions(TableBudget budget) {
    Map<String, String> options = new HashMap<>();
    options.put(TABLE_KEY, budget.table());
    options.put(SHARE_KEY, Double.toString(budget.shareRuPerSecond()));
    return options;
  }

  /** The budget in the connector's merged configuration (keys in any case), or null. */
  public static TableBudget fromResolvedOptions(Map<String, String> settings) {
    String table = Settings.valueIgnoringCase(settings, TABLE_KEY);
    String share = Settings.valueIgnoringCase(settings, SHARE_KEY);
    return table == null || share == null
        ? null
        : new TableBudget(table, Double.parseDouble(share));
  }
}

package io.github.cosmosspark.core.throughput;

import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import java.util.HashMap;
import java.util.Locale;
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
    String table = null;
    String share = null;
    for (Map.Entry<String, String> entry : settings.entrySet()) {
      String lower = entry.getKey().toLowerCase(Locale.ROOT);
      if (lower.equals(TABLE_KEY)) {
        table = entry.getValue();
      } else if (lower.equals(SHARE_KEY)) {
        share = entry.getValue();
      }
    }
    return table == null || share == null
        ? null
        : new TableBudget(table, Double.parseDouble(share));
  }
}

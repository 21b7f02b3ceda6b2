package io.github.cosmosspark.core.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The names the Spark Cassandra Connector reads, as the adapter that knows the connector lists
 * them: its settings (every {@code ConfigParameter} and deprecated one) and the options its source
 * reads itself ({@code keyspace}, {@code table}, {@code pushdown}, ...). Kept by lower-case name,
 * with the spelling the connector uses, because per-read keys arrive in any case.
 */
public final class ConnectorNames {
  /** The prefix of the connector's settings. */
  public static final String SETTING_PREFIX = "spark.cassandra.";

  private final Map<String, String> settings;
  private final Map<String, String> sourceOptions;

  private ConnectorNames(Map<String, String> settings, Map<String, String> sourceOptions) {
    this.settings = Collections.unmodifiableMap(settings);
    this.sourceOptions = Collections.unmodifiableMap(sourceOptions);
  }

  /**
   * @param settings the connector's settings, as it spells them
   * @param sourceOptions the per-read options its source reads that are not settings
   */
  public static ConnectorNames of(Collection<String> settings, Collection<String> sourceOptions) {
    return new ConnectorNames(byLowerCase(settings), byLowerCase(sourceOptions));
  }

  /** Whether the connector reads {@code key}, in any case. */
  public boolean knows(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return settings.containsKey(lower) || sourceOptions.containsKey(lower);
  }

  /**
   * The setting a short name stands for: {@code output.consistency.level} (SCC 2.x's data-source
   * name) or {@code spark_cassandra_output_consistency_level} (its SQL name) for {@code
   * spark.cassandra.output.consistency.level}; null when {@code key} is neither.
   */
  public String settingForShortName(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (lower.startsWith(SETTING_PREFIX)) {
      return null;
    }
    String prefixed = settings.get(SETTING_PREFIX + lower);
    if (prefixed != null) {
      return prefixed;
    }
    return lower.startsWith("spark_cassandra_") ? settings.get(lower.replace('_', '.')) : null;
  }

  /** Every name to suggest for a misspelt key: lower-case candidate, name to show. */
  Map<String, String> candidates() {
    Map<String, String> candidates = new LinkedHashMap<>();
    for (Map.Entry<String, String> setting : settings.entrySet()) {
      candidates.put(setting.getKey(), setting.getValue());
      if (setting.getKey().startsWith(SETTING_PREFIX)) {
        // Someone who writes a short name means the setting: suggest its full name.
        candidates.put(setting.getKey().substring(SETTING_PREFIX.length()), setting.getValue());
      }
    }
    candidates.putAll(sourceOptions);
    return candidates;
  }

  /** The first parts of the connector's setting names ({@code output.}, {@code input.}, ...). */
  Collection<String> groups() {
    Map<String, String> groups = new LinkedHashMap<>();
    for (String setting : settings.keySet()) {
      if (setting.startsWith(SETTING_PREFIX)) {
        String rest = setting.substring(SETTING_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot > 0) {
          groups.put(rest.substring(0, dot + 1), "");
        }
      }
    }
    return groups.keySet();
  }

  private static Map<String, String> byLowerCase(Collection<String> names) {
    Map<String, String> byLowerCase = new LinkedHashMap<>();
    for (String name : names) {
      byLowerCase.put(name.toLowerCase(Locale.ROOT), name);
    }
    return byLowerCase;
  }
}

package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the options of one read or write (or of a catalog) before anything is resolved, so that no
 * option a user gives is silently ignored: each is a cosmoscassandra option, a name the Spark
 * Cassandra Connector reads, a legacy setting {@link LegacySettings} maps, a short connector name
 * mapped here to its full name with a warning, or refused. SCC's source passes every other per-read
 * key into its configuration, where nothing reads it.
 */
public final class PerReadOptions {
  private static final Logger LOG = LoggerFactory.getLogger(PerReadOptions.class);

  /**
   * Options Spark itself adds or reads (a file path, a stream's checkpoint): said nothing about.
   */
  private static final Set<String> SPARK_OPTIONS =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(Arrays.asList("path", "paths", "checkpointlocation")));

  /** Keys of these groups are clearly meant for cosmos-spark or the connector. */
  private static final List<String> FIXED_GROUPS =
      Collections.unmodifiableList(
          Arrays.asList(ConnectorNames.SETTING_PREFIX, "spark.cosmos.", "spark.dse."));

  private PerReadOptions() {}

  /**
   * The options with short connector names replaced by the settings they stand for.
   *
   * @param given the options as the user gave them (any case)
   * @param connector what the connector reads
   * @param warnings where each mapping and each ignored key is said once
   * @throws CosmosConfigException for a key that looks meant for cosmos-spark or the connector but
   *     is neither's, naming the one it most likely meant
   */
  public static Map<String, String> check(
      Map<String, String> given, ConnectorNames connector, WarnOnce warnings) {
    Map<String, String> checked = new LinkedHashMap<>(given);
    for (Map.Entry<String, String> option : given.entrySet()) {
      String key = option.getKey();
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.startsWith(CosmosOption.PREFIX)
          || CosmosOptions.find(key).isPresent()
          || connector.knows(key)
          || LegacySettings.isMapped(key)) {
        continue; // resolution refuses unknown spark.cosmos.cassandra.* keys with the list
      }
      String setting = connector.settingForShortName(key);
      if (setting != null) {
        mapShortName(checked, key, setting, option.getValue(), warnings);
        continue;
      }
      CosmosOptions.Nearest nearest = CosmosOptions.nearest(key, candidates(connector));
      if (looksMeant(lower, connector) || nearest.distance() <= mostLettersOff(lower)) {
        throw new CosmosConfigException(
            "Unknown option '"
                + key
                + "'; did you mean '"
                + nearest.name()
                + "'? Neither cosmoscassandra nor the Spark Cassandra Connector reads '"
                + key
                + "', so it would be ignored. The options are listed in docs/configuration.md.");
      }
      if (!SPARK_OPTIONS.contains(lower)) {
        warnings.warn(
            LOG,
            "ignored option " + lower,
            "Option '{}' is neither a cosmoscassandra option nor one the Spark Cassandra Connector"
                + " reads; nothing uses it.",
            key);
      }
    }
    return checked;
  }

  private static void mapShortName(
      Map<String, String> checked,
      String shortName,
      String setting,
      String value,
      WarnOnce warnings) {
    String full = Settings.valueIgnoringCase(checked, setting);
    if (full != null && !full.equals(value)) {
      throw new CosmosConfigException(
          "Options '"
              + shortName
              + "' and '"
              + setting
              + "' are both set, to different values; '"
              + shortName
              + "' is a short name of '"
              + setting
              + "'. Keep only '"
              + setting
              + "'.");
    }
    checked.remove(shortName);
    if (full == null) {
      checked.put(setting, value);
    }
    warnings.warn(
        LOG,
        "short name " + shortName.toLowerCase(Locale.ROOT),
        "Option '{}' is a short name the Spark Cassandra Connector 3 ignores in a read or write;"
            + " cosmoscassandra applies it as '{}'. Use that name.",
        shortName,
        setting);
  }

  /** The names to suggest: the connector's, and the legacy settings mapped here. */
  private static Map<String, String> candidates(ConnectorNames connector) {
    Map<String, String> candidates = new LinkedHashMap<>(connector.candidates());
    for (String legacy : LegacySettings.MAPPED) {
      candidates.put(legacy.toLowerCase(Locale.ROOT), legacy);
    }
    return candidates;
  }

  /** Whether a key starts with a group of cosmos-spark's or the connector's option names. */
  private static boolean looksMeant(String lower, ConnectorNames connector) {
    for (String group : FIXED_GROUPS) {
      if (lower.startsWith(group)) {
        return true;
      }
    }
    for (CosmosOption<?> option : CosmosOptions.all()) {
      int dot = option.name().indexOf('.');
      if (dot > 0
          && lower.startsWith(option.name().substring(0, dot + 1).toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    for (String group : connector.groups()) {
      if (lower.startsWith(group)) {
        return true;
      }
    }
    return false;
  }

  /** Two letters off a known name is a typo; for names of four letters or fewer, one. */
  private static int mostLettersOff(String lower) {
    return lower.length() <= 4 ? 1 : 2;
  }
}

package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.core.config.ConnectorDefaults;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.config.Settings;
import io.github.cosmosspark.core.config.WarnOnce;
import io.github.cosmosspark.core.connection.CosmosAuthConfFactory;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.core.datasource.read.CosmosScanBuilder;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the options of one {@code cosmoscassandra} read or write into the options SCC's source
 * takes: the resolved Cosmos settings under internal keys (for {@link CosmosAuthConfFactory}), the
 * matching {@code spark.cassandra.*} connection settings, Cosmos's defaults for SCC settings the
 * user left alone, our factories, and every other option untouched.
 */
final class ConnectorOptions {

  static final String FACTORY_KEY = "spark.cassandra.connection.factory";
  static final String AUTH_FACTORY_KEY = "spark.cassandra.auth.conf.factory";

  private ConnectorOptions() {}

  static Map<String, String> translate(
      CosmosCassandraConfig config,
      Map<String, String> perRead,
      Map<String, String> configuration,
      WarnOnce warnings) {
    Map<String, String> translated = new HashMap<>();
    for (Map.Entry<String, String> option : perRead.entrySet()) {
      if (!CosmosOptions.find(option.getKey()).isPresent()
          && !isRemovedLegacyKey(option.getKey())) {
        translated.put(option.getKey(), option.getValue());
      }
    }
    translated.putAll(LegacySettings.connectorReplacements(perRead, configuration, warnings));
    Integer splitCount = LegacySettings.splitCount(perRead, configuration, warnings);
    if (splitCount != null) {
      translated.put(CosmosScanBuilder.SPLIT_COUNT_KEY, Integer.toString(splitCount));
    }
    for (ConnectorDefaults.Setting setting : ConnectorDefaults.all()) {
      if (!isSet(setting.key(), perRead, configuration)) {
        translated.put(setting.key(), setting.value());
      }
    }
    requireOurs(
        FACTORY_KEY, CosmosConnectionFactory.class.getName(), perRead, configuration, warnings);
    requireOurs(
        AUTH_FACTORY_KEY, CosmosAuthConfFactory.class.getName(), perRead, configuration, warnings);
    translated.put(FACTORY_KEY, CosmosConnectionFactory.class.getName());
    translated.put(AUTH_FACTORY_KEY, CosmosAuthConfFactory.class.getName());

    translated.putAll(config.encode());
    translated.put("keyspace", config.keyspace());
    translated.put("table", config.table());
    translated.put("spark.cassandra.connection.host", config.host());
    translated.put("spark.cassandra.connection.port", Integer.toString(config.port()));
    translated.put("spark.cassandra.connection.ssl.enabled", Boolean.toString(config.tlsEnabled()));
    translated.put("spark.cassandra.auth.username", config.account());
    return translated;
  }

  /** Set anywhere: per read, or in the configuration plainly or scoped ({@code cluster/key}). */
  private static boolean isSet(
      String key, Map<String, String> perRead, Map<String, String> configuration) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (String candidate : perRead.keySet()) {
      if (candidate.toLowerCase(Locale.ROOT).equals(lower)) {
        return true;
      }
    }
    for (String candidate : configuration.keySet()) {
      String candidateLower = candidate.toLowerCase(Locale.ROOT);
      if (candidateLower.equals(lower) || candidateLower.endsWith("/" + lower)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isRemovedLegacyKey(String key) {
    for (String removed : LegacySettings.REMOVED_KEYS) {
      if (removed.equalsIgnoreCase(key)) {
        return true;
      }
    }
    return false;
  }

  private static void requireOurs(
      String key,
      String ours,
      Map<String, String> perRead,
      Map<String, String> configuration,
      WarnOnce warnings) {
    String value = Settings.valueIgnoringCase(perRead, key);
    if (value == null) {
      value = Settings.valueIgnoringCase(configuration, key);
    }
    if (value != null
        && !value.equals(ours)
        && !LegacySettings.isHelperFactory(key, value, warnings)) {
      throw new CosmosConfigException(
          "'"
              + key
              + "' is set to "
              + value
              + ", but the cosmoscassandra format brings its own ("
              + ours
              + "). Remove the setting, or use format(\"org.apache.spark.sql.cassandra\") for"
              + " your own factory.");
    }
  }
}

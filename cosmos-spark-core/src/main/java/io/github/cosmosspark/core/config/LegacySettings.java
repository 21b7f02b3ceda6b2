package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings from Microsoft's Spark helper ({@code azure-cosmos-cassandra-spark-helper}) and from the
 * Spark Cassandra Connector 2.x that Microsoft's sample notebooks use, mapped to what does the same
 * job now. Each is logged once per JVM as a warning naming its replacement. The table in {@code
 * docs/migration.md} lists the same mapping.
 */
public final class LegacySettings {
  private static final Logger LOG = LoggerFactory.getLogger(LegacySettings.class);

  /** The helper's connection factory, set by the sample notebooks. */
  public static final String HELPER_FACTORY =
      "com.microsoft.azure.cosmosdb.cassandra.CosmosDbConnectionFactory";

  /** The helper's retry count: resends after a rate limit or a timeout, -1 meaning forever. */
  public static final String QUERY_RETRY_COUNT = "spark.cassandra.query.retry.count";

  /** SCC 2.x's connections per executor and host; SCC 3 rejects the key. */
  public static final String CONNECTIONS_PER_EXECUTOR_MAX =
      "spark.cassandra.connection.connections_per_executor_max";

  /**
   * SCC 2.x's number of Spark partitions for a scan, which Microsoft's bulk-load notebook sets. SCC
   * 3 keeps the number ({@code ReadConf.splitCount}) but no setting for it, and refuses the key.
   */
  public static final String SPLIT_COUNT = "spark.cassandra.splitCount";

  /** What SCC 3 offers instead of {@link #SPLIT_COUNT}. */
  public static final String SPLIT_SIZE = "spark.cassandra.input.split.sizeInMB";

  private static final List<String> CONNECTION_POOL_KEYS =
      Collections.unmodifiableList(
          Arrays.asList(
              "spark.cassandra.connection.localConnectionsPerExecutor",
              "spark.cassandra.connection.remoteConnectionsPerExecutor"));

  /** Keys SCC 3 refuses to start with, which cosmoscassandra takes out after mapping them. */
  public static final List<String> REMOVED_KEYS =
      Collections.unmodifiableList(Arrays.asList(CONNECTIONS_PER_EXECUTOR_MAX, SPLIT_COUNT));

  private LegacySettings() {}

  /**
   * Where a removed key's value is kept in the configuration once taken out of SCC's sight, so that
   * every later read or write of the application maps it again.
   */
  public static String movedKey(String key) {
    return CosmosCassandraConfig.RESOLVED_PREFIX + "moved." + key;
  }

  /** The configuration's value of a removed key, where it is or where it was moved; or null. */
  private static String configured(Map<String, String> configuration, String key) {
    String value = Settings.valueIgnoringCase(configuration, key);
    return value != null ? value : Settings.valueIgnoringCase(configuration, movedKey(key));
  }

  /**
   * {@code retry.maxAttempts} for the helper's {@code spark.cassandra.query.retry.count}: n resends
   * are n + 1 sends, and -1 ("forever") is as many as {@code retry.maxTimeMs} allows.
   */
  static int maxAttemptsFromRetryCount(String key, String text, WarnOnce warnings) {
    int count;
    try {
      count = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new CosmosConfigException(
          "Option '" + key + "' must be a whole number of retries or -1, got '" + text + "'.");
    }
    if (count < -1) {
      throw new CosmosConfigException(
          "Option '" + key + "' must be -1 (no limit) or a number of retries, got " + count + ".");
    }
    int maxAttempts = count == -1 || count == Integer.MAX_VALUE ? Integer.MAX_VALUE : count + 1;
    warnings.warn(
        LOG,
        key,
        "'{}={}' is read as '{}={}'{}. It bounds the resends of a rate-limited request (each after"
            + " the wait Cosmos asks for); timeouts are resent at once up to '{}' times.",
        key,
        text.trim(),
        CosmosOptions.RETRY_MAX_ATTEMPTS.key(),
        maxAttempts == Integer.MAX_VALUE ? "unlimited" : Integer.toString(maxAttempts),
        count == -1
            ? " (-1: no limit on attempts; '"
                + CosmosOptions.RETRY_MAX_TIME_MS.key()
                + "' still"
                + " bounds the time)"
            : "",
        CosmosOptions.RETRY_TIMEOUT_RETRIES.key());
    return maxAttempts;
  }

  /**
   * SCC settings that replace legacy ones found in {@code perRead} or {@code configuration}, where
   * the user has not set the replacement too.
   */
  public static Map<String, String> connectorReplacements(
      Map<String, String> perRead, Map<String, String> configuration, WarnOnce warnings) {
    Map<String, String> replacements = new LinkedHashMap<>();
    String connections = Settings.valueIgnoringCase(perRead, CONNECTIONS_PER_EXECUTOR_MAX);
    if (connections == null) {
      connections = configured(configuration, CONNECTIONS_PER_EXECUTOR_MAX);
    }
    if (connections != null) {
      for (String replacement : CONNECTION_POOL_KEYS) {
        if (Settings.valueIgnoringCase(perRead, replacement) == null
            && Settings.valueIgnoringCase(configuration, replacement) == null) {
          replacements.put(replacement, connections.trim());
        }
      }
      warnings.warn(
          LOG,
          CONNECTIONS_PER_EXECUTOR_MAX,
          "'{}' is a Spark Cassandra Connector 2.x setting that 3.x rejects; cosmos-spark"
              + " applies its value to '{}' and '{}'. Use those names instead.",
          CONNECTIONS_PER_EXECUTOR_MAX,
          CONNECTION_POOL_KEYS.get(0),
          CONNECTION_POOL_KEYS.get(1));
    }
    return replacements;
  }

  /** The legacy settings mapped here. */
  static final List<String> MAPPED =
      Collections.unmodifiableList(
          Arrays.asList(QUERY_RETRY_COUNT, CONNECTIONS_PER_EXECUTOR_MAX, SPLIT_COUNT));

  /** Whether {@code key} is a legacy setting mapped here (any case). */
  public static boolean isMapped(String key) {
    for (String mapped : MAPPED) {
      if (mapped.equalsIgnoreCase(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The number of Spark partitions a scan is split into, from {@link #SPLIT_COUNT} per read or in
   * the configuration; null when it is not set. Said once: SCC 3 has the number but no setting.
   */
  public static Integer splitCount(
      Map<String, String> perRead, Map<String, String> configuration, WarnOnce warnings) {
    String text = Settings.valueIgnoringCase(perRead, SPLIT_COUNT);
    if (text == null) {
      text = configured(configuration, SPLIT_COUNT);
    }
    if (text == null) {
      return null;
    }
    int count;
    try {
      count = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      count = 0;
    }
    if (count < 1) {
      throw new CosmosConfigException(
          "Option '"
              + SPLIT_COUNT
              + "' must be a number of Spark partitions of 1 or more, got '"
              + text
              + "'.");
    }
    warnings.warn(
        LOG,
        SPLIT_COUNT,
        "'{}={}' is a Spark Cassandra Connector 2.x setting that 3.x rejects; cosmoscassandra"
            + " splits each scan into about {} Spark partitions, as 2.x did (a few more where"
            + " token ranges are split unevenly). Connector 3's setting is"
            + " '{}' (the data in one partition): use it instead.",
        SPLIT_COUNT,
        count,
        count,
        SPLIT_SIZE);
    return count;
  }

  /** Whether {@code factory} is the helper's; says once that cosmoscassandra's replaces it. */
  public static boolean isHelperFactory(String key, String factory, WarnOnce warnings) {
    if (factory == null || !factory.trim().equals(HELPER_FACTORY)) {
      return false;
    }
    warnings.warn(
        LOG,
        key,
        "'{}={}' names Microsoft's Spark helper for connector 2.x. format(\"cosmoscassandra\")"
            + " uses its own connection factory, with rate-limit retries that wait without"
            + " blocking driver threads; remove the setting.",
        key,
        HELPER_FACTORY);
    return true;
  }

  /**
   * Whether {@code factory} is the helper's, which cannot run with connector 3 (its class is not on
   * the classpath); says once that {@code replacement} is used in its place on every path, SCC's
   * own APIs included.
   */
  public static boolean replacesHelperFactory(
      String key, String factory, String replacement, WarnOnce warnings) {
    if (factory == null || !factory.trim().equals(HELPER_FACTORY)) {
      return false;
    }
    warnings.warn(
        LOG,
        key,
        "'{}={}' names Microsoft's Spark helper for connector 2.x, which does not run with"
            + " connector 3. cosmos-spark uses '{}' in its place, for the connector's own APIs"
            + " too (CassandraConnector, cassandraTable, the org.apache.spark.sql.cassandra"
            + " format); remove the setting.",
        key,
        HELPER_FACTORY,
        replacement);
    return true;
  }

  /**
   * Says once per JVM that {@code key} is a name the Spark Cassandra Connector deprecated for
   * {@code replacement}, whose value is applied under the new name.
   */
  public static void renamedByConnector(
      String key, String replacement, String since, WarnOnce warnings) {
    warnings.warn(
        LOG,
        key,
        "'{}' is the Spark Cassandra Connector's old name for '{}' (deprecated since {});"
            + " cosmos-spark applies its value under the new name. Use '{}' instead.",
        key,
        replacement,
        since,
        replacement);
  }
}

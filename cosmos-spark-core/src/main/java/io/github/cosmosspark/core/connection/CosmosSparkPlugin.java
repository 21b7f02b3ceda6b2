package io.github.cosmosspark.core.connection;

import io.github.cosmosspark.core.config.ConnectorDefaults;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.config.Settings;
import io.github.cosmosspark.core.config.WarnOnce;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.core.session.CosmosRuntime;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import scala.Tuple2;

/**
 * {@code spark.plugins=io.github.cosmosspark.core.connection.CosmosSparkPlugin}: makes the Spark
 * Cassandra Connector's own APIs ({@code CassandraConnector(sc)}, {@code sc.cassandraTable}, the
 * {@code org.apache.spark.sql.cassandra} format, SCC's catalog) use the Cosmos account of the
 * {@code spark.cosmos.cassandra.*} settings, and maps the legacy settings SCC refuses.
 *
 * <p>Spark starts a driver plugin while it creates the SparkContext, before the task scheduler and
 * before any user code, so the changes it makes to the live Spark configuration are what every SCC
 * path reads, whatever runs first, and what executors receive when they register. SCC checks its
 * settings ({@code ConfigCheck}) before it calls a connection factory, and on the RDD paths no code
 * of cosmos-spark runs before that check: this is the one place that can map them in time.
 *
 * <p>At start it:
 *
 * <ul>
 *   <li>sets {@code spark.cassandra.connection.factory} and {@code
 *       spark.cassandra.auth.conf.factory} to {@link CosmosConnectionFactory} and {@link
 *       CosmosAuthConfFactory} where they are not set, and replaces Microsoft's helper factory
 *       (with a warning); another factory set by the user is left alone;
 *   <li>maps the legacy settings through {@link LegacySettings} (the same mapping {@code
 *       format("cosmoscassandra")} applies) and moves the keys SCC refuses out of its sight;
 *   <li>puts SCC's deprecated names under their new ones ({@link DeprecatedConnectorSettings}), so
 *       its warning is said once, not on every read;
 *   <li>with cosmos-spark's factories, gives SCC the account's endpoint and Cosmos's defaults for
 *       SCC settings left unset, as the format does, so that every path shares one session.
 * </ul>
 *
 * <p>Settings made later at run time in a session ({@code spark.conf.set}) are not seen here;
 * {@code format("cosmoscassandra")} and the catalog handle those themselves.
 */
public final class CosmosSparkPlugin implements SparkPlugin {

  /** SCC's connection factory setting. */
  public static final String CONNECTION_FACTORY = "spark.cassandra.connection.factory";

  /** SCC's authentication configuration factory setting. */
  public static final String AUTH_CONF_FACTORY = "spark.cassandra.auth.conf.factory";

  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      @Override
      public Map<String, String> init(SparkContext context, PluginContext pluginContext) {
        // SparkEnv's configuration is the SparkContext's own (sc.getConf() is a copy).
        SparkEnv env = SparkEnv.get();
        if (env != null) {
          prepare(env.conf(), CosmosRuntime.get().warnings());
        }
        return Collections.emptyMap();
      }
    };
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    // Executors receive the driver's configuration as the driver plugin left it.
    return null;
  }

  /** Sets the factories and maps the legacy settings in {@code live}, in place. */
  static void prepare(SparkConf live, WarnOnce warnings) {
    DeprecatedConnectorSettings.renameIn(live, warnings);
    Map<String, String> settings = new HashMap<>();
    for (Tuple2<String, String> entry : live.getAll()) {
      settings.put(entry._1(), entry._2());
    }
    String ours = CosmosConnectionFactory.class.getName();
    String factory = live.get(CONNECTION_FACTORY, null);
    if (factory == null
        || LegacySettings.replacesHelperFactory(CONNECTION_FACTORY, factory, ours, warnings)) {
      live.set(CONNECTION_FACTORY, ours);
      factory = ours;
    }
    // With our connection factory, the account comes from our auth conf factory.
    if (factory.trim().equals(ours) && !live.contains(AUTH_CONF_FACTORY)) {
      live.set(AUTH_CONF_FACTORY, CosmosAuthConfFactory.class.getName());
    }
    for (Map.Entry<String, String> replacement :
        LegacySettings.connectorReplacements(
                Collections.<String, String>emptyMap(), settings, warnings)
            .entrySet()) {
      live.set(replacement.getKey(), replacement.getValue());
    }
    for (String key : LegacySettings.REMOVED_KEYS) {
      if (live.contains(key)) {
        live.set(LegacySettings.movedKey(key), live.get(key));
        live.remove(key);
      }
    }
    if (factory.trim().equals(ours)) {
      connectLikeTheFormat(live, settings, warnings);
    }
  }

  /**
   * Gives SCC's own APIs the connection settings {@code format("cosmoscassandra")} hands SCC: the
   * account's endpoint, TLS and user name, and Cosmos's defaults for SCC settings left unset. SCC
   * keeps one session per distinct connection configuration; without these, its APIs and the format
   * reached the same account through two sessions, each with its own connections (a TLS handshake
   * and a login each). Nothing is set when no account is configured here (it may come with each
   * read); a configuration that does not resolve is reported by the first read or connection,
   * naming the option.
   */
  private static void connectLikeTheFormat(
      SparkConf live, Map<String, String> settings, WarnOnce warnings) {
    for (ConnectorDefaults.Setting setting : ConnectorDefaults.all()) {
      if (!live.contains(setting.key())) {
        live.set(setting.key(), setting.value());
      }
    }
    if (Settings.valueIgnoringCase(settings, CosmosOptions.ACCOUNT.key()) == null
        && Settings.valueIgnoringCase(settings, CosmosOptions.CONNECTION_STRING.key()) == null) {
      return;
    }
    CosmosCassandraConfig config;
    try {
      config =
          CosmosCassandraConfig.resolve(Collections.<String, String>emptyMap(), settings, warnings);
    } catch (CosmosConfigException e) {
      return;
    }
    live.set("spark.cassandra.connection.host", config.host());
    live.set("spark.cassandra.connection.port", Integer.toString(config.port()));
    live.set("spark.cassandra.connection.ssl.enabled", Boolean.toString(config.tlsEnabled()));
    live.set("spark.cassandra.auth.username", config.account());
  }
}

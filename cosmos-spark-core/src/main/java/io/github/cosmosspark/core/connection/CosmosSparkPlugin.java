package io.github.cosmosspark.core.connection;

import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.config.WarnOnce;
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
 *       format("cosmoscassandra")} applies) and moves the keys SCC refuses out of its sight.
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
  }
}

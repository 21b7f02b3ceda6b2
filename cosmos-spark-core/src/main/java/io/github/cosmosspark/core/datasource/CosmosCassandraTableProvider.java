package io.github.cosmosspark.core.datasource;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.datasource.CassandraSourceUtil;
import com.datastax.spark.connector.datasource.CassandraTable;
import io.github.cosmosspark.core.compat.ConnectorVersionCheck;
import io.github.cosmosspark.core.compat.ScalaMaps;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosConfigException;
import io.github.cosmosspark.core.config.CosmosOption;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.connection.TrustStores;
import io.github.cosmosspark.core.throughput.BudgetPlan;
import io.github.cosmosspark.core.throughput.TableBudgets;
import io.github.cosmosspark.core.throughput.ThroughputPlanner;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.cassandra.DefaultSource;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * The {@code cosmoscassandra} format. Resolves and checks the Cosmos configuration on the driver,
 * before any data moves, then hands SCC's own source ({@link DefaultSource}) the translated
 * options, so the table, its scans and its writes are SCC's.
 */
public final class CosmosCassandraTableProvider implements TableProvider, DataSourceRegister {

  /** The name users pass to {@code format(...)}. */
  public static final String SHORT_NAME = "cosmoscassandra";

  private static final Logger LOG = LoggerFactory.getLogger(CosmosCassandraTableProvider.class);
  private static final List<String> SECRET_KEYS =
      Arrays.asList(
          CosmosOptions.PASSWORD.key(),
          CosmosOptions.CONNECTION_STRING.key(),
          CosmosOptions.TRUSTSTORE_PASSWORD.key(),
          "spark.cassandra.auth.password",
          "spark.cassandra.connection.ssl.trustStore.password");
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /**
   * SCC's own source, made on first use: Spark instantiates every registered data source to look
   * one up by name, and a user reading Parquet must not meet our SCC version check.
   */
  private DefaultSource connectorSource;

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    Resolved resolved = resolve(options.asCaseSensitiveMap());
    return lookUp(resolved, () -> connectorSource().inferSchema(resolved.connectorOptions));
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    Resolved resolved = resolve(properties);
    CassandraTable table =
        lookUp(
            resolved,
            () ->
                (CassandraTable)
                    connectorSource()
                        .getTable(
                            schema, partitioning, resolved.connectorOptions.asCaseSensitiveMap()));
    return new CosmosCassandraTable(table, resolved.plan);
  }

  /**
   * SCC looks the table up in the schema its cached session holds, which learns of a keyspace or
   * table another client created only from the server's schema event, after the driver's one-second
   * debounce, or not at all if the event is lost; a write right after a CREATE TABLE elsewhere
   * would fail. So before calling either missing, refresh that session's schema and look once more.
   * The refresh waits on the thread planning the query, not on a driver I/O thread.
   */
  private static <T> T lookUp(Resolved resolved, Supplier<T> lookup) {
    try {
      return lookup.get();
    } catch (Exception e) {
      if (!(e instanceof NoSuchTableException || e instanceof NoSuchNamespaceException)) {
        throw explainMissing(e, resolved.config);
      }
    }
    refreshConnectorSchema(resolved.connectorOptions);
    try {
      return lookup.get();
    } catch (Exception e) {
      throw explainMissing(e, resolved.config);
    }
  }

  /** The session SCC's source looks tables up in: its connector, built as SCC builds it. */
  private static void refreshConnectorSchema(CaseInsensitiveStringMap connectorOptions) {
    SparkSession spark = SparkSession.active();
    SparkConf conf =
        CassandraSourceUtil.consolidateConfs(
            spark.sparkContext().getConf(),
            spark.conf().getAll(),
            connectorOptions.getOrDefault("cluster", "default"),
            connectorOptions.get("keyspace"),
            ScalaMaps.toImmutable(connectorOptions));
    try (CqlSession session = CassandraConnector.apply(conf).openSession()) {
      session.refreshSchema();
    }
  }

  /**
   * SCC's "couldn't find" for a missing keyspace or table, with the account and what to do; of the
   * same class, which Spark and the catalog act on. Anything else as it is.
   */
  private static RuntimeException explainMissing(Exception e, CosmosCassandraConfig config) {
    String where = " in account '" + config.account() + "'";
    if (e instanceof NoSuchNamespaceException) {
      return sneakyThrow(
          new NoSuchNamespaceException(
              "Couldn't find keyspace "
                  + config.keyspace()
                  + where
                  + ". Check the option 'keyspace', or create the keyspace first (CQL CREATE"
                  + " KEYSPACE, or CREATE NAMESPACE in the cosmos-spark SQL catalog).",
              Option.<Throwable>apply(e)));
    }
    if (e instanceof NoSuchTableException) {
      return sneakyThrow(
          new NoSuchTableException(
              "Couldn't find table "
                  + config.keyspace()
                  + "."
                  + config.table()
                  + where
                  + ". Check the options 'keyspace' and 'table' (CQL names are lower case unless"
                  + " created in quotes), or create the table first (CQL CREATE TABLE, or CREATE"
                  + " TABLE in the cosmos-spark SQL catalog).",
              Option.<Throwable>apply(e)));
    }
    return e instanceof RuntimeException ? (RuntimeException) e : sneakyThrow(e);
  }

  /** Throws a checked exception from a method that cannot declare it, as SCC's Scala does. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneakyThrow(Throwable e) throws E {
    throw (E) e;
  }

  private synchronized DefaultSource connectorSource() {
    if (connectorSource == null) {
      // Before any SCC code runs: another SCC on the classpath gets named, not a NoSuchMethodError.
      ConnectorVersionCheck.verify();
      connectorSource = new DefaultSource();
    }
    return connectorSource;
  }

  /** SCC's options for one read or write, and the job's budget on its table. */
  private static final class Resolved {
    final CosmosCassandraConfig config;
    final CaseInsensitiveStringMap connectorOptions;
    final BudgetPlan plan;

    Resolved(
        CosmosCassandraConfig config, CaseInsensitiveStringMap connectorOptions, BudgetPlan plan) {
      this.config = config;
      this.connectorOptions = connectorOptions;
      this.plan = plan;
    }
  }

  private static Resolved resolve(Map<String, String> options) {
    Map<String, String> configuration = sparkConfiguration();
    CosmosCassandraConfig config = CosmosCassandraConfig.resolve(options, configuration);
    if (config.keyspace() == null || config.table() == null) {
      throw new CosmosConfigException(
          "Name the table to "
              + "read or write: .option(\""
              + CosmosOptions.KEYSPACE.name()
              + "\", \"<keyspace>\").option(\""
              + CosmosOptions.TABLE.name()
              + "\", \"<table>\")"
              + (config.keyspace() == null ? " (keyspace is missing)" : " (table is missing)")
              + "."
              + misspelt(options.keySet(), config));
    }
    if (config.tlsEnabled() && config.truststorePath() != null) {
      TrustStores.load(config);
    }
    Map<String, String> translated = ConnectorOptions.translate(config, options, configuration);
    BudgetPlan plan =
        ThroughputPlanner.plan(
            config.throughput(),
            config.keyspace(),
            config.table(),
            SparkSession.active().sparkContext());
    if (plan != null) {
      translated.putAll(TableBudgets.toResolvedOptions(plan.budget()));
    }
    return new Resolved(config, new CaseInsensitiveStringMap(translated), plan);
  }

  /** Points at a given option that looks like a misspelt keyspace or table, or says nothing. */
  private static String misspelt(Set<String> given, CosmosCassandraConfig config) {
    CosmosOption<String> missing =
        config.keyspace() == null ? CosmosOptions.KEYSPACE : CosmosOptions.TABLE;
    String near = CosmosOptions.misspelling(given, missing);
    return near == null
        ? ""
        : " Option '" + near + "' was given: did you mean '" + missing.name() + "'?";
  }

  /** Lets a test see the once-per-key warning again. */
  static void forgetWarnings() {
    WARNED.clear();
  }

  /** The Spark configuration with the session's settings over it, as SCC itself merges them. */
  private static Map<String, String> sparkConfiguration() {
    SparkSession session = SparkSession.active();
    Map<String, String> configuration = new HashMap<>();
    for (Tuple2<String, String> entry : session.sparkContext().getConf().getAll()) {
      configuration.put(entry._1(), entry._2());
    }
    Map<String, String> sessionSettings =
        JavaConverters.mapAsJavaMapConverter(session.conf().getAll()).asJava();
    warnAboutSecretsSetAtRunTime(sessionSettings, configuration);
    configuration.putAll(sessionSettings);
    removeKeysTheConnectorRejects(session);
    return configuration;
  }

  /**
   * SCC 3 refuses to run while the configuration holds a key it does not know, and it reads the
   * Spark and session configuration itself. The legacy keys it rejects are mapped to their
   * replacements by {@link ConnectorOptions}, so take them out of both.
   */
  private static void removeKeysTheConnectorRejects(SparkSession session) {
    SparkConf live = SparkEnv.get() != null ? SparkEnv.get().conf() : null;
    for (String key : LegacySettings.REMOVED_KEYS) {
      if (session.conf().contains(key)) {
        session.conf().unset(key);
      }
      if (live != null && live.contains(key)) {
        live.remove(key);
      }
    }
  }

  /**
   * Spark copies every session setting made at run time into each job's properties, and its event
   * log redacts only keys that are also in the Spark configuration; a key set with {@code
   * spark.conf().set(...)} therefore reaches the event log in clear. Nothing here can stop Spark
   * doing that, so say it once per key.
   */
  private static void warnAboutSecretsSetAtRunTime(
      Map<String, String> sessionSettings, Map<String, String> sparkConf) {
    for (String key : SECRET_KEYS) {
      String value = sessionSettings.get(key);
      if (value != null && !value.equals(sparkConf.get(key)) && WARNED.add(key)) {
        LOG.warn(
            "'{}' is set in the session configuration at run time. Spark copies such settings"
                + " into every job's properties and writes them unredacted to the event log. Put"
                + " it in the cluster's Spark configuration (or spark-submit --conf), or pass it"
                + " as a read/write option.",
            key);
      }
    }
  }
}

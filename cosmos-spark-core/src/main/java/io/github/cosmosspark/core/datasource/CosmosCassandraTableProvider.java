package io.github.cosmosspark.core.datasource;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.datasource.CassandraSourceUtil;
import com.datastax.spark.connector.datasource.CassandraTable;
import io.github.cosmosspark.core.compat.ConnectorVersionCheck;
import io.github.cosmosspark.core.compat.ScalaMaps;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOption;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.config.PerReadOptions;
import io.github.cosmosspark.core.connection.DeprecatedConnectorSettings;
import io.github.cosmosspark.core.connection.Endpoints;
import io.github.cosmosspark.core.connection.TrustStores;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.throughput.BudgetPlan;
import io.github.cosmosspark.core.throughput.ThroughputPlanner;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.cassandra.DefaultSource;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.SupportsCatalogOptions;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The {@code cosmoscassandra} format. Resolves and checks the Cosmos configuration on the driver,
 * before any data moves, then hands SCC's own source ({@link DefaultSource}) the translated
 * options, so the table, its scans and its writes are SCC's.
 */
public final class CosmosCassandraTableProvider
    implements TableProvider, SupportsCatalogOptions, DataSourceRegister {

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

  /**
   * SCC's own source, made on first use: Spark instantiates every registered data source to look
   * one up by name, and a user reading Parquet must not meet our SCC version check.
   */
  private DefaultSource connectorSource;

  /**
   * Spark asks a provider for a read's or write's schema and then for its table, with the same
   * options: what {@link #inferSchema} resolved, kept for that one {@link #getTable} call, so that
   * each read or write resolves its options (and says their warnings) once.
   */
  private Resolved inferred;

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  /**
   * The table the options name, as the label of the catalog's table in plans; the options
   * themselves are resolved when {@link FormatCatalog} loads it, so that a missing name gets the
   * same error as without a catalog.
   */
  @Override
  public Identifier extractIdentifier(CaseInsensitiveStringMap options) {
    return Identifier.of(
        new String[] {given(options, CosmosOptions.KEYSPACE)}, given(options, CosmosOptions.TABLE));
  }

  private static String given(CaseInsensitiveStringMap options, CosmosOption<String> option) {
    String value = options.get(option.name());
    if (value == null) {
      value = options.get(option.key());
    }
    return value == null ? "" : value;
  }

  /** See {@link FormatCatalog}: why the format resolves its reads and writes through a catalog. */
  @Override
  public String extractCatalog(CaseInsensitiveStringMap options) {
    return FormatCatalog.nameFor(options);
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    Resolved resolved = resolve(options.asCaseSensitiveMap());
    StructType schema =
        lookUp(resolved, () -> connectorSource().inferSchema(resolved.connectorOptions));
    synchronized (this) {
      inferred = resolved;
    }
    return schema;
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    Resolved resolved = takeInferred(properties);
    if (resolved == null) {
      resolved = resolve(properties);
    }
    Resolved table = resolved;
    CassandraTable connectorTable =
        lookUp(
            table,
            () ->
                (CassandraTable)
                    connectorSource()
                        .getTable(
                            schema, partitioning, table.connectorOptions.asCaseSensitiveMap()));
    return new CosmosCassandraTable(
        connectorTable, table.plan, table.config.spreadWritesOverPartitions());
  }

  /** What {@link #inferSchema} resolved for the same options, once; else null. */
  private synchronized Resolved takeInferred(Map<String, String> properties) {
    Resolved taken = inferred;
    inferred = null;
    return taken != null && taken.options.equals(properties) ? taken : null;
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
  static <E extends Throwable> RuntimeException sneakyThrow(Throwable e) throws E {
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
    final Map<String, String> options;
    final CosmosCassandraConfig config;
    final CaseInsensitiveStringMap connectorOptions;
    final BudgetPlan plan;

    Resolved(
        Map<String, String> options,
        CosmosCassandraConfig config,
        CaseInsensitiveStringMap connectorOptions,
        BudgetPlan plan) {
      this.options = new HashMap<>(options);
      this.config = config;
      this.connectorOptions = connectorOptions;
      this.plan = plan;
    }
  }

  private static Resolved resolve(Map<String, String> given) {
    CosmosRuntime runtime = CosmosRuntime.get();
    SparkSession session = SparkSession.active();
    Map<String, String> options =
        DeprecatedConnectorSettings.renamed(
            PerReadOptions.check(given, ConnectorKeys.get(), runtime.warnings()),
            runtime.warnings());
    DeprecatedConnectorSettings.renameIn(session, runtime.warnings());
    Map<String, String> configuration = SparkSettings.merged(session);
    warnAboutSecretsSetAtRunTime(SparkSettings.sessionSettings(session), session, runtime);
    removeKeysTheConnectorRejects(session);
    CosmosCassandraConfig config =
        CosmosCassandraConfig.resolve(options, configuration, runtime.warnings());
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
    Endpoints.requireResolvable(config);
    Map<String, String> translated =
        ConnectorOptions.translate(config, options, configuration, runtime.warnings());
    BudgetPlan plan =
        ThroughputPlanner.plan(
            config.throughput(),
            config.keyspace(),
            config.table(),
            session.sparkContext(),
            runtime.provisionedThroughput(),
            runtime.warnings());
    return new Resolved(given, config, new CaseInsensitiveStringMap(translated), plan);
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

  /**
   * SCC 3 refuses to run while the configuration holds a deprecated key it no longer takes (its
   * ConfigCheck throws for them, and for any such key a connection factory declares), and it reads
   * the Spark and session configuration itself. The legacy keys it rejects are mapped to their
   * replacements by {@link ConnectorOptions}, after {@link #resolve} has read them, so this one
   * step takes them out of both (keeping each value under {@link LegacySettings#movedKey}, where
   * later reads and writes map it again): the only change cosmos-spark makes to a configuration.
   */
  static void removeKeysTheConnectorRejects(SparkSession session) {
    SparkConf live = SparkEnv.get() != null ? SparkEnv.get().conf() : null;
    for (String key : LegacySettings.REMOVED_KEYS) {
      if (session.conf().contains(key)) {
        session.conf().set(LegacySettings.movedKey(key), session.conf().get(key));
        session.conf().unset(key);
      }
      if (live != null && live.contains(key)) {
        live.set(LegacySettings.movedKey(key), live.get(key));
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
      Map<String, String> sessionSettings, SparkSession session, CosmosRuntime runtime) {
    SparkConf sparkConf = session.sparkContext().getConf();
    for (String key : SECRET_KEYS) {
      String value = sessionSettings.get(key);
      if (value != null && !value.equals(sparkConf.get(key, null))) {
        runtime
            .warnings()
            .warn(
                LOG,
                "secret set at run time " + key,
                "'{}' is set in the session configuration at run time. Spark copies such settings"
                    + " into every job's properties and writes them unredacted to the event log."
                    + " Put it in the cluster's Spark configuration (or spark-submit --conf), or"
                    + " pass it as a read/write option.",
                key);
      }
    }
  }
}

package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.japi.CassandraJavaUtil;
import com.datastax.spark.connector.util.DeprecatedConfigParameter;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.catalog.CosmosCassandraCatalog;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.connection.CosmosAuthConfFactory;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.core.connection.CosmosSparkPlugin;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.runtime.AbstractFunction1;

/**
 * The recommended cluster configuration (the {@code spark.cosmos.cassandra.*} account and {@code
 * spark.plugins}) with the sample notebooks' legacy settings: every Spark Cassandra Connector path
 * reaches the account, whichever runs first. Each test starts its own SparkContext, since the
 * plugin starts with one, and stops it so that later tests build a fresh shared session.
 */
@CosmosEmulatorTest
class SparkPluginTest {
  private static final String KEYSPACE = "plugin_paths";
  private static final String FACTORY = CosmosSparkPlugin.CONNECTION_FACTORY;
  private static final String CONNECTIONS = LegacySettings.CONNECTIONS_PER_EXECUTOR_MAX;

  private final CosmosEmulator emulator;
  private final Map<Integer, String> books = new TreeMap<>();
  private SparkSession spark;
  private Warnings warnings;

  SparkPluginTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeEach
  void books() {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, "books", 10_000);
    try (CqlSession session = emulator.newSession()) {
      for (int id = 0; id < 50; id++) {
        session.execute(
            "INSERT INTO " + KEYSPACE + ".books (id, title, pages) VALUES (?, ?, ?)",
            id,
            "title-" + id,
            id * 2);
        books.put(id, "title-" + id);
      }
    }
  }

  /**
   * A fresh SparkContext with the account, the catalog and {@code settings} in its configuration,
   * as a cluster's Spark config gives them (not a session builder's options).
   */
  private void start(String... settings) {
    stop(SparkSession.getActiveSession());
    stop(SparkSession.getDefaultSession());
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    CosmosRuntimes.forgetJobs();
    warnings = new Warnings(LegacySettings.class);
    SparkConf conf =
        new SparkConf()
            .setMaster("local[2]")
            .setAppName("cosmos-spark-plugin-tests")
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false")
            .set("spark.sql.shuffle.partitions", "4")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.sql.catalog.cosmos", CosmosCassandraCatalog.class.getName());
    EmulatorBooks.connectionOptions(emulator).forEach(conf::set);
    for (int i = 0; i < settings.length; i += 2) {
      conf.set(settings[i], settings[i + 1]);
    }
    SparkContext.getOrCreate(conf);
    spark = SparkSession.builder().getOrCreate();
  }

  /** The plugin, with what Microsoft's sample notebooks put in the cluster configuration. */
  private void startWithThePluginAndTheNotebooksSettings(String... more) {
    List<String> settings =
        new ArrayList<>(
            Arrays.asList(
                "spark.plugins",
                CosmosSparkPlugin.class.getName(),
                FACTORY,
                LegacySettings.HELPER_FACTORY,
                CONNECTIONS,
                "3"));
    settings.addAll(Arrays.asList(more));
    start(settings.toArray(new String[0]));
  }

  @AfterEach
  void stopThePluginSession() {
    if (warnings != null) {
      warnings.close();
    }
    if (spark != null) {
      spark.stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    LocalSpark.session();
  }

  @Test
  void withThePluginCatalogSqlAsTheFirstCommandThenEveryOtherPathReadsTheBooks() {
    startWithThePluginAndTheNotebooksSettings();
    assertEquals(books, catalogSql());
    assertEquals(books, cassandraConnector());
    assertEquals(books, cassandraTable());
    assertEquals(books, plainFormat());
    assertTheNotebookSettingsWereMappedWithOneWarningEach();
  }

  @Test
  void withThePluginCassandraConnectorAsTheFirstCommandThenEveryOtherPathReadsTheBooks() {
    startWithThePluginAndTheNotebooksSettings();
    assertEquals(books, cassandraConnector());
    assertEquals(books, cassandraTable());
    assertEquals(books, plainFormat());
    assertEquals(books, catalogSql());
    assertTheNotebookSettingsWereMappedWithOneWarningEach();
  }

  @Test
  void withThePluginCassandraTableAsTheFirstCommandThenThePlainFormatReadsTheBooks() {
    startWithThePluginAndTheNotebooksSettings();
    assertEquals(books, cassandraTable());
    assertEquals(books, plainFormat());
    assertTheNotebookSettingsWereMappedWithOneWarningEach();
  }

  @Test
  void withThePluginThePlainFormatAsTheFirstCommandReadsTheBooks() {
    startWithThePluginAndTheNotebooksSettings();
    assertEquals(books, plainFormat());
    assertEquals(books, cassandraConnector());
    assertTheNotebookSettingsWereMappedWithOneWarningEach();
  }

  @Test
  void withOnlyTheTwoFactoryKeysEveryPathReadsTheBooks() {
    start(
        FACTORY,
        CosmosConnectionFactory.class.getName(),
        CosmosSparkPlugin.AUTH_CONF_FACTORY,
        CosmosAuthConfFactory.class.getName());
    assertEquals(books, cassandraConnector());
    assertEquals(books, cassandraTable());
    assertEquals(books, plainFormat());
    assertEquals(books, catalogSql());
    assertEquals(Collections.emptyList(), warnings.all());
  }

  /**
   * A notebook's day with the plugin and the old settings Microsoft's notebooks carry: every SCC
   * path, the format's reads and writes, and the catalog's DDL share one driver session (each
   * session to Cosmos opens its own connections, each a TLS handshake and a login), and each old
   * name is warned about once, however often the connector's configuration is built.
   */
  @Test
  void aNotebooksReadsWritesAndCatalogStatementsShareOneSessionAndWarnOncePerOldName() {
    startWithThePluginAndTheNotebooksSettings(
        "spark.cassandra.connection.keep_alive_ms", "60000000",
        "spark.cassandra.input.split.size_in_mb", "64");
    EmulatorBooks.createTable(emulator, KEYSPACE, "copy0", 10_000);
    EmulatorBooks.createTable(emulator, KEYSPACE, "copy1", 10_000);
    CassandraConnector.evictCache(); // sessions earlier tests left open
    int before = CosmosRuntime.get().sessionsOpened();
    try (Warnings connector = new Warnings(DeprecatedConfigParameter.class)) {
      for (int round = 0; round < 2; round++) {
        assertEquals(books, catalogSql());
        assertEquals(books, cassandraConnector());
        assertEquals(books, cassandraTable());
        assertEquals(books, plainFormat());
        assertEquals(books, cosmosFormat());
        spark
            .table("cosmos." + KEYSPACE + ".books")
            .write()
            .format("cosmoscassandra")
            .option("keyspace", KEYSPACE)
            .option("table", "copy" + round)
            .mode("append")
            .save();
        spark.sql("SHOW TABLES IN cosmos." + KEYSPACE).collectAsList();
      }
      spark.sql(
          "CREATE TABLE IF NOT EXISTS cosmos."
              + KEYSPACE
              + ".created (id INT, title STRING) USING cosmoscassandra PARTITIONED BY (id)"
              + " TBLPROPERTIES (cosmosdb_provisioned_throughput='400')");
      assertEquals(
          Collections.emptyList(),
          connector.all(),
          "SCC's own warning, said on every copy of the configuration it builds");
    }

    assertEquals(1, CosmosRuntime.get().sessionsOpened() - before);
    assertEquals(
        Arrays.asList(
            "'spark.cassandra.connection.keep_alive_ms' is the Spark Cassandra Connector's old"
                + " name for 'spark.cassandra.connection.keepAliveMS' (deprecated since DSE"
                + " 6.0.0); cosmos-spark applies its value under the new name. Use"
                + " 'spark.cassandra.connection.keepAliveMS' instead."),
        warnings.about("keep_alive_ms"));
    assertEquals(1, warnings.about("'spark.cassandra.input.split.size_in_mb'").size());
    assertEquals(
        "60000000", spark.sparkContext().getConf().get("spark.cassandra.connection.keepAliveMS"));
  }

  private Map<Integer, String> cosmosFormat() {
    return byId(
        spark
            .read()
            .format("cosmoscassandra")
            .option("keyspace", KEYSPACE)
            .option("table", "books")
            .load()
            .select("id", "title")
            .collectAsList());
  }

  private void assertTheNotebookSettingsWereMappedWithOneWarningEach() {
    SparkConf live = spark.sparkContext().getConf();
    assertEquals(CosmosConnectionFactory.class.getName(), live.get(FACTORY));
    assertEquals(
        CosmosAuthConfFactory.class.getName(), live.get(CosmosSparkPlugin.AUTH_CONF_FACTORY));
    assertFalse(live.contains(CONNECTIONS), "SCC refuses the key");
    assertEquals("3", live.get("spark.cassandra.connection.localConnectionsPerExecutor"));
    assertEquals("3", live.get("spark.cassandra.connection.remoteConnectionsPerExecutor"));
    CassandraConnector connector = CassandraConnector.apply(live);
    assertEquals(Option.apply(3), connector.conf().localConnectionsPerExecutor());

    List<String> factory = warnings.about("'" + FACTORY + "=");
    assertEquals(1, factory.size(), warnings.all().toString());
    assertEquals(
        "'spark.cassandra.connection.factory="
            + LegacySettings.HELPER_FACTORY
            + "' names Microsoft's Spark helper for connector 2.x, which does not run with"
            + " connector 3. cosmos-spark uses '"
            + CosmosConnectionFactory.class.getName()
            + "' in its place, for the connector's own APIs too (CassandraConnector,"
            + " cassandraTable, the org.apache.spark.sql.cassandra format); remove the setting.",
        factory.get(0));
    List<String> connections = warnings.about("'" + CONNECTIONS + "'");
    assertEquals(1, connections.size(), warnings.all().toString());
    assertEquals(
        "'spark.cassandra.connection.connections_per_executor_max' is a Spark Cassandra"
            + " Connector 2.x setting that 3.x rejects; cosmos-spark applies its value to"
            + " 'spark.cassandra.connection.localConnectionsPerExecutor' and"
            + " 'spark.cassandra.connection.remoteConnectionsPerExecutor'. Use those names"
            + " instead.",
        connections.get(0));
  }

  private Map<Integer, String> catalogSql() {
    return byId(spark.sql("SELECT id, title FROM cosmos." + KEYSPACE + ".books").collectAsList());
  }

  private Map<Integer, String> plainFormat() {
    return byId(
        spark
            .read()
            .format("org.apache.spark.sql.cassandra")
            .option("keyspace", KEYSPACE)
            .option("table", "books")
            .load()
            .select("id", "title")
            .collectAsList());
  }

  private Map<Integer, String> cassandraTable() {
    Map<Integer, String> read = new TreeMap<>();
    for (com.datastax.spark.connector.japi.CassandraRow row :
        CassandraJavaUtil.javaFunctions(spark.sparkContext())
            .cassandraTable(KEYSPACE, "books")
            .select("id", "title")
            .collect()) {
      read.put(row.getInt("id"), row.getString("title"));
    }
    return read;
  }

  private Map<Integer, String> cassandraConnector() {
    return CassandraConnector.apply(spark.sparkContext())
        .withSessionDo(
            new AbstractFunction1<CqlSession, Map<Integer, String>>() {
              @Override
              public Map<Integer, String> apply(CqlSession session) {
                Map<Integer, String> read = new TreeMap<>();
                for (com.datastax.oss.driver.api.core.cql.Row row :
                    session.execute("SELECT id, title FROM " + KEYSPACE + ".books")) {
                  read.put(row.getInt("id"), row.getString("title"));
                }
                return read;
              }
            });
  }

  private static Map<Integer, String> byId(List<Row> rows) {
    Map<Integer, String> read = new HashMap<>();
    for (Row row : rows) {
      read.put(row.getInt(0), row.getString(1));
    }
    return new TreeMap<>(read);
  }

  private static void stop(Option<SparkSession> session) {
    if (session.isDefined() && !session.get().sparkContext().isStopped()) {
      session.get().stop();
    }
  }
}

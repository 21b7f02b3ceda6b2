package io.github.cosmosspark.examples;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.spark.connector.cql.CassandraConnector;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.connection.CosmosAuthConfFactory;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.CosmosEmulatorMain;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The account every example runs against, found the way a user would give it, and otherwise the
 * local emulator, started here and stopped on {@link #close()}.
 *
 * <p>In order: a properties file of {@code spark.cosmos.cassandra.*} settings ({@code
 * -Dcosmos.properties=path} or {@code COSMOS_PROPERTIES}; the emulator's own {@code
 * cosmos-emulator.properties} works), the portal's connection string ({@code
 * COSMOS_CONNECTION_STRING}), an account and its key ({@code COSMOS_ACCOUNT} and {@code
 * COSMOS_KEY}). The settings are passed to each read and write as options, never through the
 * session builder, and the key is never printed.
 */
public final class ExampleAccount implements AutoCloseable {

  /** The keyspace the examples use unless told otherwise ({@code keyspace=...}). */
  public static final String DEFAULT_KEYSPACE = "cosmos_spark_examples";

  private final Map<String, String> settings;
  private final String source;
  private final CosmosEmulator emulator;
  private final CassandraServer ownCassandra;

  private ExampleAccount(
      Map<String, String> settings,
      String source,
      CosmosEmulator emulator,
      CassandraServer ownCassandra) {
    this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    this.source = source;
    this.emulator = emulator;
    this.ownCassandra = ownCassandra;
  }

  /** The configured account, or a freshly started emulator when none is configured. */
  public static ExampleAccount fromEnvironment() {
    String propertiesFile = System.getProperty("cosmos.properties", "");
    if (propertiesFile.isEmpty()) {
      propertiesFile = environment("COSMOS_PROPERTIES");
    }
    if (!propertiesFile.isEmpty()) {
      return new ExampleAccount(
          readProperties(Paths.get(propertiesFile)), propertiesFile, null, null);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    String connectionString = environment("COSMOS_CONNECTION_STRING");
    if (!connectionString.isEmpty()) {
      settings.put("spark.cosmos.cassandra.connectionString", connectionString);
      return new ExampleAccount(settings, "COSMOS_CONNECTION_STRING", null, null);
    }
    String account = environment("COSMOS_ACCOUNT");
    String key = environment("COSMOS_KEY");
    if (!account.isEmpty() || !key.isEmpty()) {
      if (account.isEmpty() || key.isEmpty()) {
        throw new IllegalStateException(
            "Set both COSMOS_ACCOUNT (the account name) and COSMOS_KEY (its primary password"
                + " from the portal's Connection String page), or neither to use the emulator.");
      }
      settings.put("spark.cosmos.cassandra.account", account);
      settings.put("spark.cosmos.cassandra.password", key);
      return new ExampleAccount(settings, "COSMOS_ACCOUNT and COSMOS_KEY", null, null);
    }
    System.out.println(
        "No Cosmos DB account configured (COSMOS_CONNECTION_STRING, COSMOS_ACCOUNT + COSMOS_KEY,"
            + " or -Dcosmos.properties): starting Apache Cassandra and the local Cosmos emulator"
            + " (about 15 s)...");
    CassandraServer cassandra = CassandraServer.builder().build();
    try {
      cassandra.start();
      CosmosEmulator started = CosmosEmulator.builder(cassandra).build().start();
      return new ExampleAccount(settingsOf(started), "the local emulator", started, cassandra);
    } catch (RuntimeException e) {
      cassandra.close();
      throw e;
    }
  }

  /** An emulator someone else started and stops, for tests. */
  public static ExampleAccount ofEmulator(CosmosEmulator emulator) {
    return new ExampleAccount(settingsOf(emulator), "the local emulator", emulator, null);
  }

  /** The connection settings, to pass as read and write options. Holds the key: never print. */
  public Map<String, String> options() {
    return settings;
  }

  /** {@link #options()} plus the keyspace and table to read or write. */
  public Map<String, String> options(String keyspace, String table) {
    Map<String, String> options = new LinkedHashMap<>(settings);
    options.put("keyspace", keyspace);
    options.put("table", table);
    return options;
  }

  /**
   * The Spark Cassandra Connector's configuration for this account through cosmos-spark's
   * connection factories: what SCC's Java API (DDL, RDD writes and deletes) needs.
   */
  public SparkConf connectorConf() {
    SparkConf conf = new SparkConf(false);
    settings.forEach(conf::set);
    conf.set("spark.cassandra.connection.factory", CosmosConnectionFactory.class.getName());
    conf.set("spark.cassandra.auth.conf.factory", CosmosAuthConfFactory.class.getName());
    // What the format sets for its own writes: one row per statement.
    conf.set("spark.cassandra.output.batch.size.rows", "1");
    return conf;
  }

  /** SCC's connector to this account, with Cosmos's TLS, retries and defaults. */
  public CassandraConnector connector() {
    return CassandraConnector.apply(connectorConf());
  }

  /** Runs CQL statements (DDL, mostly) on one session, printing each. */
  public void execute(String... statements) {
    try (CqlSession session = connector().openSession()) {
      for (String statement : statements) {
        System.out.println("  cql> " + statement);
        session.execute(statement);
      }
    }
  }

  /** The emulator this account is, or null for a real Cosmos account. */
  public CosmosEmulator emulator() {
    return emulator;
  }

  /** Where the account came from and where it is, without the key. */
  public String describe() {
    CosmosCassandraConfig config =
        CosmosCassandraConfig.resolve(settings, Collections.<String, String>emptyMap());
    return String.format(
        "account '%s' at %s:%d (from %s)", config.account(), config.host(), config.port(), source);
  }

  /**
   * A local Spark session ({@code local[*]}) unless {@code spark.master} says otherwise, as under
   * spark-submit. No account setting goes into the builder: Spark logs builder settings.
   */
  public static SparkSession spark(String application) {
    return sparkBuilder(application).getOrCreate();
  }

  /**
   * {@link #spark(String)}'s builder, for an example that needs settings of its own fixed when the
   * session is built (Spark's static settings, such as {@code spark.sql.extensions}).
   */
  public static SparkSession.Builder sparkBuilder(String application) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(application)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4");
    if (!new SparkConf().contains("spark.master")) {
      builder
          .master("local[*]")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1");
    }
    return builder;
  }

  @Override
  public void close() {
    if (ownCassandra != null) {
      // The connector keeps sessions open for a while after use; close them while their endpoint
      // is still up, not from a shutdown hook after it is gone.
      CassandraConnector.evictCache();
      emulator.close();
      ownCassandra.close();
    }
  }

  private static Map<String, String> settingsOf(CosmosEmulator emulator) {
    Map<String, String> settings = new LinkedHashMap<>();
    CosmosEmulatorMain.connectionSettings(emulator)
        .forEach((key, value) -> settings.put((String) key, (String) value));
    return settings;
  }

  private static Map<String, String> readProperties(Path file) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the Cosmos settings file " + file.toAbsolutePath(), e);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      settings.put(name, properties.getProperty(name));
    }
    return settings;
  }

  private static String environment(String name) {
    String value = System.getenv(name);
    return value == null ? "" : value.trim();
  }
}

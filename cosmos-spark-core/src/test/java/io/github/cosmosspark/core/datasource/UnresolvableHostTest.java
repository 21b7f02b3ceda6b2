package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.DefaultContactPoint;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.catalog.CosmosCassandraCatalog;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A host name that does not resolve is refused on the driver while the read or write is planned,
 * and never becomes a connection to the driver's default contact point, 127.0.0.1:9042 (issue 22):
 * the Java driver drops a contact point it cannot resolve and, left with none, connects there with
 * the account's key. This machine has no DNS to the internet, so no Azure host name resolves here;
 * {@code .invalid} resolves nowhere (RFC 6761).
 *
 * <p>Each test listens on 127.0.0.1:9042 itself and asserts that nothing connected to it.
 */
@CosmosEmulatorTest
class UnresolvableHostTest {
  private static final String KEYSPACE = "unresolvable_host";
  private static final String TYPO_ACCOUNT = "no-such-account-typo";
  private static final String TYPO_HOST = TYPO_ACCOUNT + ".cassandra.cosmos.azure.com";
  private static final String BAD_HOST = "no-such-host.invalid";

  private final CosmosEmulator emulator;
  private final SparkSession spark = LocalSpark.session();
  private final TaskCounter tasks = new TaskCounter();
  private DefaultContactPoint localhost;

  UnresolvableHostTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createTable(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, "books", 400);
  }

  @BeforeEach
  void watch() throws IOException {
    localhost = new DefaultContactPoint();
    spark.sparkContext().addSparkListener(tasks);
  }

  @AfterEach
  void stopWatching() throws IOException {
    spark.sparkContext().removeSparkListener(tasks);
    localhost.close();
  }

  @Test
  void aMisspeltAccountIsRefusedWhileTheReadIsPlannedNamingTheHostDerivedFromIt() {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "books");
    options.remove("spark.cosmos.cassandra.host");
    options.put("spark.cosmos.cassandra.account", TYPO_ACCOUNT);

    String message =
        refusedOnTheDriver(
            () -> spark.read().format("cosmoscassandra").options(options).load().count());

    assertEquals(
        "The host name '"
            + TYPO_HOST
            + "', derived from account '"
            + TYPO_ACCOUNT
            + "' (spark.cosmos.cassandra.account), does not resolve on this machine. Check the"
            + " account name: it must be an existing Cosmos DB for Apache Cassandra account,"
            + " spelt as the Azure portal shows it. To connect through a regional or private"
            + " endpoint, set spark.cosmos.cassandra.host to its host name. No connection was"
            + " opened.",
        message);
  }

  @Test
  void aGivenHostThatDoesNotResolveIsRefusedWhileTheWriteIsPlanned() {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "books");
    options.put("host", BAD_HOST);

    String message =
        refusedOnTheDriver(
            () ->
                EmulatorBooks.books(spark, 0, 3)
                    .write()
                    .format("cosmoscassandra")
                    .options(options)
                    .mode("append")
                    .save());

    assertEquals(
        "The host name '"
            + BAD_HOST
            + "' (spark.cosmos.cassandra.host) does not resolve on this machine. Check the"
            + " option: unset, it is derived from account '"
            + emulator.account()
            + "' as '"
            + emulator.account()
            + ".cassandra.cosmos.azure.com'; set, it must name your account's regional or"
            + " private endpoint, and a private endpoint resolves only inside its virtual"
            + " network. No connection was opened.",
        message);
  }

  @Test
  void theCatalogRefusesAMisspeltAccountWhenItIsSetUp() {
    String catalog = "typo";
    SparkSession session = spark.newSession();
    session.conf().set("spark.sql.catalog." + catalog, CosmosCassandraCatalog.class.getName());
    for (Map.Entry<String, String> setting : EmulatorBooks.connectionOptions(emulator).entrySet()) {
      String name = setting.getKey().substring("spark.cosmos.cassandra.".length());
      if (!name.equals("host")) {
        session.conf().set("spark.sql.catalog." + catalog + "." + name, setting.getValue());
      }
    }
    session.conf().set("spark.sql.catalog." + catalog + ".account", TYPO_ACCOUNT);
    SparkSession.setActiveSession(session);
    try {
      String message = refusedOnTheDriver(() -> session.sql("SHOW NAMESPACES IN " + catalog));
      assertTrue(message.startsWith("The host name '" + TYPO_HOST + "', derived from"), message);
    } finally {
      SparkSession.setActiveSession(spark);
    }
  }

  /**
   * Our factory set by hand for SCC's own format: SCC drops a host it cannot resolve from its
   * contact points, so the factory must refuse an empty list rather than let the driver default.
   */
  @Test
  void thePlainConnectorFormatWithOurFactoryNeverFallsBackToTheDefaultContactPoint() {
    Throwable error =
        assertThrows(
            Throwable.class,
            () ->
                spark
                    .read()
                    .format("org.apache.spark.sql.cassandra")
                    .option(
                        "spark.cassandra.connection.factory",
                        CosmosConnectionFactory.class.getName())
                    .option("spark.cassandra.connection.host", BAD_HOST)
                    .option("spark.cassandra.connection.port", Integer.toString(emulator.port()))
                    .option("spark.cassandra.auth.username", emulator.account())
                    .option("spark.cassandra.auth.password", emulator.key())
                    .option("keyspace", KEYSPACE)
                    .option("table", "books")
                    .load()
                    .count());
    String chain = chain(error);
    assertTrue(
        chain.contains(
            "CosmosConnectionException: No host in spark.cassandra.connection.host resolves on"
                + " this machine"),
        chain);
    assertNothingReachedTheDefaultContactPoint(chain);
  }

  private String refusedOnTheDriver(Executable action) {
    CosmosConfigException error = assertThrows(CosmosConfigException.class, action);
    String message = error.getMessage();
    assertNothingReachedTheDefaultContactPoint(chain(error));
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(30_000L);
    } catch (TimeoutException e) {
      throw new AssertionError("Spark's listener bus did not drain", e);
    }
    assertEquals(0, tasks.started.get(), "tasks ran before the error");
    System.out.println("UNRESOLVABLE HOST: " + message);
    return message;
  }

  private void assertNothingReachedTheDefaultContactPoint(String chain) {
    assertFalse(chain.contains(emulator.key()), "the key is in: " + chain);
    // The driver's words for a node it tried ("R:/127.0.0.1:9042", "endPoint=/127.0.0.1:9042").
    assertFalse(chain.contains("/127.0.0.1:9042"), chain);
    assertFalse(chain.contains("Connection refused"), chain);
    assertEquals(0, localhost.accepted(), "a connection reached 127.0.0.1:9042");
  }

  private static String chain(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      text.append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
      text.append(" | ");
    }
    return text.toString();
  }

  /** Counts tasks started while a test runs. */
  private static final class TaskCounter extends SparkListener {
    final AtomicInteger started = new AtomicInteger();

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      started.incrementAndGet();
    }
  }
}

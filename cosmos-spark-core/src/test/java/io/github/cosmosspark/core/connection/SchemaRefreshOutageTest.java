package io.github.cosmosspark.core.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.context.DriverContext;
import com.datastax.oss.driver.api.core.metadata.Metadata;
import com.datastax.oss.driver.api.core.session.ProgrammaticArguments;
import com.datastax.oss.driver.internal.core.channel.DriverChannel;
import com.datastax.oss.driver.internal.core.context.InternalDriverContext;
import com.datastax.spark.connector.cql.CassandraConnector;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.config.RegionSettings;
import io.github.cosmosspark.core.errors.CosmosEndpointException;
import io.github.cosmosspark.core.retry.CosmosDriverContext;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SCC refreshes the driver's schema before every table lookup. A job started while its cached
 * session is still reconnecting after an outage (the rerun of a write that gave up, say) used to
 * fail at once with the driver's "Control channel not available, aborting schema refresh"; the
 * refresh now waits for the endpoint within {@code retry.maxTimeMs}, and past it fails naming it.
 */
@CassandraTest
class SchemaRefreshOutageTest {
  private static final String KEYSPACE = "schema_outage";

  private static CosmosEmulator emulator;

  @BeforeAll
  static void start(CassandraServer cassandra) {
    emulator = CosmosEmulator.builder(cassandra).idleTimeout(Duration.ZERO).build().start();
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, "books", 10_000);
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @Test
  void aSchemaRefreshDuringAnOutageWaitsForTheEndpointAndThenSeesTheTable() throws Exception {
    SparkConf conf = new SparkConf(false);
    EmulatorBooks.connectionOptions(emulator).forEach(conf::set);
    conf.set("spark.cassandra.connection.factory", CosmosConnectionFactory.class.getName());
    conf.set("spark.cassandra.auth.conf.factory", CosmosAuthConfFactory.class.getName());
    try (CqlSession session = CassandraConnector.apply(conf).openSession()) {
      String region = emulator.writeRegion();
      emulator.takeDown(region);
      CompletableFuture<Metadata> refreshed;
      long outageMillis;
      try {
        awaitTrue(() -> controlConnectionDown(session), "the control connection stayed up");
        long start = System.nanoTime();
        refreshed = CompletableFuture.supplyAsync(session::refreshSchema);
        Thread.sleep(1_500);
        assertFalse(
            refreshed.isDone(),
            "the refresh ended while the endpoint was down: " + outcome(refreshed));
        outageMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      } finally {
        emulator.bringUp(region);
      }
      long start = System.nanoTime();
      Metadata metadata = refreshed.get(30, TimeUnit.SECONDS);
      long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(
          metadata
              .getKeyspace(KEYSPACE)
              .flatMap(keyspace -> keyspace.getTable(CqlIdentifier.fromInternal("books")))
              .isPresent(),
          "the refreshed schema has " + KEYSPACE + ".books");
      System.out.printf(
          "schema refresh during an outage of %,d ms finished %,d ms after the endpoint came"
              + " back%n",
          outageMillis, afterMillis);
    }
  }

  @Test
  void anOutageLongerThanTheRetryLimitFailsTheRefreshNamingTheLimit() throws Exception {
    try (CqlSession session = session(1_000)) {
      String region = emulator.writeRegion();
      emulator.takeDown(region);
      try {
        awaitTrue(() -> controlConnectionDown(session), "the control connection stayed up");
        long start = System.nanoTime();
        CompletableFuture<Metadata> refreshed =
            CompletableFuture.supplyAsync(session::refreshSchema);
        ExecutionException failure =
            org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> refreshed.get(30, TimeUnit.SECONDS));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Throwable cause = failure.getCause();
        assertEquals(CosmosEndpointException.class, cause.getClass(), String.valueOf(cause));
        assertTrue(
            cause.getMessage().contains("spark.cosmos.cassandra.retry.maxTimeMs=1000")
                && cause.getMessage().contains("raise retry.maxTimeMs"),
            cause.getMessage());
        assertTrue(elapsedMillis >= 500 && elapsedMillis < 10_000, elapsedMillis + " ms");
      } finally {
        emulator.bringUp(region);
      }
    }
  }

  /** A session through our driver context whose schema refresh waits {@code waitMillis}. */
  private static CqlSession session(int waitMillis) {
    CqlSessionBuilder builder =
        new CqlSessionBuilder() {
          @Override
          protected DriverContext buildContext(
              DriverConfigLoader configLoader, ProgrammaticArguments arguments) {
            return new CosmosDriverContext(
                configLoader, arguments, new RetryStatistics(), RegionSettings.DEFAULTS);
          }
        };
    return builder
        .addContactPoint(new InetSocketAddress(emulator.host(), emulator.port()))
        .withLocalDatacenter(emulator.writeRegion())
        .withAuthCredentials(emulator.account(), emulator.key())
        .withSslContext(emulator.clientSslContext())
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withString(DefaultDriverOption.PROTOCOL_VERSION, "V4")
                .withInt(CosmosDriverContext.SCHEMA_OUTAGE_WAIT_MS, waitMillis)
                .build())
        .build();
  }

  private static boolean controlConnectionDown(CqlSession session) {
    DriverChannel channel =
        ((InternalDriverContext) session.getContext()).getControlConnection().channel();
    return channel == null || channel.closeFuture().isDone();
  }

  private static String outcome(CompletableFuture<Metadata> refreshed) {
    try {
      return "returned " + refreshed.getNow(null);
    } catch (RuntimeException e) {
      return "failed with " + e;
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String message) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertFalse(System.nanoTime() > deadline, message);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(message, e);
      }
    }
  }
}

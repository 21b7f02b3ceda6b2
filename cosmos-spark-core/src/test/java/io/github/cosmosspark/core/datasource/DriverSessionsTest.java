package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.util.DeprecatedConfigParameter;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.catalog.CosmosCassandraCatalog;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How many driver sessions an application opens. Each session to Cosmos opens its own connections,
 * each a TLS handshake and a login, so reads, writes and catalog commands on one account share one;
 * a different key never shares it.
 */
@CosmosEmulatorTest
class DriverSessionsTest {
  private static final String KEYSPACE = "emu_sessions";

  /**
   * A connector setting that changes SCC's session cache key (its {@code CassandraConnectorConf}),
   * set to a value no other test uses, so that no session opened before this test can serve it.
   * {@link CassandraConnector#evictCache()} closes only unused sessions, and a session another test
   * class holds (an SCC API used directly, a failed write task of SCC's own format, whose SCC 3.5.1
   * {@code AsyncStatementWriter.close()} throws the write's error before it closes the session)
   * would serve this class's reads and hide the sessions they open.
   */
  private static final String RECONNECTION_DELAY =
      "spark.cassandra.connection.reconnectionDelayMS.min";

  /** SCC's default minimum reconnection delay is 1000 ms; each test here takes the next one up. */
  private static final AtomicInteger RECONNECTION_DELAY_MS = new AtomicInteger(1000);

  private final CosmosEmulator emulator;
  private SparkSession spark;

  DriverSessionsTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  /**
   * The account in the session's configuration, as a notebook's cluster gives it, and a catalog.
   */
  @BeforeEach
  void session() {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    CosmosRuntimes.forgetJobs();
    CassandraConnector.evictCache(); // sessions earlier tests left open
    spark = LocalSpark.session().newSession();
    EmulatorBooks.connectionOptions(emulator).forEach((key, value) -> spark.conf().set(key, value));
    spark.conf().set("spark.sql.catalog.cosmos", CosmosCassandraCatalog.class.getName());
    spark.conf().set(RECONNECTION_DELAY, String.valueOf(RECONNECTION_DELAY_MS.incrementAndGet()));
    SparkSession.setActiveSession(spark);
  }

  @AfterEach
  void closeSessions() {
    CassandraConnector.evictCache();
    // Not LocalSpark.session(): the builder would hand back this active session, account and all.
    SparkSession.clearActiveSession();
  }

  @Test
  void aReadAWriteCatalogCommandsAndASecondReadShareOneSession() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "books", 10_000);
    int before = CosmosRuntime.get().sessionsOpened();

    assertEquals(0, books("books").load().count());
    EmulatorBooks.books(spark, 0, 100)
        .write()
        .format("cosmoscassandra")
        .option("keyspace", KEYSPACE)
        .option("table", "books")
        .mode("append")
        .save();
    spark.sql(
        "CREATE TABLE cosmos."
            + KEYSPACE
            + ".more (id INT, title STRING) USING cosmoscassandra PARTITIONED BY (id)"
            + " TBLPROPERTIES (cosmosdb_provisioned_throughput='400')");
    List<String> tables = new ArrayList<>();
    for (Row table : spark.sql("SHOW TABLES IN cosmos." + KEYSPACE).collectAsList()) {
      tables.add(table.getString(1));
    }
    assertTrue(tables.containsAll(Arrays.asList("books", "more")), tables.toString());
    assertEquals(100, spark.table("cosmos." + KEYSPACE + ".books").count());
    assertEquals(100, books("books").load().count());

    assertEquals(1, CosmosRuntime.get().sessionsOpened() - before);
  }

  @Test
  void aReadWithAnotherKeyOpensASessionOfItsOwn() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "keys", 10_000);
    int before = CosmosRuntime.get().sessionsOpened();

    assertEquals(0, books("keys").load().count());
    assertEquals(0, books("keys").option("password", emulator.readOnlyKey()).load().count());
    assertEquals(0, books("keys").load().count());

    assertEquals(2, CosmosRuntime.get().sessionsOpened() - before);
  }

  @Test
  void aWriteTaskThatFailedClosesItsSession() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "failed", 10_000);
    int before = CosmosRuntime.get().sessionsOpened();

    assertThrows(
        Exception.class,
        () ->
            EmulatorBooks.books(spark, 0, 3)
                .write()
                .format("cosmoscassandra")
                .option("keyspace", KEYSPACE)
                .option("table", "failed")
                .option("password", emulator.readOnlyKey())
                .mode("append")
                .save(),
        "a read-only key cannot write");
    assertEquals(1, CosmosRuntime.get().sessionsOpened() - before);

    // Closes the sessions nothing uses: the failed tasks' one too, now that they gave it back.
    CassandraConnector.evictCache();
    assertEquals(0, books("failed").option("password", emulator.readOnlyKey()).load().count());

    assertEquals(
        2,
        CosmosRuntime.get().sessionsOpened() - before,
        "the read after the failed write needed a session of its own: the failed one was closed");
  }

  @Test
  void anOldConnectorNameGivenToEveryReadIsWarnedAboutOnce() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "renamed", 10_000);
    int before = CosmosRuntime.get().sessionsOpened();
    // One capture each: a class's events reach every logger configuration above it.
    try (Warnings warnings = new Warnings(LegacySettings.class);
        Warnings connector = new Warnings(DeprecatedConfigParameter.class)) {
      for (int read = 0; read < 5; read++) {
        assertEquals(
            0,
            books("renamed")
                .option("spark.cassandra.connection.keep_alive_ms", "600000")
                .option("spark.cassandra.input.fetch.size_in_rows", "50")
                .load()
                .count());
      }

      assertEquals(
          Arrays.asList(
              "'spark.cassandra.connection.keep_alive_ms' is the Spark Cassandra Connector's"
                  + " old name for 'spark.cassandra.connection.keepAliveMS' (deprecated since DSE"
                  + " 6.0.0); cosmos-spark applies its value under the new name. Use"
                  + " 'spark.cassandra.connection.keepAliveMS' instead.",
              "'spark.cassandra.input.fetch.size_in_rows' is the Spark Cassandra Connector's"
                  + " old name for 'spark.cassandra.input.fetch.sizeInRows' (deprecated since DSE"
                  + " 6.0.0); cosmos-spark applies its value under the new name. Use"
                  + " 'spark.cassandra.input.fetch.sizeInRows' instead."),
          sorted(warnings.all()));
      assertEquals(Collections.emptyList(), connector.all(), "SCC's own warning, on every read");
    }
    assertEquals(1, CosmosRuntime.get().sessionsOpened() - before);
  }

  private DataFrameReader books(String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .option("keyspace", KEYSPACE)
        .option("table", table);
  }

  private static List<String> sorted(List<String> lines) {
    List<String> sorted = new ArrayList<>(lines);
    Collections.sort(sorted);
    return sorted;
  }
}

package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The format against the Cosmos emulator, configured with exactly the settings the emulator
 * publishes: account, key and TLS as they would be against Azure.
 */
@CosmosEmulatorTest
class EmulatorRoundTripTest {

  @Test
  void writesAndReadsTenThousandRowsThroughTheEmulator(CosmosEmulator emulator) {
    try (CqlSession session = emulator.sessionBuilder(emulator.key()).build()) {
      session.execute("CREATE KEYSPACE emu_format WITH cosmosdb_provisioned_throughput=400");
      // Enough RU/s for 10,000 writes in a second: retries arrive with a later issue.
      session.execute(
          "CREATE TABLE emu_format.books (id int PRIMARY KEY, title text)"
              + " WITH cosmosdb_provisioned_throughput=100000");
    }
    Map<String, String> settings = EmulatorBooks.connectionOptions(emulator);
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books =
        spark.range(10_000).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");

    books
        .write()
        .format("cosmoscassandra")
        .options(settings)
        .option("keyspace", "emu_format")
        .option("table", "books")
        .mode("append")
        .save();
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .options(settings)
            .option("keyspace", "emu_format")
            .option("table", "books")
            .load();

    assertEquals(10_000, read.count());
    assertSameRowsByKey(books, read, "id");
    TableStatistics statistics = emulator.statistics("emu_format.books").get();
    assertEquals(0, statistics.rateLimited());
    assertTrue(statistics.requests() >= 10_000, "every row was a request: " + statistics);
  }

  /**
   * A keyspace and table another client created after the connector's session was opened, whose
   * schema events that session has not had yet (the driver debounces them for a second; seen in CI
   * as "Couldn't find table" for a table created just before the write). The connector refreshes
   * its schema before calling a table missing.
   */
  @Test
  void findsAKeyspaceAndTableCreatedSinceItsSessionLastHeardOfTheSchema(CosmosEmulator emulator) {
    Map<String, String> settings = EmulatorBooks.connectionOptions(emulator);
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books = EmulatorBooks.books(spark, 0, 100);
    EmulatorBooks.createKeyspace(emulator, "emu_fresh");
    EmulatorBooks.createTable(emulator, "emu_fresh", "warm", 10_000);
    appendBooks(books, settings, "emu_fresh", "warm");

    emulator.withholdSchemaEvents();
    try {
      EmulatorBooks.createTable(emulator, "emu_fresh", "fresh", 10_000);
      appendBooks(books, settings, "emu_fresh", "fresh");
      EmulatorBooks.createKeyspace(emulator, "emu_fresh_keyspace");
      EmulatorBooks.createTable(emulator, "emu_fresh_keyspace", "fresh", 10_000);
      // A read first: Spark asks the format for the table's schema before anything else.
      assertEquals(0, read(spark, settings, "emu_fresh_keyspace", "fresh").count());
      appendBooks(books, settings, "emu_fresh_keyspace", "fresh");
    } finally {
      emulator.clearFaults();
    }

    for (String[] table :
        new String[][] {
          {"emu_fresh", "warm"}, {"emu_fresh", "fresh"}, {"emu_fresh_keyspace", "fresh"}
        }) {
      Dataset<Row> read = read(spark, settings, table[0], table[1]);
      assertEquals(100, read.count(), table[0] + "." + table[1]);
      assertSameRowsByKey(books, read, "id");
    }
  }

  private static Dataset<Row> read(
      SparkSession spark, Map<String, String> settings, String keyspace, String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .options(settings)
        .option("keyspace", keyspace)
        .option("table", table)
        .load();
  }

  private static void appendBooks(
      Dataset<Row> books, Map<String, String> settings, String keyspace, String table) {
    books
        .write()
        .format("cosmoscassandra")
        .options(settings)
        .option("keyspace", keyspace)
        .option("table", table)
        .mode("append")
        .save();
  }
}

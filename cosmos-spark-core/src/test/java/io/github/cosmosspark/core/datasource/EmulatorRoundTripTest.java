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
}

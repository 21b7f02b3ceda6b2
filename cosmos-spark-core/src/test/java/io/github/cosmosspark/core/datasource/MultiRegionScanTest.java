package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scans of a three-region account, whose regions' nodes all report the same 64 tokens: SCC plans
 * them from the token map, which driver 4 could not build on identical tokens without our driver
 * context. Host name verification stays on (the default). The data centre is SCC's: with no
 * spark.cassandra.connection.localDC SCC's load-balancing policy takes the contact point's, the
 * write region, and ignores the other regions' nodes.
 */
@CassandraTest
class MultiRegionScanTest {
  private static final int ROWS = 3_000;
  private static CosmosEmulator emulator;
  private static Dataset<Row> books;

  @BeforeAll
  static void writeBooksToAThreeRegionAccount(CassandraServer cassandra) {
    emulator =
        CosmosEmulator.builder(cassandra)
            .regions("West US", "East US", "North Europe")
            .idleTimeout(Duration.ZERO)
            .build()
            .start();
    EmulatorBooks.createKeyspace(emulator, "regions_scan");
    EmulatorBooks.createTable(emulator, "regions_scan", "books", 100_000);
    books = EmulatorBooks.books(LocalSpark.session(), 0, ROWS);
    books
        .write()
        .format("cosmoscassandra")
        .options(EmulatorBooks.options(emulator, "regions_scan", "books"))
        .mode("append")
        .save();
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @Test
  void theFormatSplitsTheScanByTheTokenMapAndReadsEveryRow() {
    Dataset<Row> read =
        LocalSpark.session()
            .read()
            .format("cosmoscassandra")
            .options(EmulatorBooks.options(emulator, "regions_scan", "books"))
            // The format's own rule reads so small a table in one split; leaving the count to SCC
            // (no size estimates: 1 + 2 x cores) makes it group the token map's 64 ranges, which it
            // could not do without a map.
            .option("read.splitTaskSeconds", "0")
            .load();

    assertTrue(read.rdd().getNumPartitions() > 1, "partitions: " + read.rdd().getNumPartitions());
    assertEquals(ROWS, read.count());
    assertSameRowsByKey(books, read, "id");
  }

  @Test
  void sccsOwnFormatWithOurFactorySplitsTheScanAndReadsEveryRow() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> read =
        spark
            .read()
            .format("org.apache.spark.sql.cassandra")
            .options(sccOptions())
            .option("keyspace", "regions_scan")
            .option("table", "books")
            .load();

    assertTrue(read.rdd().getNumPartitions() > 1, "partitions: " + read.rdd().getNumPartitions());
    assertEquals(ROWS, read.count());
    assertSameRowsByKey(books, read, "id");
  }

  /** SCC's own settings, with our connection factory and the write region as SCC's local DC. */
  private static Map<String, String> sccOptions() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("spark.cassandra.connection.factory", CosmosConnectionFactory.class.getName());
    options.put("spark.cassandra.connection.host", emulator.host());
    options.put("spark.cassandra.connection.port", Integer.toString(emulator.port()));
    options.put("spark.cassandra.connection.localDC", emulator.writeRegion());
    options.put("spark.cassandra.auth.username", emulator.account());
    options.put("spark.cassandra.auth.password", emulator.key());
    options.put("spark.cassandra.connection.ssl.enabled", "true");
    options.put(
        "spark.cassandra.connection.ssl.trustStore.path", emulator.truststorePath().toString());
    options.put(
        "spark.cassandra.connection.ssl.trustStore.password", emulator.truststorePassword());
    options.put("spark.cassandra.connection.ssl.trustStore.type", emulator.truststoreType());
    return options;
  }
}

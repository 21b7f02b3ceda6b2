package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Writes through the emulator in Cosmos's dialect, which refuses logged batches and stores TTLs
 * past 2038: what the connector sends must be what Cosmos accepts.
 */
@CosmosEmulatorTest
class CosmosDialectWriteTest {

  private static final int TWENTY_YEARS = 630_720_000;

  /**
   * SCC 3.5.1 groups rows of one partition into batches of the type it chooses itself: unlogged
   * (counter for counter tables), never logged. The emulator refuses logged ones as Cosmos does.
   */
  @Test
  void rowsGroupedIntoBatchesAreWrittenAsUnloggedBatches(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, "emu_dialect");
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE emu_dialect.readings (station int, seq int, reading text,"
              + " PRIMARY KEY (station, seq)) WITH cosmosdb_provisioned_throughput=100000");
    }
    SparkSession spark = LocalSpark.session();
    // 10 stations of 100 readings, in one task so that rows of a station arrive together.
    Dataset<org.apache.spark.sql.Row> readings =
        spark
            .range(1_000)
            .coalesce(1)
            .selectExpr(
                "CAST(id DIV 100 AS INT) AS station",
                "CAST(id % 100 AS INT) AS seq",
                "CONCAT('r-', id) AS reading");

    readings
        .write()
        .format("cosmoscassandra")
        .options(EmulatorBooks.connectionOptions(emulator))
        .option("keyspace", "emu_dialect")
        .option("table", "readings")
        .option("spark.cassandra.output.batch.size.rows", "20")
        .option("spark.cassandra.output.batch.grouping.key", "partition")
        .mode("append")
        .save();

    assertSameRowsByKey(readings, read(spark, emulator, "readings"), "station", "seq");
    TableStatistics statistics = emulator.statistics("emu_dialect.readings").get();
    assertTrue(
        statistics.requests() < 1_000, "rows went in batches, not one by one: " + statistics);
  }

  /** Microsoft's sample notebooks create tables with a default TTL of 20 years. */
  @Test
  void aTableWithATwentyYearDefaultTtlTakesRowsAndGivesThemBack(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, "emu_dialect");
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE emu_dialect.archive (id int PRIMARY KEY, title text)"
              + " WITH cosmosdb_provisioned_throughput=100000 , WITH default_time_to_live="
              + TWENTY_YEARS);
    }
    SparkSession spark = LocalSpark.session();
    Dataset<org.apache.spark.sql.Row> books =
        EmulatorBooks.books(spark, 0, 500).select("id", "title");
    Map<String, String> options = EmulatorBooks.connectionOptions(emulator);

    books
        .write()
        .format("cosmoscassandra")
        .options(options)
        .option("keyspace", "emu_dialect")
        .option("table", "archive")
        .mode("append")
        .save();

    assertSameRowsByKey(books, read(spark, emulator, "archive"), "id");
    try (CqlSession session = emulator.newSession()) {
      for (Row row : session.execute("SELECT TTL(title) FROM emu_dialect.archive").all()) {
        int ttl = row.getInt(0);
        assertTrue(ttl > TWENTY_YEARS - 600 && ttl <= TWENTY_YEARS, "TTL " + ttl);
      }
      assertEquals(
          500, session.execute("SELECT COUNT(*) FROM emu_dialect.archive").one().getLong(0));
    }
  }

  private static Dataset<org.apache.spark.sql.Row> read(
      SparkSession spark, CosmosEmulator emulator, String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .options(EmulatorBooks.connectionOptions(emulator))
        .option("keyspace", "emu_dialect")
        .option("table", table)
        .load();
  }
}

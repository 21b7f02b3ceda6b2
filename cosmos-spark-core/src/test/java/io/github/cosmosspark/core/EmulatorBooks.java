package io.github.cosmosspark.core;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.CosmosEmulatorMain;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A books table on the emulator, its rows, and the options that reach it, for Spark tests. */
public final class EmulatorBooks {

  private EmulatorBooks() {}

  /** Creates {@code keyspace} (if missing) with 400 RU/s shared throughput. */
  public static void createKeyspace(CosmosEmulator emulator, String keyspace) {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS "
              + keyspace
              + " WITH cosmosdb_provisioned_throughput=400");
    }
  }

  /**
   * Creates {@code keyspace.table (id int PRIMARY KEY, title text, pages int)} with its own RU/s.
   */
  public static void createTable(
      CosmosEmulator emulator, String keyspace, String table, int ruPerSecond) {
    try (CqlSession session = emulator.newSession()) {
      session.execute(
          "CREATE TABLE IF NOT EXISTS "
              + keyspace
              + "."
              + table
              + " (id int PRIMARY KEY, title text, pages int)"
              + " WITH cosmosdb_provisioned_throughput="
              + ruPerSecond);
    }
  }

  /** The emulator's published connection settings as a mutable map of options. */
  public static Map<String, String> connectionOptions(CosmosEmulator emulator) {
    Map<String, String> options = new HashMap<>();
    CosmosEmulatorMain.connectionSettings(emulator)
        .forEach((key, value) -> options.put((String) key, (String) value));
    return options;
  }

  /** cosmoscassandra options for {@code keyspace.table} on the emulator; add to them freely. */
  public static Map<String, String> options(
      CosmosEmulator emulator, String keyspace, String table) {
    Map<String, String> options = connectionOptions(emulator);
    options.put("keyspace", keyspace);
    options.put("table", table);
    return options;
  }

  /** Books with ids from {@code from} (inclusive) to {@code to} (exclusive). */
  public static Dataset<Row> books(SparkSession spark, int from, int to) {
    return spark
        .range(from, to)
        .selectExpr(
            "CAST(id AS INT) AS id",
            "CONCAT('title-', id) AS title",
            "CAST(id % 700 AS INT) AS pages");
  }

  /**
   * Books whose titles carry about {@code titleBytes} bytes, so that a scan costs what the write's
   * rows weigh (Cosmos charges by row size).
   */
  public static Dataset<Row> heavyBooks(SparkSession spark, int from, int to, int titleBytes) {
    return spark
        .range(from, to)
        .selectExpr(
            "CAST(id AS INT) AS id",
            "CONCAT('title-', id, '-', REPEAT('x', " + titleBytes + ")) AS title",
            "CAST(id % 700 AS INT) AS pages");
  }
}

package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * Cosmos's load balancer closes connections that carry nothing for 4 minutes; a job that pauses
 * longer (a slow source, a long computation between rows) must carry on without losing a row. Here
 * the emulator's idle limit is 5 s and the job pauses 8 s in the middle of its write. (With a 2 s
 * limit, CI's slow CREATE TABLE outlasted it: the test's own session lost its control connection
 * during the schema agreement check, before the job ran.)
 */
@CassandraTest
class IdleConnectionsTest {

  @Test
  void aWriteThatPausesPastTheIdleLimitLandsEveryRow(CassandraServer cassandra) {
    try (CosmosEmulator emulator =
        CosmosEmulator.builder(cassandra).idleTimeout(Duration.ofSeconds(5)).build().start()) {
      EmulatorBooks.createKeyspace(emulator, "emu_idle");
      try (CqlSession session = emulator.newSession()) {
        session.execute(
            "CREATE TABLE emu_idle.books (id int PRIMARY KEY, title text)"
                + " WITH cosmosdb_provisioned_throughput=100000");
      }
      SparkSession spark = LocalSpark.session();
      spark
          .udf()
          .register(
              "pauseAt500",
              (UDF1<Long, Long>)
                  id -> {
                    if (id == 500) {
                      Thread.sleep(8_000);
                    }
                    return id;
                  },
              DataTypes.LongType);
      Map<String, String> options = EmulatorBooks.connectionOptions(emulator);
      Dataset<Row> books =
          spark.range(1_000).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");

      long writeStart = System.nanoTime();
      // One task, not reshuffled, so that the pause falls between the rows the task writes.
      books
          .coalesce(1)
          .selectExpr("CAST(pauseAt500(CAST(id AS BIGINT)) AS INT) AS id", "title")
          .write()
          .format("cosmoscassandra")
          .options(options)
          .option("write.spreadOverPartitions", "false")
          .option("keyspace", "emu_idle")
          .option("table", "books")
          .mode("append")
          .save();

      System.out.printf(
          "Idle drop: 1,000 rows written in %.1f s with an 8 s pause against a 5 s idle limit;"
              + " %d idle connections closed by the emulator%n",
          (System.nanoTime() - writeStart) / 1e9, emulator.idleConnectionsClosed());
      assertTrue(
          emulator.idleConnectionsClosed() > 0,
          "the pause outlasted the idle limit: the emulator closed idle connections");
      Dataset<Row> read =
          spark
              .read()
              .format("cosmoscassandra")
              .options(options)
              .option("keyspace", "emu_idle")
              .option("table", "books")
              .load();
      assertSameRowsByKey(books, read, "id");
    }
  }
}

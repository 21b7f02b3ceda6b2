package io.github.cosmosspark.core;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The stack our library stands on, without our library: Spark local mode, SCC 3.5.1 and its driver
 * against a real Cassandra over TLS with a password.
 */
@CassandraTest
class SparkCassandraConnectorSmokeTest {

  private static final int ROWS = 10_000;

  @Test
  void sccWritesAndReadsBackTenThousandRowsExactly(TestKeyspace keyspace, CassandraServer server) {
    keyspace
        .session()
        .execute(
            "CREATE TABLE "
                + keyspace.qualified("events")
                + " (id int PRIMARY KEY, name text, score double, created timestamp)");
    SparkSession spark = LocalSpark.session();
    Map<String, String> connection = LocalSpark.connectorOptions(server);
    Dataset<Row> source =
        spark
            .range(ROWS)
            .selectExpr(
                "CAST(id AS INT) AS id",
                "CONCAT('name-', id) AS name",
                "id * 1.5D AS score",
                "timestamp_millis(1700000000000 + id * 1000) AS created");

    source
        .write()
        .format("org.apache.spark.sql.cassandra")
        .options(connection)
        .option("keyspace", keyspace.name())
        .option("table", "events")
        .mode("append")
        .save();

    Dataset<Row> read =
        spark
            .read()
            .format("org.apache.spark.sql.cassandra")
            .options(connection)
            .option("keyspace", keyspace.name())
            .option("table", "events")
            .load();

    assertEquals(ROWS, read.count());
    assertSameRowsByKey(source, read, "id");
  }
}

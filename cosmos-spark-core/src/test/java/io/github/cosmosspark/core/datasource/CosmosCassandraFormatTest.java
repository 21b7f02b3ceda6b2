package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@CassandraTest
class CosmosCassandraFormatTest {

  private final SparkSession spark = LocalSpark.session();

  @Test
  void writesAndReadsBackEveryRowExactly(TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    Dataset<Row> books = books(1_000);

    write(books, keyspace, server);

    Dataset<Row> read = read(keyspace, server);
    assertEquals(1_000, read.count());
    assertSameRowsByKey(books, read, "id");
  }

  @Test
  void aPartitionKeyFilterIsPushedToCassandraAndReadsOnlyThatPartition(
      TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    write(books(100), keyspace, server);

    Dataset<Row> one = read(keyspace, server).filter("id = 42").select("id", "title");

    String plan = one.queryExecution().executedPlan().toString();
    assertTrue(plan.contains("Cassandra Filters: [[\"id\" = ?, 42]]"), plan);
    assertTrue(plan.contains("Requested Columns: [id,title]"), plan);
    List<Row> rows = one.collectAsList();
    assertEquals(1, rows.size());
    assertEquals("title-42", rows.get(0).getString(1));
  }

  @Test
  void theAccountKeyAppearsInNoPlan(TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    write(books(10), keyspace, server);
    Dataset<Row> read = read(keyspace, server).filter("id > 3");
    read.collectAsList();

    String everything =
        read.queryExecution().toString()
            + read.queryExecution()
                .explainString(org.apache.spark.sql.execution.ExtendedMode$.MODULE$)
            + read.queryExecution().executedPlan().toString();
    assertFalse(everything.contains(server.password()), everything);
    assertFalse(everything.contains(server.truststorePassword()), everything);
  }

  private void createBooks(TestKeyspace keyspace) {
    keyspace
        .session()
        .execute(
            "CREATE TABLE "
                + keyspace.qualified("books")
                + " (id int PRIMARY KEY, title text, pages int)");
  }

  private Dataset<Row> books(int count) {
    return spark
        .range(count)
        .selectExpr(
            "CAST(id AS INT) AS id",
            "CONCAT('title-', id) AS title",
            "CAST(id * 3 AS INT) AS pages");
  }

  private static void write(Dataset<Row> rows, TestKeyspace keyspace, CassandraServer server) {
    Map<String, String> options = TestServerOptions.forServer(server);
    rows.write()
        .format("cosmoscassandra")
        .options(options)
        .option("keyspace", keyspace.name())
        .option("table", "books")
        .mode("append")
        .save();
  }

  private Dataset<Row> read(TestKeyspace keyspace, CassandraServer server) {
    return spark
        .read()
        .format("cosmoscassandra")
        .options(TestServerOptions.forServer(server))
        .option("keyspace", keyspace.name())
        .option("table", "books")
        .load();
  }
}

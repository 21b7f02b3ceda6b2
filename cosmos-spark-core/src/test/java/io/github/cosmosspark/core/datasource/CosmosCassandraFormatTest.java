package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.connection.CosmosAuthConfFactory;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
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
  void joiningKeysWithTheTableUsesSccsDirectJoin(TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    write(books(200), keyspace, server);
    Dataset<Row> keys = spark.range(5).selectExpr("CAST(id * 10 AS INT) AS id");

    Dataset<Row> joined =
        keys.join(
            TestServerOptions.reader(spark, server, keyspace.name(), "books")
                .option("directJoinSetting", "on")
                .load(),
            "id");

    String plan = joined.queryExecution().executedPlan().toString();
    assertTrue(plan.contains("Cassandra Direct Join"), plan);
    assertSameRowsByKey(books(200).filter("id % 10 = 0 AND id < 50"), joined, "id");
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

  @Test
  void thePlainConnectorFormatGetsCosmosBehaviourFromOurFactories(
      TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    Dataset<Row> books = books(50);
    Map<String, String> plain = LocalSpark.connectorOptions(server);
    plain.put("spark.cassandra.connection.factory", CosmosConnectionFactory.class.getName());
    plain.put("spark.cassandra.auth.conf.factory", CosmosAuthConfFactory.class.getName());
    plain.put("spark.cosmos.cassandra.tls.truststore.type", server.truststoreType());

    books
        .write()
        .format("org.apache.spark.sql.cassandra")
        .options(plain)
        .option("keyspace", keyspace.name())
        .option("table", "books")
        .mode("append")
        .save();

    assertSameRowsByKey(books, read(keyspace, server), "id");
  }

  @Test
  void theResolvedEndpointWinsOverAConnectorHostInTheSameRead(
      TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    Dataset<Row> books = books(20);
    write(books, keyspace, server);

    // Nothing listens on 127.0.0.2; SCC's merge puts this key back over the translated one.
    Dataset<Row> read =
        TestServerOptions.reader(spark, server, keyspace.name(), "books")
            .option("spark.cassandra.connection.host", "127.0.0.2")
            .load();

    assertSameRowsByKey(books, read, "id");
  }

  @Test
  void aMissingKeyspaceIsNamed(CassandraServer server) {
    Throwable error =
        org.junit.jupiter.api.Assertions.assertThrows(
            Throwable.class,
            () -> TestServerOptions.reader(spark, server, "no_such_keyspace", "books").load());
    assertTrue(String.valueOf(error.getMessage()).contains("no_such_keyspace"), error.toString());
  }

  @Test
  void noKeyspaceOptionSaysWhichOptionToSet(CassandraServer server) {
    Throwable error =
        org.junit.jupiter.api.Assertions.assertThrows(
            Throwable.class,
            () ->
                spark
                    .read()
                    .format("cosmoscassandra")
                    .options(TestServerOptions.forServer(server))
                    .option("table", "books")
                    .load());
    assertTrue(error.getMessage().contains("keyspace is missing"), error.getMessage());
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
    TestServerOptions.writer(rows, server, keyspace.name(), "books").mode("append").save();
  }

  private Dataset<Row> read(TestKeyspace keyspace, CassandraServer server) {
    return TestServerOptions.reader(spark, server, keyspace.name(), "books").load();
  }
}

package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.net.InetSocketAddress;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The format against the Cosmos emulator: account, key and TLS as they would be against Azure. */
@CassandraTest
class EmulatorRoundTripTest {

  private static CosmosEmulator emulator;

  @BeforeAll
  static void startEmulator(CassandraServer cassandra) {
    emulator = CosmosEmulator.builder(cassandra).build().start();
  }

  @AfterAll
  static void stopEmulator() {
    emulator.close();
  }

  @Test
  void writesAndReadsTenThousandRowsThroughTheEmulator() {
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(new InetSocketAddress(emulator.host(), emulator.port()))
            .withLocalDatacenter(CassandraServer.DATACENTER)
            .withAuthCredentials(emulator.account(), emulator.key())
            .withSslEngineFactory(
                new ProgrammaticSslEngineFactory(emulator.clientSslContext(), null, true))
            .build()) {
      session.execute("CREATE KEYSPACE emu_format WITH cosmosdb_provisioned_throughput=400");
      session.execute(
          // Enough RU/s for 10,000 writes in a second: retries arrive with a later issue.
          "CREATE TABLE emu_format.books (id int PRIMARY KEY, title text)"
              + " WITH cosmosdb_provisioned_throughput=100000");
    }
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books =
        spark.range(10_000).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");

    books
        .write()
        .format("cosmoscassandra")
        .option("account", emulator.account())
        .option("password", emulator.key())
        .option("host", emulator.host())
        .option("port", Integer.toString(emulator.port()))
        .option("tls.truststore.path", emulator.truststorePath().toString())
        .option("tls.truststore.password", emulator.truststorePassword())
        .option("tls.truststore.type", emulator.truststoreType())
        .option("keyspace", "emu_format")
        .option("table", "books")
        .mode("append")
        .save();
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .option("account", emulator.account())
            .option("password", emulator.key())
            .option("host", emulator.host())
            .option("port", Integer.toString(emulator.port()))
            .option("tls.truststore.path", emulator.truststorePath().toString())
            .option("tls.truststore.password", emulator.truststorePassword())
            .option("tls.truststore.type", emulator.truststoreType())
            .option("keyspace", "emu_format")
            .option("table", "books")
            .load();

    assertEquals(10_000, read.count());
    assertSameRowsByKey(books, read, "id");
  }
}

package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input that needs a server to be detected; each fails before any data moves. */
@CassandraTest
class CosmosCassandraBadInputTest {

  private final SparkSession spark = LocalSpark.session();
  @TempDir Path temp;

  @Test
  void aMissingTableIsNamedWithTheKeyspace(TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    String message =
        failure(() -> read(TestServerOptions.forServer(server), keyspace.name(), "bookz").count());
    assertTrue(message.contains(keyspace.name()), message);
    assertTrue(message.contains("bookz"), message);
  }

  @Test
  void noTableNameSaysWhichOptionToSet(CassandraServer server) {
    String message =
        failure(
            () ->
                spark
                    .read()
                    .format("cosmoscassandra")
                    .options(TestServerOptions.forServer(server))
                    .option("keyspace", "ks")
                    .load());
    assertTrue(message.contains("table is missing"), message);
  }

  @Test
  void aWrongKeyIsAnAuthenticationErrorThatNamesTheAccountButNotTheKey(
      TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    Map<String, String> options = TestServerOptions.forServer(server);
    options.put("password", "wrong-key-" + server.password());
    String message = failure(() -> read(options, keyspace.name(), "books").count());
    assertTrue(
        message.contains("refused the credentials of account '" + server.username() + "'"),
        message);
    assertTrue(message.contains("spark.cosmos.cassandra.password"), message);
    assertFalse(message.contains(server.password()), message);
  }

  @Test
  void anUnreachableEndpointNamesHostAndPort(TestKeyspace keyspace, CassandraServer server)
      throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    Map<String, String> options = TestServerOptions.forServer(server);
    options.put("port", Integer.toString(closedPort));
    String message = failure(() -> read(options, keyspace.name(), "books").count());
    assertTrue(message.contains("127.0.0.1:" + closedPort), message);
    assertTrue(message.contains("connect timeout of 10000 ms"), message);
  }

  @Test
  void aMissingTrustStoreIsNamed(TestKeyspace keyspace, CassandraServer server) {
    Map<String, String> options = TestServerOptions.forServer(server);
    options.put("tls.truststore.path", temp.resolve("nope.p12").toString());
    String message = failure(() -> read(options, keyspace.name(), "books"));
    assertTrue(message.contains("nope.p12"), message);
    assertTrue(message.contains("does not exist"), message);
  }

  @Test
  void aWrongTrustStorePasswordIsNamed(TestKeyspace keyspace, CassandraServer server) {
    Map<String, String> options = TestServerOptions.forServer(server);
    options.put("tls.truststore.password", "not-the-password");
    String message = failure(() -> read(options, keyspace.name(), "books"));
    assertTrue(message.contains("password is wrong"), message);
    assertTrue(message.contains("spark.cosmos.cassandra.tls.truststore.password"), message);
    assertFalse(message.contains("not-the-password"), message);
  }

  @Test
  void aDataFrameWhoseColumnsDoNotMatchTheTableIsRefusedNamingThem(
      TestKeyspace keyspace, CassandraServer server) {
    createBooks(keyspace);
    Dataset<Row> wrong = spark.sql("SELECT 1 AS id, 'x' AS titel");
    String message =
        failure(
            () ->
                TestServerOptions.writer(wrong, server, keyspace.name(), "books")
                    .mode("append")
                    .save());
    assertTrue(message.contains("titel"), message);
    assertTrue(
        keyspace.session().execute("SELECT * FROM " + keyspace.qualified("books")).all().isEmpty(),
        "nothing was written");
  }

  private void createBooks(TestKeyspace keyspace) {
    keyspace
        .session()
        .execute(
            "CREATE TABLE " + keyspace.qualified("books") + " (id int PRIMARY KEY, title text)");
  }

  private Dataset<Row> read(Map<String, String> options, String keyspace, String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .options(options)
        .option("keyspace", keyspace)
        .option("table", table)
        .load();
  }

  private static String failure(org.junit.jupiter.api.function.Executable action) {
    Throwable error = assertThrows(Throwable.class, action);
    StringBuilder chain = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      chain.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
    }
    return chain.toString();
  }
}

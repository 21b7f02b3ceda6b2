package io.github.cosmosspark.testkit.spark;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One local {@link SparkSession} for all tests in a JVM, set up for tests: two local cores, no UI,
 * few shuffle partitions, UTC, bound to loopback. On JDK 17 the test JVM needs Spark's {@code
 * --add-opens} options; the testkit's documentation lists them for Surefire.
 */
public final class LocalSpark {

  private LocalSpark() {}

  /** The shared session, created on first use; Spark stops it when the JVM exits. */
  public static synchronized SparkSession session() {
    return SparkSession.builder()
        .master("local[2]")
        .appName("cosmos-spark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }

  /**
   * The plain Spark Cassandra Connector settings ({@code spark.cassandra.*}) that reach {@code
   * server}: host, port, data center, credentials and the trust store. Pass them as read or write
   * options.
   */
  public static Map<String, String> connectorOptions(CassandraServer server) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("spark.cassandra.connection.host", server.host());
    options.put("spark.cassandra.connection.port", Integer.toString(server.port()));
    options.put("spark.cassandra.connection.localDC", CassandraServer.DATACENTER);
    options.put("spark.cassandra.auth.username", server.username());
    options.put("spark.cassandra.auth.password", server.password());
    options.put("spark.cassandra.connection.ssl.enabled", "true");
    options.put(
        "spark.cassandra.connection.ssl.trustStore.path", server.truststorePath().toString());
    options.put("spark.cassandra.connection.ssl.trustStore.password", server.truststorePassword());
    options.put("spark.cassandra.connection.ssl.trustStore.type", server.truststoreType());
    return options;
  }
}

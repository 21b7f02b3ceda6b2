package io.github.cosmosspark.testkit.spark;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * One local {@link SparkSession} for all tests in a JVM, set up for tests: two task threads, no UI,
 * few shuffle partitions, UTC, bound to loopback. A test that needs more task slots runs on its own
 * session for its duration ({@link #sessionWithTaskSlots(int)}). On JDK 17 the test JVM needs
 * Spark's {@code --add-opens} options; the testkit's documentation lists them for Surefire.
 */
public final class LocalSpark {

  private LocalSpark() {}

  /**
   * The shared session, created on first use, or afresh when a test stopped the last one; Spark
   * stops it when the JVM exits.
   */
  public static synchronized SparkSession session() {
    return builder(2).getOrCreate();
  }

  /**
   * A session with the shared one's settings but {@code taskSlots} task threads, for a test whose
   * jobs must all run at once: the shared session's two slots would queue them. A JVM has one
   * running SparkContext, so this stops the shared session first; stop the returned one when done,
   * and the next {@link #session()} builds a fresh shared one.
   */
  public static synchronized SparkSession sessionWithTaskSlots(int taskSlots) {
    stopIfRunning(SparkSession.getActiveSession());
    stopIfRunning(SparkSession.getDefaultSession());
    return builder(taskSlots).getOrCreate();
  }

  private static void stopIfRunning(Option<SparkSession> session) {
    if (session.isDefined() && !session.get().sparkContext().isStopped()) {
      session.get().stop();
    }
  }

  private static SparkSession.Builder builder(int taskSlots) {
    return SparkSession.builder()
        .master("local[" + taskSlots + "]")
        .appName("cosmos-spark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1");
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

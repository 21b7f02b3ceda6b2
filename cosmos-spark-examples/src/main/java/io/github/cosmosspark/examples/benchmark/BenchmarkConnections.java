package io.github.cosmosspark.examples.benchmark;

import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.CosmosEmulatorMain;
import java.util.LinkedHashMap;
import java.util.Map;

/** The settings each connector a benchmark compares is given, and how failures are shown. */
final class BenchmarkConnections {

  private BenchmarkConnections() {}

  /** The settings Microsoft's Databricks notebooks give for Spark 3. */
  static Map<String, String> microsoftSpark3Settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.cassandra.output.batch.size.rows", "1");
    settings.put("spark.cassandra.connection.remoteConnectionsPerExecutor", "10");
    settings.put("spark.cassandra.output.concurrent.writes", "1000");
    settings.put("spark.cassandra.concurrent.reads", "512");
    settings.put("spark.cassandra.output.batch.grouping.buffer.size", "1000");
    settings.put("spark.cassandra.connection.keepAliveMS", "600000000");
    return settings;
  }

  /** cosmos-spark's settings for the emulator, as its runnable main publishes them. */
  static Map<String, String> cosmos(CosmosEmulator emulator) {
    Map<String, String> options = new LinkedHashMap<>();
    CosmosEmulatorMain.connectionSettings(emulator)
        .forEach((key, value) -> options.put((String) key, (String) value));
    return options;
  }

  /**
   * Plain SCC over TLS to an endpoint, with Microsoft's {@code CosmosRetryPolicy} through {@link
   * MicrosoftRetryPolicyFactory}.
   */
  static Map<String, String> plainConnector(
      String host,
      int port,
      String truststore,
      String truststorePassword,
      String truststoreType,
      String user,
      String password) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("spark.cassandra.connection.host", host);
    options.put("spark.cassandra.connection.port", Integer.toString(port));
    options.put("spark.cassandra.connection.ssl.enabled", "true");
    options.put("spark.cassandra.connection.ssl.trustStore.path", truststore);
    options.put("spark.cassandra.connection.ssl.trustStore.password", truststorePassword);
    options.put("spark.cassandra.connection.ssl.trustStore.type", truststoreType);
    options.put("spark.cassandra.auth.username", user);
    options.put("spark.cassandra.auth.password", password);
    options.put("spark.cassandra.connection.factory", MicrosoftRetryPolicyFactory.class.getName());
    return options;
  }

  /** Plain SCC with Microsoft's retry policy, to the emulator. */
  static Map<String, String> plainConnector(CosmosEmulator emulator) {
    return plainConnector(
        emulator.host(),
        emulator.port(),
        emulator.truststorePath().toString(),
        emulator.truststorePassword(),
        emulator.truststoreType(),
        emulator.account(),
        emulator.key());
  }

  /** The root cause's first line, short enough for a table cell. */
  static String firstLine(Throwable failure, int longest) {
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = root.getClass().getSimpleName() + ": " + root.getMessage();
    int newline = message.indexOf('\n');
    message = newline < 0 ? message : message.substring(0, newline);
    return message.length() > longest ? message.substring(0, longest) + "…" : message;
  }
}

package io.github.cosmosspark.testkit.cassandra;

import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's configuration files: {@code cassandra.yaml} for a single node on 127.0.0.1 with TLS
 * and password authentication, and the {@code logback.xml} that sends Cassandra's log to its
 * standard output. Written before every start, so the user's overrides always apply.
 */
final class ServerConfiguration {

  private static final String LOGBACK =
      "<configuration>\n"
          + "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
          + "    <encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{0} -"
          + " %msg%n</pattern></encoder>\n"
          + "  </appender>\n"
          + "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>\n"
          + "</configuration>\n";

  private ServerConfiguration() {}

  /**
   * Writes both files into the working directory's {@code conf} and creates its {@code logs}.
   *
   * @param overrides top-level {@code cassandra.yaml} keys that replace the testkit's values
   */
  static void write(ServerDirectory directory, ServerState state, Map<String, String> overrides) {
    StringBuilder text = new StringBuilder("# Written by the cosmos-spark testkit.\n");
    for (Map.Entry<String, String> entry : yaml(directory, state, overrides).entrySet()) {
      text.append(entry.getKey()).append(": ").append(entry.getValue()).append('\n');
    }
    try {
      Files.createDirectories(directory.conf());
      Files.createDirectories(directory.logs());
      Files.write(directory.cassandraYaml(), text.toString().getBytes(StandardCharsets.UTF_8));
      Files.write(directory.logbackXml(), LOGBACK.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CassandraServerException("Could not write the server configuration", e);
    }
  }

  /** The top-level keys in the order they are written, the user's overrides last. */
  private static Map<String, String> yaml(
      ServerDirectory directory, ServerState state, Map<String, String> overrides) {
    Path root = directory.root();
    Map<String, String> yaml = new LinkedHashMap<>();
    yaml.put("cluster_name", "'cosmos-spark-testkit'");
    yaml.put("num_tokens", "1");
    yaml.put("partitioner", "org.apache.cassandra.dht.Murmur3Partitioner");
    yaml.put("endpoint_snitch", "SimpleSnitch");
    yaml.put(
        "seed_provider",
        "\n  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n"
            + "    parameters:\n      - seeds: \""
            + CassandraServer.HOST
            + ":"
            + state.storagePort()
            + "\"");
    yaml.put("listen_address", CassandraServer.HOST);
    yaml.put("rpc_address", CassandraServer.HOST);
    yaml.put("storage_port", Integer.toString(state.storagePort()));
    yaml.put("native_transport_port", Integer.toString(state.nativePort()));
    yaml.put("start_native_transport", "true");
    yaml.put("data_file_directories", "\n  - " + quoted(root.resolve("data")));
    yaml.put("commitlog_directory", quoted(root.resolve("commitlog")));
    yaml.put("saved_caches_directory", quoted(root.resolve("saved_caches")));
    yaml.put("hints_directory", quoted(root.resolve("hints")));
    yaml.put("cdc_raw_directory", quoted(root.resolve("cdc_raw")));
    yaml.put("commitlog_sync", "periodic");
    yaml.put("commitlog_sync_period", "10000ms");
    yaml.put("authenticator", "PasswordAuthenticator");
    yaml.put("authorizer", "AllowAllAuthorizer");
    yaml.put("role_manager", "CassandraRoleManager");
    // No credential caching, so a password change is seen by the very next login.
    yaml.put("credentials_validity", "0ms");
    yaml.put("roles_validity", "0ms");
    // Tests drop and truncate a lot; snapshots would only fill the disk.
    yaml.put("auto_snapshot", "false");
    yaml.put("concurrent_compactors", "1");
    // Expiration dates past 2038, as Cosmos stores them (Microsoft's samples use a default TTL of
    // 20 years). Cassandra 5.0's default, CASSANDRA_4, refuses them; a node takes NONE only when
    // it starts fresh in that mode or has gone through UPGRADING, which a new directory does.
    yaml.put("storage_compatibility_mode", "NONE");
    yaml.put(
        "client_encryption_options",
        "\n  enabled: true\n  optional: false\n  keystore: "
            + quoted(directory.keystore())
            + "\n  keystore_password: "
            + state.storePassword()
            + "\n  store_type: "
            + TestCertificateAuthority.STORE_TYPE
            + "\n  require_client_auth: false");
    yaml.putAll(overrides);
    return yaml;
  }

  private static String quoted(Path path) {
    return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
  }
}

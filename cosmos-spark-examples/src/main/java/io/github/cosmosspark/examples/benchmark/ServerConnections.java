package io.github.cosmosspark.examples.benchmark;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What Cassandra itself says of each client's connections ({@code system_views.clients}): how many
 * a connector holds open, the protocol version and TLS they negotiated, and how many requests they
 * carried. The driver settings behind these (protocol, cipher suites, pool size) are not all {@code
 * spark.cassandra.*} keys, so the server's view is the one both sides can be compared by.
 */
final class ServerConnections {

  /** The clients connected at one moment, by connection (address and port). */
  static final class Snapshot {
    private final Map<String, Row> connections;

    private Snapshot(Map<String, Row> connections) {
      this.connections = connections;
    }
  }

  private ServerConnections() {}

  static Snapshot take(CqlSession session) {
    Map<String, Row> connections = new HashMap<>();
    for (Row row :
        session.execute(
            "SELECT address, port, client_options, protocol_version, request_count, ssl_enabled,"
                + " ssl_protocol, ssl_cipher_suite FROM system_views.clients")) {
      connections.put(row.getInetAddress("address") + ":" + row.getInt("port"), row);
    }
    return new Snapshot(connections);
  }

  /**
   * The connections of the client whose application name starts with {@code application} that
   * carried requests between {@code before} and {@code after}, and how many.
   */
  static Map<String, String> describe(String application, Snapshot before, Snapshot after) {
    int connections = 0;
    long requests = 0;
    TreeSet<String> protocols = new TreeSet<>();
    TreeSet<String> tls = new TreeSet<>();
    for (Map.Entry<String, Row> connection : after.connections.entrySet()) {
      Row row = connection.getValue();
      Map<String, String> options =
          row.getMap("client_options", String.class, String.class) == null
              ? Collections.<String, String>emptyMap()
              : row.getMap("client_options", String.class, String.class);
      String name = options.get("APPLICATION_NAME");
      if (name == null || !name.startsWith(application)) {
        continue;
      }
      Row earlier = before.connections.get(connection.getKey());
      long served =
          row.getLong("request_count") - (earlier == null ? 0 : earlier.getLong("request_count"));
      if (served == 0) {
        continue; // idle: another scenario's, or a session about to close
      }
      connections++;
      requests += served;
      protocols.add("v" + row.getInt("protocol_version"));
      tls.add(
          row.getBoolean("ssl_enabled")
              ? row.getString("ssl_protocol") + " " + row.getString("ssl_cipher_suite")
              : "none");
    }
    Map<String, String> described = new LinkedHashMap<>();
    described.put("connections that served requests", Integer.toString(connections));
    described.put("native protocol (negotiated)", String.join(", ", protocols));
    described.put("TLS (negotiated)", String.join(", ", tls));
    described.put("requests Cassandra served in the run", String.format("%,d", requests));
    return described;
  }
}

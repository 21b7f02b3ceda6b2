package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import java.util.LinkedHashMap;
import java.util.Map;

/** The cosmoscassandra options that reach a testkit server instead of Azure. */
final class TestServerOptions {

  private TestServerOptions() {}

  static Map<String, String> forServer(CassandraServer server) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("account", server.username());
    options.put("password", server.password());
    options.put("host", server.host());
    options.put("port", Integer.toString(server.port()));
    options.put("tls.truststore.path", server.truststorePath().toString());
    options.put("tls.truststore.password", server.truststorePassword());
    options.put("tls.truststore.type", server.truststoreType());
    return options;
  }
}

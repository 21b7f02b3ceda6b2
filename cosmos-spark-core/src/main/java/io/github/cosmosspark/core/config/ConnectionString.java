package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The connection string the Azure portal shows for a Cassandra API account: {@code
 * HostName=acct.cassandra.cosmos.azure.com;Username=acct;Password=...;Port=10350}. Field names are
 * matched without regard to case; unknown fields are an error, since a typo would otherwise be
 * silently ignored.
 */
final class ConnectionString {

  final String host;
  final String username;
  final String password;
  final Integer port;

  private ConnectionString(String host, String username, String password, Integer port) {
    this.host = host;
    this.username = username;
    this.password = password;
    this.port = port;
  }

  static ConnectionString parse(String key, String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String part : text.split(";")) {
      if (part.trim().isEmpty()) {
        continue;
      }
      int equals = part.indexOf('=');
      if (equals <= 0) {
        throw malformed(key, "a part has no 'Name=value' form");
      }
      String name = part.substring(0, equals).trim();
      String field = name.toLowerCase(Locale.ROOT);
      if (!field.equals("hostname")
          && !field.equals("username")
          && !field.equals("password")
          && !field.equals("port")) {
        // Echo the field name only when it looks like one: a bare key ends in '=' padding and
        // would otherwise be printed.
        throw malformed(
            key,
            (name.matches("[A-Za-z]{1,20}")
                    ? "it has a field '" + name + "'"
                    : "a part is not a Name=value field")
                + "; expected HostName, Username, Password and Port");
      }
      fields.put(field, part.substring(equals + 1).trim());
    }
    String username = fields.get("username");
    String password = fields.get("password");
    if (username == null || username.isEmpty()) {
      throw malformed(key, "it has no Username");
    }
    if (password == null || password.isEmpty()) {
      throw malformed(key, "it has no Password");
    }
    Integer port = null;
    if (fields.containsKey("port")) {
      port = CosmosOptions.PORT.parse(key + " (Port)", fields.get("port"));
    }
    return new ConnectionString(fields.get("hostname"), username, password, port);
  }

  private static CosmosConfigException malformed(String key, String why) {
    return new CosmosConfigException(
        "Option '"
            + key
            + "' is not a connection string as the Azure portal shows it ("
            + why
            + "). Copy PRIMARY CONNECTION STRING from the account's Connection String page: "
            + "HostName=<account>.cassandra.cosmos.azure.com;Username=<account>;Password=<key>;"
            + "Port=10350.");
  }
}

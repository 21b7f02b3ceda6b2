package io.github.cosmosspark.core.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resolved, validated configuration of one read or write: where the account is, how to log in,
 * how to secure the connection. Immutable and serializable, so it travels to executors inside the
 * connector's own configuration. {@link #toString()} never shows a secret.
 *
 * <p>Each option's value comes from the first of: the per-read option (short name, then full key),
 * {@code spark.cosmos.cassandra.<name>} in the session or Spark configuration, the plain {@code
 * spark.cassandra.*} key it falls back to (per-read, then configuration), the connection string,
 * and its default.
 */
public final class CosmosCassandraConfig implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CosmosCassandraConfig.class);
  private static final String COSMOS_DOMAIN = ".cassandra.cosmos.azure.com";
  private static final String SCC_TLS_KEY = "spark.cassandra.connection.ssl.enabled";

  private final String account;
  private final String password;
  private final String host;
  private final int port;
  private final boolean tlsEnabled;
  private final boolean hostnameVerification;
  private final String truststorePath;
  private final String truststorePassword;
  private final String truststoreType;
  private final String keyspace;
  private final String table;

  private CosmosCassandraConfig(Resolver resolver) {
    ConnectionString connectionString =
        resolver.rawValue(CosmosOptions.CONNECTION_STRING) == null
            ? null
            : ConnectionString.parse(
                resolver.sourceKey(CosmosOptions.CONNECTION_STRING),
                resolver.rawValue(CosmosOptions.CONNECTION_STRING));

    String explicitAccount = resolver.value(CosmosOptions.ACCOUNT);
    if (connectionString != null
        && explicitAccount != null
        && !explicitAccount.equalsIgnoreCase(connectionString.username)) {
      throw new CosmosConfigException(
          "Option '"
              + resolver.sourceKey(CosmosOptions.ACCOUNT)
              + "' names account '"
              + explicitAccount
              + "' but '"
              + resolver.sourceKey(CosmosOptions.CONNECTION_STRING)
              + "' is for account '"
              + connectionString.username
              + "'. Set only one of them, or make them agree.");
    }
    this.account = explicitAccount != null ? explicitAccount : userOf(connectionString);
    if (account == null) {
      throw new CosmosConfigException(
          "No Cosmos DB account is configured. Set '"
              + CosmosOptions.ACCOUNT.key()
              + "' and '"
              + CosmosOptions.PASSWORD.key()
              + "', or '"
              + CosmosOptions.CONNECTION_STRING.key()
              + "' to the portal's PRIMARY CONNECTION STRING (as a read/write option, or in the"
              + " Spark configuration).");
    }
    String explicitPassword = resolver.value(CosmosOptions.PASSWORD);
    this.password =
        explicitPassword != null
            ? explicitPassword
            : connectionString != null ? connectionString.password : null;
    if (password == null) {
      throw new CosmosConfigException(
          "No key is configured for Cosmos DB account '"
              + account
              + "'. Set '"
              + CosmosOptions.PASSWORD.key()
              + "' to the account's PRIMARY PASSWORD (a read-only password for reads), or use '"
              + CosmosOptions.CONNECTION_STRING.key()
              + "'.");
    }
    String explicitHost = resolver.value(CosmosOptions.HOST);
    this.host =
        explicitHost != null
            ? explicitHost
            : connectionString != null && connectionString.host != null
                ? connectionString.host
                : account + COSMOS_DOMAIN;
    Integer explicitPort = resolver.value(CosmosOptions.PORT);
    this.port =
        explicitPort != null
            ? explicitPort
            : connectionString != null && connectionString.port != null
                ? connectionString.port
                : CosmosOptions.PORT.defaultValue();

    if (resolver.rawValue(SCC_TLS_KEY) != null
        && !Boolean.parseBoolean(resolver.rawValue(SCC_TLS_KEY).trim())
        && resolver.rawValue(CosmosOptions.TLS_ENABLED) == null) {
      throw new CosmosConfigException(
          "'"
              + SCC_TLS_KEY
              + "' is false, but Cosmos DB needs TLS and cosmoscassandra keeps it on. To turn TLS"
              + " off (for a plain-text test server only), set '"
              + CosmosOptions.TLS_ENABLED.key()
              + "' to false; otherwise remove '"
              + SCC_TLS_KEY
              + "'.");
    }
    this.tlsEnabled = resolver.valueOrDefault(CosmosOptions.TLS_ENABLED);
    this.hostnameVerification = resolver.valueOrDefault(CosmosOptions.TLS_HOSTNAME_VERIFICATION);
    this.truststorePath = resolver.value(CosmosOptions.TRUSTSTORE_PATH);
    this.truststorePassword = resolver.value(CosmosOptions.TRUSTSTORE_PASSWORD);
    this.truststoreType = resolver.valueOrDefault(CosmosOptions.TRUSTSTORE_TYPE);
    this.keyspace = resolver.value(CosmosOptions.KEYSPACE);
    this.table = resolver.value(CosmosOptions.TABLE);
  }

  /**
   * Resolves the configuration.
   *
   * @param perRead the options of one read or write (short names or full keys, any case)
   * @param configuration the Spark and session configuration, session values winning
   * @throws CosmosConfigException naming the option at fault
   */
  public static CosmosCassandraConfig resolve(
      Map<String, String> perRead, Map<String, String> configuration) {
    CosmosCassandraConfig config = new CosmosCassandraConfig(new Resolver(perRead, configuration));
    if (!config.tlsEnabled) {
      LOG.warn(
          "TLS is off ({}=false) for {}:{}; Cosmos DB refuses plain-text connections. Use this"
              + " only against a local test server.",
          CosmosOptions.TLS_ENABLED.key(),
          config.host,
          config.port);
    } else if (!config.hostnameVerification) {
      LOG.warn(
          "Host name verification is off ({}=false) for {}:{}; any server with a trusted"
              + " certificate can impersonate it.",
          CosmosOptions.TLS_HOSTNAME_VERIFICATION.key(),
          config.host,
          config.port);
    }
    return config;
  }

  /** The account name, which is also the user name. */
  public String account() {
    return account;
  }

  /** The account key. A secret: never log it. */
  public String password() {
    return password;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public boolean tlsEnabled() {
    return tlsEnabled;
  }

  public boolean hostnameVerification() {
    return hostnameVerification;
  }

  /** The trust store path, or null for the JVM's default trust. */
  public String truststorePath() {
    return truststorePath;
  }

  /** The trust store password, or null. A secret. */
  public String truststorePassword() {
    return truststorePassword;
  }

  public String truststoreType() {
    return truststoreType;
  }

  /** The keyspace, or null when not given. */
  public String keyspace() {
    return keyspace;
  }

  /** The table, or null when not given. */
  public String table() {
    return table;
  }

  /**
   * The resolved values under their full keys, secrets included, for handing on to the connector;
   * the keys match Spark's default redaction pattern wherever the value is a secret.
   */
  public Map<String, String> toOptions() {
    Map<String, String> options = new HashMap<>();
    options.put(CosmosOptions.ACCOUNT.key(), account);
    options.put(CosmosOptions.PASSWORD.key(), password);
    options.put(CosmosOptions.HOST.key(), host);
    options.put(CosmosOptions.PORT.key(), Integer.toString(port));
    options.put(CosmosOptions.TLS_ENABLED.key(), Boolean.toString(tlsEnabled));
    options.put(
        CosmosOptions.TLS_HOSTNAME_VERIFICATION.key(), Boolean.toString(hostnameVerification));
    putIfSet(options, CosmosOptions.TRUSTSTORE_PATH.key(), truststorePath);
    putIfSet(options, CosmosOptions.TRUSTSTORE_PASSWORD.key(), truststorePassword);
    options.put(CosmosOptions.TRUSTSTORE_TYPE.key(), truststoreType);
    putIfSet(options, CosmosOptions.KEYSPACE.key(), keyspace);
    putIfSet(options, CosmosOptions.TABLE.key(), table);
    return options;
  }

  private static void putIfSet(Map<String, String> options, String key, String value) {
    if (value != null) {
      options.put(key, value);
    }
  }

  private static String userOf(ConnectionString connectionString) {
    return connectionString == null ? null : connectionString.username;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof CosmosCassandraConfig)) {
      return false;
    }
    CosmosCassandraConfig that = (CosmosCassandraConfig) other;
    return port == that.port
        && tlsEnabled == that.tlsEnabled
        && hostnameVerification == that.hostnameVerification
        && account.equals(that.account)
        && password.equals(that.password)
        && host.equals(that.host)
        && Objects.equals(truststorePath, that.truststorePath)
        && Objects.equals(truststorePassword, that.truststorePassword)
        && Objects.equals(truststoreType, that.truststoreType)
        && Objects.equals(keyspace, that.keyspace)
        && Objects.equals(table, that.table);
  }

  @Override
  public int hashCode() {
    return Objects.hash(account, host, port, tlsEnabled, keyspace, table);
  }

  @Override
  public String toString() {
    return "CosmosCassandraConfig{account="
        + account
        + ", password=<redacted>, endpoint="
        + host
        + ":"
        + port
        + ", tls="
        + tlsEnabled
        + ", hostnameVerification="
        + hostnameVerification
        + ", truststore="
        + (truststorePath == null ? "<JVM default>" : truststorePath)
        + ", keyspace="
        + keyspace
        + ", table="
        + table
        + "}";
  }

  /** A setting's text and the key, as the user wrote it, it was found under. */
  private static final class Found {
    final String key;
    final String text;

    Found(String key, String text) {
      this.key = key;
      this.text = text;
    }
  }

  /** Finds each option's text by precedence and parses it, naming the key it came from. */
  private static final class Resolver {
    private final Map<String, String> perRead = new HashMap<>();
    private final Map<String, String> perReadKeys = new HashMap<>();
    private final Map<String, String> configuration = new HashMap<>();
    private final Map<String, String> configurationKeys = new HashMap<>();

    Resolver(Map<String, String> perRead, Map<String, String> configuration) {
      index(perRead, this.perRead, perReadKeys);
      index(configuration, this.configuration, configurationKeys);
      rejectUnknown(perReadKeys);
      rejectUnknown(configurationKeys);
    }

    private static void index(
        Map<String, String> source, Map<String, String> values, Map<String, String> keys) {
      for (Map.Entry<String, String> entry : source.entrySet()) {
        if (entry.getValue() == null) {
          continue;
        }
        String lower = entry.getKey().toLowerCase(Locale.ROOT);
        values.put(lower, entry.getValue());
        keys.put(lower, entry.getKey());
      }
    }

    private static void rejectUnknown(Map<String, String> keys) {
      List<String> unknown = new ArrayList<>();
      for (String lower : keys.keySet()) {
        if (lower.startsWith(CosmosOption.PREFIX) && !CosmosOptions.find(lower).isPresent()) {
          unknown.add(keys.get(lower));
        }
      }
      if (!unknown.isEmpty()) {
        String first = unknown.get(0);
        throw new CosmosConfigException(
            "Unknown option '"
                + first
                + "'; did you mean '"
                + CosmosOptions.closestKey(first)
                + "'? Known options: "
                + String.join(", ", CosmosOptions.keys())
                + ".");
      }
    }

    /** The raw text of an option, by precedence, or null. */
    String rawValue(CosmosOption<?> option) {
      Found found = find(option);
      return found == null ? null : found.text;
    }

    String rawValue(String connectorKey) {
      String lower = connectorKey.toLowerCase(Locale.ROOT);
      return perRead.containsKey(lower) ? perRead.get(lower) : configuration.get(lower);
    }

    /** The key, as the user wrote it, that the option's value comes from. */
    String sourceKey(CosmosOption<?> option) {
      Found found = find(option);
      return found != null ? found.key : option.key();
    }

    private Found find(CosmosOption<?> option) {
      List<String> perReadCandidates = new ArrayList<>();
      perReadCandidates.add(option.name());
      perReadCandidates.add(option.key());
      for (String candidate : perReadCandidates) {
        Found found = lookUp(candidate, perRead, perReadKeys);
        if (found != null) {
          return found;
        }
      }
      Found configured = lookUp(option.key(), configuration, configurationKeys);
      if (configured != null) {
        return configured;
      }
      for (String fallback : option.connectorFallbackKeys()) {
        Found found = lookUp(fallback, perRead, perReadKeys);
        if (found == null) {
          found = lookUp(fallback, configuration, configurationKeys);
        }
        if (found != null) {
          return found;
        }
      }
      return null;
    }

    private static Found lookUp(
        String key, Map<String, String> values, Map<String, String> originalKeys) {
      String lower = key.toLowerCase(Locale.ROOT);
      return values.containsKey(lower)
          ? new Found(originalKeys.get(lower), values.get(lower))
          : null;
    }

    <T> T value(CosmosOption<T> option) {
      String text = rawValue(option);
      return text == null ? null : option.parse(sourceKey(option), text);
    }

    <T> T valueOrDefault(CosmosOption<T> option) {
      T value = value(option);
      return value != null ? value : option.defaultValue();
    }
  }
}

package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.retry.RetrySettings;
import io.github.cosmosspark.core.throughput.ThroughputSettings;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

  /** Azure's domain for the Cassandra API: an account's endpoint is {@code <account>} + this. */
  public static final String COSMOS_DOMAIN = ".cassandra.cosmos.azure.com";

  private static final String SCC_TLS_KEY = "spark.cassandra.connection.ssl.enabled";

  /**
   * Endpoints already warned about, with the option that weakened their TLS: every read resolves
   * its options more than once (schema, then table), and a warning per resolution would bury the
   * one line that matters.
   */
  private static final Set<String> WEAKENED_TLS_WARNED = ConcurrentHashMap.newKeySet();

  /** Where the connector carries resolved settings; not for users to set. */
  public static final String RESOLVED_PREFIX = CosmosOption.PREFIX + "resolved.";

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
  private final RetrySettings retry;
  private final ThroughputSettings throughput;

  private CosmosCassandraConfig(
      String account,
      String password,
      String host,
      int port,
      boolean tlsEnabled,
      boolean hostnameVerification,
      String truststorePath,
      String truststorePassword,
      String truststoreType,
      String keyspace,
      String table,
      RetrySettings retry,
      ThroughputSettings throughput) {
    this.account = account;
    this.password = password;
    this.host = host;
    this.port = port;
    this.tlsEnabled = tlsEnabled;
    this.hostnameVerification = hostnameVerification;
    this.truststorePath = truststorePath;
    this.truststorePassword = truststorePassword;
    this.truststoreType = truststoreType;
    this.keyspace = keyspace;
    this.table = table;
    this.retry = retry;
    this.throughput = throughput;
  }

  /**
   * The connection string is a bundle of account, key, host and port set at one level (per read, or
   * configuration). An account given at a more specific level replaces the whole bundle; one at the
   * same level must agree with it; key, host and port given at a more specific level override
   * single parts of it.
   */
  private static CosmosCassandraConfig resolveWith(Resolver resolver) {
    Found connectionText = resolver.find(CosmosOptions.CONNECTION_STRING);
    ConnectionString connectionString =
        connectionText == null
            ? null
            : ConnectionString.parse(connectionText.key, connectionText.text);
    Found accountFound = resolver.find(CosmosOptions.ACCOUNT);
    String explicitAccount = resolver.parse(CosmosOptions.ACCOUNT, accountFound);
    boolean bundle =
        connectionString != null
            && (accountFound == null || accountFound.layer >= connectionText.layer);
    if (bundle
        && accountFound != null
        && accountFound.layer == connectionText.layer
        && !explicitAccount.equalsIgnoreCase(connectionString.username)) {
      throw new CosmosConfigException(
          "Option '"
              + accountFound.key
              + "' names account '"
              + explicitAccount
              + "' but '"
              + connectionText.key
              + "' is for account '"
              + connectionString.username
              + "'. Set only one of them, or make them agree.");
    }
    String account = bundle ? connectionString.username : explicitAccount;
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
    int bundleLayer = bundle ? connectionText.layer : Integer.MAX_VALUE;
    String password =
        resolver.moreSpecificThan(
            CosmosOptions.PASSWORD, bundleLayer, bundle ? connectionString.password : null);
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
    String host =
        resolver.moreSpecificThan(
            CosmosOptions.HOST, bundleLayer, bundle ? connectionString.host : null);
    Integer port =
        resolver.moreSpecificThan(
            CosmosOptions.PORT, bundleLayer, bundle ? connectionString.port : null);

    String sccTls = resolver.rawValue(SCC_TLS_KEY);
    if (sccTls != null
        && !Boolean.parseBoolean(sccTls.trim())
        && resolver.find(CosmosOptions.TLS_ENABLED) == null) {
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
    return new CosmosCassandraConfig(
        account,
        password,
        host != null ? host : account + COSMOS_DOMAIN,
        port != null ? port : CosmosOptions.PORT.defaultValue(),
        resolver.valueOrDefault(CosmosOptions.TLS_ENABLED),
        resolver.valueOrDefault(CosmosOptions.TLS_HOSTNAME_VERIFICATION),
        resolver.value(CosmosOptions.TRUSTSTORE_PATH),
        resolver.value(CosmosOptions.TRUSTSTORE_PASSWORD),
        resolver.valueOrDefault(CosmosOptions.TRUSTSTORE_TYPE),
        resolver.value(CosmosOptions.KEYSPACE),
        resolver.value(CosmosOptions.TABLE),
        retrySettings(resolver),
        new ThroughputSettings(
            resolver.valueOrDefault(CosmosOptions.THROUGHPUT_CONTROL),
            resolver.value(CosmosOptions.THROUGHPUT_TARGET),
            resolver.value(CosmosOptions.THROUGHPUT_PROVISIONED),
            resolver.valueOrDefault(CosmosOptions.THROUGHPUT_FRACTION)));
  }

  private static RetrySettings retrySettings(Resolver resolver) {
    Integer maxAttempts = resolver.value(CosmosOptions.RETRY_MAX_ATTEMPTS);
    if (maxAttempts == null) {
      Found legacy = resolver.findConnectorKey(LegacySettings.QUERY_RETRY_COUNT);
      maxAttempts =
          legacy != null
              ? LegacySettings.maxAttemptsFromRetryCount(legacy.key, legacy.text)
              : CosmosOptions.RETRY_MAX_ATTEMPTS.defaultValue();
    }
    return new RetrySettings(
        maxAttempts,
        resolver.valueOrDefault(CosmosOptions.RETRY_MAX_TIME_MS),
        resolver.valueOrDefault(CosmosOptions.RETRY_TIMEOUT_RETRIES));
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
    CosmosCassandraConfig config = resolveWith(new Resolver(perRead, configuration));
    String endpoint = config.host + ":" + config.port;
    if (!config.tlsEnabled) {
      if (WEAKENED_TLS_WARNED.add(CosmosOptions.TLS_ENABLED.key() + " " + endpoint)) {
        LOG.warn(
            "TLS is off ({}=false) for {}: the account key and every row cross the network in"
                + " plain text, and Cosmos DB refuses such connections. Use this only against a"
                + " local test server.",
            CosmosOptions.TLS_ENABLED.key(),
            endpoint);
      }
    } else if (!config.hostnameVerification) {
      if (WEAKENED_TLS_WARNED.add(CosmosOptions.TLS_HOSTNAME_VERIFICATION.key() + " " + endpoint)) {
        LOG.warn(
            "Host name verification is off ({}=false) for {}; any server with a trusted"
                + " certificate can impersonate it and receive the account key.",
            CosmosOptions.TLS_HOSTNAME_VERIFICATION.key(),
            endpoint);
      }
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
   * What the user said about throughput for this read or write; null in a connection's
   * configuration, where the planned budget travels separately.
   */
  public ThroughputSettings throughput() {
    return throughput;
  }

  /** How rate-limited and timed-out requests are resent. */
  public RetrySettings retry() {
    return retry;
  }

  /**
   * The resolved connection settings under internal keys ({@value #RESOLVED_PREFIX}...), for the
   * connector to hand to {@code CosmosAuthConfFactory}, which then uses them as they are instead of
   * resolving again from the connector's merged configuration. Secret values sit under keys that
   * Spark's default redaction pattern matches. Keyspace and table are left out: one session serves
   * every table of an account.
   */
  public Map<String, String> toResolvedOptions() {
    Map<String, String> options = new HashMap<>();
    options.put(RESOLVED_PREFIX + "account", account);
    options.put(RESOLVED_PREFIX + "password", password);
    options.put(RESOLVED_PREFIX + "host", host);
    options.put(RESOLVED_PREFIX + "port", Integer.toString(port));
    options.put(RESOLVED_PREFIX + "tls.enabled", Boolean.toString(tlsEnabled));
    options.put(
        RESOLVED_PREFIX + "tls.hostnameVerification", Boolean.toString(hostnameVerification));
    putIfSet(options, RESOLVED_PREFIX + "tls.truststore.path", truststorePath);
    putIfSet(options, RESOLVED_PREFIX + "tls.truststore.password", truststorePassword);
    options.put(RESOLVED_PREFIX + "tls.truststore.type", truststoreType);
    options.put(RESOLVED_PREFIX + "retry.maxAttempts", Integer.toString(retry.maxAttempts()));
    options.put(RESOLVED_PREFIX + "retry.maxTimeMs", Integer.toString(retry.maxTimeMillis()));
    options.put(RESOLVED_PREFIX + "retry.timeoutRetries", Integer.toString(retry.timeoutRetries()));
    return options;
  }

  /**
   * The configuration {@link #toResolvedOptions()} wrote, read back from the connector's merged
   * configuration (keys in any case), or null when there is none.
   */
  public static CosmosCassandraConfig fromResolvedOptions(Map<String, String> settings) {
    Map<String, String> resolved = new HashMap<>();
    for (Map.Entry<String, String> entry : settings.entrySet()) {
      String lower = entry.getKey().toLowerCase(Locale.ROOT);
      if (lower.startsWith(RESOLVED_PREFIX)) {
        resolved.put(lower.substring(RESOLVED_PREFIX.length()), entry.getValue());
      }
    }
    if (!resolved.containsKey("account")) {
      return null;
    }
    return new CosmosCassandraConfig(
        resolved.get("account"),
        resolved.get("password"),
        resolved.get("host"),
        Integer.parseInt(resolved.get("port")),
        Boolean.parseBoolean(resolved.get("tls.enabled")),
        Boolean.parseBoolean(resolved.get("tls.hostnameverification")),
        resolved.get("tls.truststore.path"),
        resolved.get("tls.truststore.password"),
        resolved.get("tls.truststore.type"),
        null,
        null,
        new RetrySettings(
            Integer.parseInt(resolved.get("retry.maxattempts")),
            Integer.parseInt(resolved.get("retry.maxtimems")),
            Integer.parseInt(resolved.get("retry.timeoutretries"))),
        null);
  }

  /** This configuration without keyspace and table: what identifies a session. */
  public CosmosCassandraConfig forConnection() {
    return new CosmosCassandraConfig(
        account,
        password,
        host,
        port,
        tlsEnabled,
        hostnameVerification,
        truststorePath,
        truststorePassword,
        truststoreType,
        null,
        null,
        retry,
        null);
  }

  private static void putIfSet(Map<String, String> options, String key, String value) {
    if (value != null) {
      options.put(key, value);
    }
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
        && Objects.equals(table, that.table)
        && retry.equals(that.retry)
        && Objects.equals(throughput, that.throughput);
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
        + ", retry="
        + retry
        + "}";
  }

  /** A setting's text and the key, as the user wrote it, it was found under. */
  private static final class Found {
    final String key;
    final String text;

    /** 0 per-read, 1 configuration, 2 per-read connector key, 3 configuration connector key. */
    final int layer;

    Found(String key, String text, int layer) {
      this.key = key;
      this.text = text;
      this.layer = layer;
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
        // SCC lower-cases per-read keys when it merges them over the configuration's, so when
        // a key appears in both spellings the lower-case one is the more specific setting.
        if (keys.containsKey(lower) && !entry.getKey().equals(lower)) {
          continue;
        }
        values.put(lower, entry.getValue());
        keys.put(lower, entry.getKey());
      }
    }

    private static void rejectUnknown(Map<String, String> keys) {
      List<String> unknown = new ArrayList<>();
      for (String lower : keys.keySet()) {
        if (lower.startsWith(CosmosOption.PREFIX)
            && !lower.startsWith(RESOLVED_PREFIX)
            && !CosmosOptions.find(lower).isPresent()) {
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

    /** A plain connector key's setting, per read first. */
    Found findConnectorKey(String connectorKey) {
      Found found = lookUp(connectorKey, perRead, perReadKeys, 2);
      return found != null ? found : lookUp(connectorKey, configuration, configurationKeys, 3);
    }

    String rawValue(String connectorKey) {
      String lower = connectorKey.toLowerCase(Locale.ROOT);
      return perRead.containsKey(lower) ? perRead.get(lower) : configuration.get(lower);
    }

    Found find(CosmosOption<?> option) {
      Found found = lookUp(option.name(), perRead, perReadKeys, 0);
      if (found == null) {
        found = lookUp(option.key(), perRead, perReadKeys, 0);
      }
      if (found == null) {
        found = lookUp(option.key(), configuration, configurationKeys, 1);
      }
      for (String fallback : option.connectorFallbackKeys()) {
        if (found == null) {
          found = lookUp(fallback, perRead, perReadKeys, 2);
        }
        if (found == null) {
          found = lookUp(fallback, configuration, configurationKeys, 3);
        }
      }
      return found;
    }

    private static Found lookUp(
        String key, Map<String, String> values, Map<String, String> originalKeys, int layer) {
      String lower = key.toLowerCase(Locale.ROOT);
      return values.containsKey(lower)
          ? new Found(originalKeys.get(lower), values.get(lower), layer)
          : null;
    }

    <T> T parse(CosmosOption<T> option, Found found) {
      return found == null ? null : option.parse(found.key, found.text);
    }

    /**
     * The option's value if set at a level more specific than {@code layer}, else {@code other}.
     */
    <T> T moreSpecificThan(CosmosOption<T> option, int layer, T other) {
      Found found = find(option);
      return found != null && (found.layer < layer || other == null) ? parse(option, found) : other;
    }

    <T> T value(CosmosOption<T> option) {
      return parse(option, find(option));
    }

    <T> T valueOrDefault(CosmosOption<T> option) {
      T value = value(option);
      return value != null ? value : option.defaultValue();
    }
  }
}

package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resolved, validated configuration of one read or write: where the account is, how to log in,
 * how to secure the connection, how to retry, what throughput the job may use. It is its values,
 * one per declared option ({@link CosmosOptions}), so that crossing to executors is one
 * encode/decode driven by the declarations ({@link #encode()}, {@link #decode(Map)}): no key is
 * spelled twice. Immutable and serializable. {@link #toString()} never shows a secret.
 *
 * <p>Each option's value comes from the first of: the per-read option (short name, then full key),
 * {@code spark.cosmos.cassandra.<name>} in the session or Spark configuration, the plain {@code
 * spark.cassandra.*} key it falls back to (per-read, then configuration), the connection string,
 * and its default.
 */
public final class CosmosCassandraConfig implements Serializable {
  private static final long serialVersionUID = 2L;
  private static final Logger LOG = LoggerFactory.getLogger(CosmosCassandraConfig.class);

  /** Azure's domain for the Cassandra API: an account's endpoint is {@code <account>} + this. */
  public static final String COSMOS_DOMAIN = ".cassandra.cosmos.azure.com";

  private static final String SCC_TLS_KEY = "spark.cassandra.connection.ssl.enabled";

  /** Where the key can come from besides {@code password}; resolution folds them into it. */
  private static final List<CosmosOption<?>> KEY_SOURCES =
      Collections.unmodifiableList(
          Arrays.<CosmosOption<?>>asList(
              CosmosOptions.CONNECTION_STRING,
              CosmosOptions.PASSWORD_ENV,
              CosmosOptions.PASSWORD_FILE));

  /** Where the connector carries resolved settings; not for users to set. */
  public static final String RESOLVED_PREFIX = CosmosOption.PREFIX + "resolved.";

  /** Resolved values by option name; an option without a value (no default, not set) is absent. */
  private final Map<String, Object> values;

  private CosmosCassandraConfig(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * The connection string is a bundle of account, key, host and port set at one level (per read, or
   * configuration). An account given at a more specific level replaces the whole bundle; one at the
   * same level must agree with it; key, host and port given at a more specific level override
   * single parts of it.
   */
  private static CosmosCassandraConfig resolveWith(Resolver resolver, WarnOnce warnings) {
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
    boolean entra = "entra".equals(resolver.valueOrDefault(CosmosOptions.AUTH_TYPE));
    Found authType = resolver.find(CosmosOptions.AUTH_TYPE);
    // A login chosen at a more specific level replaces the other login's settings of a less
    // specific one (a read's own auth.type over the cluster's key), as a read's key replaces the
    // configuration's; at the same or a more specific level they contradict it.
    // Levels: 0 a read's options, 1 the configuration (either with the connector's own keys).
    int authLevel = authType == null ? 2 : authType.layer % 2;
    String password;
    if (entra) {
      requireNoKey(resolver, connectionText, authLevel);
      password = null;
    } else {
      requireNoEntraSettings(resolver, authLevel);
      password =
          accountKey(resolver, connectionText, bundle ? connectionString.password : null, account);
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
    Map<String, Object> values = new LinkedHashMap<>();
    values.put(CosmosOptions.ACCOUNT.name(), account);
    if (password != null) {
      values.put(CosmosOptions.PASSWORD.name(), password);
    }
    values.put(CosmosOptions.HOST.name(), host != null ? host : account + COSMOS_DOMAIN);
    values.put(CosmosOptions.PORT.name(), port != null ? port : CosmosOptions.PORT.defaultValue());
    values.put(CosmosOptions.RETRY_MAX_ATTEMPTS.name(), maxAttempts(resolver, warnings));
    for (CosmosOption<?> option : CosmosOptions.all()) {
      // The other login's settings, replaced at a less specific level, do not travel.
      boolean otherLogin =
          entra ? option == CosmosOptions.PASSWORD : EntraSettings.OPTIONS.contains(option);
      if (!values.containsKey(option.name()) && !KEY_SOURCES.contains(option) && !otherLogin) {
        Object value = resolver.valueOrDefault(option);
        if (value != null) {
          values.put(option.name(), value);
        }
      }
    }
    if (entra) {
      EntraSettings.complete(values, resolver.environment);
    }
    return new CosmosCassandraConfig(values);
  }

  /**
   * With {@code auth.type=entra} no key may be given at any level: an account with keys disabled
   * refuses them, and with both it would be unclear which one logs in.
   */
  private static void requireNoKey(Resolver resolver, Found connectionText, int authLevel) {
    for (Found found :
        Arrays.asList(
            resolver.find(CosmosOptions.PASSWORD),
            connectionText,
            resolver.find(CosmosOptions.PASSWORD_ENV),
            resolver.find(CosmosOptions.PASSWORD_FILE))) {
      if (found != null && found.layer % 2 <= authLevel) {
        throw new CosmosConfigException(
            "'"
                + CosmosOptions.AUTH_TYPE.key()
                + "' is 'entra', but '"
                + found.key
                + "' gives an account key. Log in one way: remove '"
                + found.key
                + "' (with Microsoft Entra ID the account name goes in '"
                + CosmosOptions.ACCOUNT.key()
                + "'), or set '"
                + CosmosOptions.AUTH_TYPE.key()
                + "' to 'key' and remove the auth.entra.* settings.");
      }
    }
  }

  /** Entra settings with key login would be silently ignored. */
  private static void requireNoEntraSettings(Resolver resolver, int authLevel) {
    for (CosmosOption<?> option : EntraSettings.OPTIONS) {
      Found found = resolver.find(option);
      if (found != null && found.layer % 2 <= authLevel) {
        throw new CosmosConfigException(
            "'"
                + found.key
                + "' is set, but '"
                + CosmosOptions.AUTH_TYPE.key()
                + "' is 'key' (its default), which logs in with the account key and ignores"
                + " Microsoft Entra ID settings. Set '"
                + CosmosOptions.AUTH_TYPE.key()
                + "' to 'entra' (and give no key), or remove '"
                + found.key
                + "'.");
      }
    }
  }

  /**
   * The account key, from the one source given at the most specific level: {@code password} (or the
   * connector's key it falls back to), the connection string when it gives the account, {@code
   * passwordEnv} or {@code passwordFile}. Two of them at one level are an error, since either
   * choice would silently ignore the other.
   */
  private static String accountKey(
      Resolver resolver, Found connectionText, String bundlePassword, String account) {
    Found password = resolver.find(CosmosOptions.PASSWORD);
    Found env = resolver.find(CosmosOptions.PASSWORD_ENV);
    Found file = resolver.find(CosmosOptions.PASSWORD_FILE);
    List<Found> given = new ArrayList<>();
    for (Found found : Arrays.asList(password, connectionText, env, file)) {
      if (found != null) {
        given.add(found);
      }
    }
    for (int i = 0; i < given.size(); i++) {
      for (int j = i + 1; j < given.size(); j++) {
        if (given.get(i).layer == given.get(j).layer) {
          throw new CosmosConfigException(
              "Options '"
                  + given.get(i).key
                  + "' and '"
                  + given.get(j).key
                  + "' both give the account key "
                  + (given.get(i).layer % 2 == 0
                      ? "in the options of this read, write or catalog"
                      : "in the Spark or session configuration")
                  + ". Give exactly one of '"
                  + CosmosOptions.PASSWORD.name()
                  + "', '"
                  + CosmosOptions.CONNECTION_STRING.name()
                  + "', '"
                  + CosmosOptions.PASSWORD_ENV.name()
                  + "', '"
                  + CosmosOptions.PASSWORD_FILE.name()
                  + "' there.");
        }
      }
    }
    Found chosen = null;
    for (Found found : Arrays.asList(password, env, file)) {
      if (found != null && (chosen == null || found.layer < chosen.layer)) {
        chosen = found;
      }
    }
    if (bundlePassword != null && (chosen == null || connectionText.layer < chosen.layer)) {
      return bundlePassword;
    }
    if (chosen == null) {
      throw new CosmosConfigException(
          "No key is configured for Cosmos DB account '"
              + account
              + "'. Set '"
              + CosmosOptions.PASSWORD.key()
              + "' to the account's PRIMARY PASSWORD (a read-only password for reads), name an"
              + " environment variable or a file that holds it with '"
              + CosmosOptions.PASSWORD_ENV.key()
              + "' or '"
              + CosmosOptions.PASSWORD_FILE.key()
              + "', or use '"
              + CosmosOptions.CONNECTION_STRING.key()
              + "'.");
    }
    if (chosen == env) {
      return KeySources.fromEnvironment(
          env.key, resolver.parse(CosmosOptions.PASSWORD_ENV, env), resolver.environment);
    }
    if (chosen == file) {
      return KeySources.fromFile(file.key, resolver.parse(CosmosOptions.PASSWORD_FILE, file));
    }
    return resolver.parse(CosmosOptions.PASSWORD, password);
  }

  /** {@code retry.maxAttempts}, or the helper's retry count it replaces. */
  private static int maxAttempts(Resolver resolver, WarnOnce warnings) {
    Integer maxAttempts = resolver.value(CosmosOptions.RETRY_MAX_ATTEMPTS);
    if (maxAttempts != null) {
      return maxAttempts;
    }
    Found legacy = resolver.findConnectorKey(LegacySettings.QUERY_RETRY_COUNT);
    return legacy != null
        ? LegacySettings.maxAttemptsFromRetryCount(legacy.key, legacy.text, warnings)
        : CosmosOptions.RETRY_MAX_ATTEMPTS.defaultValue();
  }

  /**
   * Resolves the configuration, saying every warning it has.
   *
   * @param perRead the options of one read or write (short names or full keys, any case)
   * @param configuration the Spark and session configuration, session values winning
   * @throws CosmosConfigException naming the option at fault
   */
  public static CosmosCassandraConfig resolve(
      Map<String, String> perRead, Map<String, String> configuration) {
    return resolve(perRead, configuration, new WarnOnce());
  }

  /**
   * Resolves the configuration, saying each warning once per {@code warnings}.
   *
   * @throws CosmosConfigException naming the option at fault
   */
  public static CosmosCassandraConfig resolve(
      Map<String, String> perRead, Map<String, String> configuration, WarnOnce warnings) {
    return resolve(perRead, configuration, warnings, System::getenv);
  }

  /** As {@link #resolve(Map, Map, WarnOnce)}, with the driver's environment given, for tests. */
  static CosmosCassandraConfig resolve(
      Map<String, String> perRead,
      Map<String, String> configuration,
      WarnOnce warnings,
      Function<String, String> environment) {
    CosmosCassandraConfig config =
        resolveWith(new Resolver(perRead, configuration, environment), warnings);
    String endpoint = config.host() + ":" + config.port();
    if (!config.tlsEnabled()) {
      warnings.warn(
          LOG,
          CosmosOptions.TLS_ENABLED.key() + " " + endpoint,
          "TLS is off ({}=false) for {}: the account key and every row cross the network in"
              + " plain text, and Cosmos DB refuses such connections. Use this only against a"
              + " local test server.",
          CosmosOptions.TLS_ENABLED.key(),
          endpoint);
    } else if (!config.hostnameVerification()) {
      warnings.warn(
          LOG,
          CosmosOptions.TLS_HOSTNAME_VERIFICATION.key() + " " + endpoint,
          "Host name verification is off ({}=false) for {}; any server with a trusted"
              + " certificate can impersonate it and receive the account key.",
          CosmosOptions.TLS_HOSTNAME_VERIFICATION.key(),
          endpoint);
    }
    return config;
  }

  /** The value of {@code option}, or null when it has none. */
  @SuppressWarnings("unchecked")
  public <T> T get(CosmosOption<T> option) {
    return (T) values.get(option.name());
  }

  /** The account name, which is also the user name. */
  public String account() {
    return get(CosmosOptions.ACCOUNT);
  }

  /** The account key, or null when the login is Microsoft Entra ID's. A secret: never log it. */
  public String password() {
    return get(CosmosOptions.PASSWORD);
  }

  /** How to get Microsoft Entra ID tokens, or null when the login is the account key's. */
  public EntraSettings entra() {
    return EntraSettings.of(values);
  }

  public String host() {
    return get(CosmosOptions.HOST);
  }

  public int port() {
    return get(CosmosOptions.PORT);
  }

  public boolean tlsEnabled() {
    return get(CosmosOptions.TLS_ENABLED);
  }

  public boolean hostnameVerification() {
    return get(CosmosOptions.TLS_HOSTNAME_VERIFICATION);
  }

  /** The trust store path, or null for the JVM's default trust. */
  public String truststorePath() {
    return get(CosmosOptions.TRUSTSTORE_PATH);
  }

  /** The trust store password, or null. A secret. */
  public String truststorePassword() {
    return get(CosmosOptions.TRUSTSTORE_PASSWORD);
  }

  public String truststoreType() {
    return get(CosmosOptions.TRUSTSTORE_TYPE);
  }

  /** The keyspace, or null when not given. */
  public String keyspace() {
    return get(CosmosOptions.KEYSPACE);
  }

  /** The table, or null when not given. */
  public String table() {
    return get(CosmosOptions.TABLE);
  }

  /**
   * What the user said about throughput for this read or write; null in a connection's
   * configuration ({@link #forConnection()}), where the planned budget travels separately.
   */
  public ThroughputSettings throughput() {
    Boolean enabled = get(CosmosOptions.THROUGHPUT_CONTROL);
    return enabled == null
        ? null
        : new ThroughputSettings(
            enabled,
            get(CosmosOptions.THROUGHPUT_TARGET),
            get(CosmosOptions.THROUGHPUT_PROVISIONED),
            get(CosmosOptions.THROUGHPUT_FRACTION));
  }

  /**
   * Whether a write clusters its rows by the table's partition key before writing; the default in a
   * connection's configuration ({@link #forConnection()}), which does not carry it.
   */
  public boolean spreadWritesOverPartitions() {
    Boolean spread = get(CosmosOptions.WRITE_SPREAD_OVER_PARTITIONS);
    return spread != null ? spread : CosmosOptions.WRITE_SPREAD_OVER_PARTITIONS.defaultValue();
  }

  /**
   * The value of {@code option} as {@code options} alone give it (short name or full key, any
   * case), or null when they do not: for a setting a write's own options may change after its table
   * was resolved, as a catalog table's writes do.
   *
   * @throws CosmosConfigException naming the key, for a value the option does not take or an
   *     unknown {@code spark.cosmos.cassandra.*} key
   */
  public static <T> T givenIn(Map<String, String> options, CosmosOption<T> option) {
    return new Resolver(options, Collections.<String, String>emptyMap(), name -> null)
        .value(option);
  }

  /**
   * Where reads and writes go on an account with several regions; {@link RegionSettings#DEFAULTS}
   * when neither option is set.
   */
  public RegionSettings regions() {
    String preferred = get(CosmosOptions.PREFERRED_REGIONS);
    Boolean multiRegionWrites = get(CosmosOptions.MULTI_REGION_WRITES);
    return new RegionSettings(
        account(),
        preferred == null
            ? Collections.<String>emptyList()
            : RegionNames.parseList(CosmosOptions.PREFERRED_REGIONS.key(), preferred),
        multiRegionWrites != null && multiRegionWrites);
  }

  /** How rate-limited and timed-out requests are resent. */
  public RetrySettings retry() {
    return new RetrySettings(
        get(CosmosOptions.RETRY_MAX_ATTEMPTS),
        get(CosmosOptions.RETRY_MAX_TIME_MS),
        get(CosmosOptions.RETRY_TIMEOUT_RETRIES));
  }

  /**
   * Every carried option's value under {@value #RESOLVED_PREFIX}{@code <name>}, for the connector
   * to hand to {@code CosmosAuthConfFactory}, which then uses them as they are ({@link
   * #decode(Map)}) instead of resolving again from the connector's merged configuration. Secret
   * values sit under keys that Spark's default redaction pattern matches ({@code password}).
   */
  public Map<String, String> encode() {
    Map<String, String> encoded = new LinkedHashMap<>();
    for (CosmosOption<?> option : CosmosOptions.all()) {
      Object value = values.get(option.name());
      if (option.isCarried() && value != null) {
        encoded.put(RESOLVED_PREFIX + option.name(), option.format(value));
      }
    }
    return encoded;
  }

  /**
   * The configuration {@link #encode()} wrote, read back from the connector's merged configuration
   * (keys in any case, as SCC lower-cases per-read keys), or null when there is none.
   */
  public static CosmosCassandraConfig decode(Map<String, String> settings) {
    Map<String, String> encoded = new HashMap<>();
    Map<String, String> keys = new HashMap<>();
    for (Map.Entry<String, String> entry : settings.entrySet()) {
      String lower = entry.getKey().toLowerCase(Locale.ROOT);
      if (lower.startsWith(RESOLVED_PREFIX) && entry.getValue() != null) {
        encoded.put(lower.substring(RESOLVED_PREFIX.length()), entry.getValue());
        keys.put(lower.substring(RESOLVED_PREFIX.length()), entry.getKey());
      }
    }
    if (!encoded.containsKey(CosmosOptions.ACCOUNT.name().toLowerCase(Locale.ROOT))) {
      return null;
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (CosmosOption<?> option : CosmosOptions.all()) {
      String name = option.name().toLowerCase(Locale.ROOT);
      if (option.isCarried() && encoded.containsKey(name)) {
        values.put(option.name(), option.parse(keys.get(name), encoded.get(name)));
      }
    }
    return new CosmosCassandraConfig(values);
  }

  /**
   * This configuration with only what identifies a session, which is what crosses to executors: the
   * carried options, without table or throughput.
   */
  public CosmosCassandraConfig forConnection() {
    Map<String, Object> connection = new LinkedHashMap<>();
    for (CosmosOption<?> option : CosmosOptions.all()) {
      if (option.isCarried() && values.containsKey(option.name())) {
        connection.put(option.name(), values.get(option.name()));
      }
    }
    return new CosmosCassandraConfig(connection);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CosmosCassandraConfig
        && values.equals(((CosmosCassandraConfig) other).values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(account(), host(), port(), tlsEnabled(), keyspace(), table());
  }

  @Override
  public String toString() {
    return "CosmosCassandraConfig{account="
        + account()
        + (entra() != null ? ", login=" + entra() : ", password=<redacted>")
        + ", endpoint="
        + host()
        + ":"
        + port()
        + ", tls="
        + tlsEnabled()
        + ", hostnameVerification="
        + hostnameVerification()
        + ", truststore="
        + (truststorePath() == null ? "<JVM default>" : truststorePath())
        + ", keyspace="
        + keyspace()
        + ", table="
        + table()
        + ", retry="
        + retry()
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

    /** The driver's environment variables, for {@code passwordEnv}. */
    final Function<String, String> environment;

    Resolver(
        Map<String, String> perRead,
        Map<String, String> configuration,
        Function<String, String> environment) {
      this.environment = environment;
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

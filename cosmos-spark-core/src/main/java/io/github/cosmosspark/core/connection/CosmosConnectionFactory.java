package io.github.cosmosspark.core.connection;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.auth.AuthProvider;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.context.DriverContext;
import com.datastax.oss.driver.api.core.loadbalancing.LoadBalancingPolicy;
import com.datastax.oss.driver.api.core.session.ProgrammaticArguments;
import com.datastax.oss.driver.api.core.ssl.SslEngineFactory;
import com.datastax.oss.driver.internal.core.ssl.DefaultSslEngineFactory;
import com.datastax.spark.connector.cql.AuthConf;
import com.datastax.spark.connector.cql.CassandraConnectionFactory;
import com.datastax.spark.connector.cql.CassandraConnectorConf;
import com.datastax.spark.connector.cql.DefaultConnectionFactory;
import com.datastax.spark.connector.cql.IpBasedContactInfo;
import com.datastax.spark.connector.cql.MultiplexingSchemaListener;
import io.github.cosmosspark.core.compat.ConnectorVersionCheck;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOption;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.RegionNames;
import io.github.cosmosspark.core.config.RegionSettings;
import io.github.cosmosspark.core.config.RetrySettings;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.core.errors.CosmosConnectionException;
import io.github.cosmosspark.core.retry.CosmosDriverContext;
import io.github.cosmosspark.core.retry.CosmosDriverRetryPolicy;
import io.github.cosmosspark.core.retry.NodeRegions;
import io.github.cosmosspark.core.session.CosmosLoadBalancingPolicy;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.session.EntraAuthProvider;
import io.github.cosmosspark.core.session.EntraTokenSource;
import io.github.cosmosspark.core.session.RetryingSession;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * SCC's {@code spark.cassandra.connection.factory} for Cosmos. It starts from SCC's own driver
 * settings (pool sizes, timeouts, reconnection, trust store) and changes what Cosmos needs:
 *
 * <ul>
 *   <li>protocol v4, the only one Cosmos speaks, so the driver does not open with a v5 attempt;
 *   <li>TLS host name verification on (SCC turns it off unconditionally), unless {@code
 *       spark.cosmos.cassandra.tls.hostnameVerification=false}; on a multi-region account each
 *       other region's node is checked against its regional host name ({@link RegionalHostNames});
 *   <li>a token map on a multi-region account, whose regions all report the same tokens ({@link
 *       io.github.cosmosspark.core.retry.CosmosTopologyMonitor});
 *   <li>TLS 1.2 or 1.3 only, with the JVM's cipher suites instead of SCC's two legacy RSA-CBC
 *       suites, and the trust store read with the type the user gave;
 *   <li>rate-limited requests resent after Cosmos's wait by {@link RetryingSession}, timeouts by
 *       {@link CosmosDriverRetryPolicy};
 *   <li>requests routed by region ({@link CosmosLoadBalancingPolicy}, in place of SCC's
 *       LocalNodeFirstLoadBalancingPolicy): reads to {@code preferredRegions}, writes to the write
 *       region unless {@code multiRegionWrites}; the preferred regions are checked against the
 *       account's once the session is open, before any data moves.
 * </ul>
 *
 * <p>Used with {@code format("cosmoscassandra")} it receives the per-read settings through {@link
 * CosmosAuthConf}. Set by hand for the plain {@code org.apache.spark.sql.cassandra} format, it
 * reads {@code spark.cosmos.cassandra.tls.hostnameVerification} from the Spark configuration.
 *
 * <p>SCC creates one instance per JVM by class name, so it holds no state.
 */
public final class CosmosConnectionFactory implements CassandraConnectionFactory {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CosmosConnectionFactory.class);

  @Override
  public CqlSession createSession(CassandraConnectorConf conf) {
    // Executors reach SCC through here first; the driver through the data source.
    ConnectorVersionCheck.verify();
    AuthConf auth = authConf(conf);
    CosmosCassandraConfig cosmos =
        auth instanceof CosmosAuthConf ? ((CosmosAuthConf) auth).config() : null;
    boolean tls = cosmos != null ? cosmos.tlsEnabled() : sccTlsEnabled(conf);
    boolean verifyHostnames =
        cosmos != null ? cosmos.hostnameVerification() : hostnameVerificationFromSparkConf();
    // Before the driver sees the contact points: with none it would log in at 127.0.0.1:9042.
    Endpoints.requireContactPoint(cosmos, conf);
    requireNoCompression(conf);

    ProgrammaticDriverConfigLoaderBuilder settings =
        DefaultConnectionFactory.connectorConfigBuilder(
            conf, DriverConfigLoader.programmaticBuilder());
    settings.withString(DefaultDriverOption.PROTOCOL_VERSION, "V4");
    RetrySettings retry = cosmos != null ? cosmos.retry() : RetrySettings.DEFAULTS;
    // Replaces SCC's MultipleRetryPolicy, which resends rate-limited requests at once.
    settings
        .withClass(DefaultDriverOption.RETRY_POLICY_CLASS, CosmosDriverRetryPolicy.class)
        .withInt(CosmosDriverRetryPolicy.TIMEOUT_RETRIES, retry.timeoutRetries())
        // SCC refreshes the schema before each table lookup: it waits out an outage as long as
        // a request would.
        .withInt(CosmosDriverContext.SCHEMA_OUTAGE_WAIT_MS, retry.maxTimeMillis());
    RegionSettings regions = regions(cosmos, conf);
    // SCC's policy reads localDC as the only data centre to use; ours routes by region and takes
    // localDC as a preferred region (regions() above).
    settings
        .withClass(DefaultDriverOption.LOAD_BALANCING_POLICY_CLASS, CosmosLoadBalancingPolicy.class)
        .without(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER);
    if (cosmos != null) {
      // The resolved endpoint, not SCC's: a read's own spark.cassandra.connection.host may come
      // back into SCC's merged configuration over the one the format resolved.
      settings.withStringList(
          DefaultDriverOption.CONTACT_POINTS,
          Collections.singletonList(cosmos.host() + ":" + cosmos.port()));
    }
    SslEngineFactory ownTls = null;
    // Filled by the session's topology monitor, read by its TLS engines: one per session.
    NodeRegions nodeRegions = new NodeRegions();
    if (tls && cosmos != null) {
      // Our own TLS: the driver's reads every trust store as JKS, which Java 8 cannot do for
      // PKCS12 files, and sets no minimum protocol version; and it would check the other regions'
      // nodes against a reverse lookup of their IP addresses, not their regional host names.
      ownTls =
          new CosmosSslEngineFactory(
              TrustStores.sslContext(cosmos),
              verifyHostnames,
              new RegionalHostNames(cosmos.host(), cosmos.account(), nodeRegions));
      settings
          .without(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS)
          .without(DefaultDriverOption.SSL_CIPHER_SUITES)
          .without(DefaultDriverOption.SSL_TRUSTSTORE_PATH)
          .without(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD);
    } else if (tls) {
      settings
          .withClass(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS, DefaultSslEngineFactory.class)
          .withBoolean(DefaultDriverOption.SSL_HOSTNAME_VALIDATION, verifyHostnames)
          .without(DefaultDriverOption.SSL_CIPHER_SUITES);
    }

    CosmosRuntime runtime = CosmosRuntime.get();
    CqlSessionBuilder session =
        new CosmosSessionBuilder(runtime, regions, nodeRegions).withConfigLoader(settings.build());
    if (ownTls != null) {
      session = session.withSslEngineFactory(ownTls);
    }
    // Once: with Microsoft Entra ID, making the provider gets a token.
    AuthProvider login = auth.authProvider().isDefined() ? auth.authProvider().get() : null;
    if (login != null) {
      session = session.withAuthProvider(login);
    }
    String appId = SparkEnv.get() != null ? SparkEnv.get().conf().getAppId() : "no-app-id";
    CqlSession opened;
    try {
      opened =
          session
              .withApplicationName("cosmos-spark-" + appId)
              // SCC's own listener, which its schema caches rely on.
              .withSchemaChangeListener(new MultiplexingSchemaListener())
              .build();
    } catch (AllNodesFailedException e) {
      throw explain(e, conf, cosmos);
    }
    if (login instanceof EntraAuthProvider) {
      // Renewed while the session may open connections, i.e. until it closes.
      EntraTokenSource tokens = ((EntraAuthProvider) login).tokens();
      tokens.sessionOpened();
      opened.closeFuture().thenRun(tokens::sessionClosed);
    }
    requirePreferredRegionsExist(opened, regions);
    LOG.debug(
        "Opened driver session {} of this JVM ({}) to {}{}",
        runtime.sessionOpened(),
        opened.getName(),
        cosmos != null ? "account '" + cosmos.account() + "' at " : "",
        conf.contactInfo().endPointStr());
    return new RetryingSession(opened, retry, runtime);
  }

  /** SCC's data centre setting, which SCC's own policy restricts every request to. */
  static final String LOCAL_DC = "spark.cassandra.connection.localDC";

  /**
   * The session's regions: cosmoscassandra's resolved options, or with the plain SCC format the
   * Spark configuration's. SCC's {@code localDC} stands for a one-region {@code preferredRegions},
   * so that settings carried over from the plain connector keep their meaning.
   */
  static RegionSettings regions(CosmosCassandraConfig cosmos, CassandraConnectorConf conf) {
    RegionSettings given;
    if (cosmos != null) {
      given = cosmos.regions();
    } else {
      SparkConf spark = SparkEnv.get() != null ? SparkEnv.get().conf() : null;
      String preferred =
          spark == null ? null : spark.get(CosmosOptions.PREFERRED_REGIONS.key(), null);
      String multi =
          spark == null ? null : spark.get(CosmosOptions.MULTI_REGION_WRITES.key(), null);
      given =
          new RegionSettings(
              null,
              preferred == null
                  ? Collections.<String>emptyList()
                  : RegionNames.parseList(CosmosOptions.PREFERRED_REGIONS.key(), preferred),
              multi != null && Boolean.parseBoolean(multi.trim()));
    }
    String localDc = conf.localDC().isDefined() ? conf.localDC().get().trim() : "";
    if (localDc.isEmpty()) {
      return given;
    }
    if (given.preferredRegions().isEmpty()) {
      return new RegionSettings(
          given.account(), Collections.singletonList(localDc), given.multiRegionWrites(), LOCAL_DC);
    }
    if (!RegionNames.same(given.preferredRegions().get(0), localDc)) {
      throw new CosmosConfigException(
          LOCAL_DC
              + " is '"
              + localDc
              + "' but "
              + CosmosOptions.PREFERRED_REGIONS.key()
              + " is '"
              + String.join(", ", given.preferredRegions())
              + "', which starts with another region. Both say which region to read from first;"
              + " keep only "
              + CosmosOptions.PREFERRED_REGIONS.key()
              + ", or make its first region '"
              + localDc
              + "'.");
    }
    return given;
  }

  /**
   * Closes the session and fails when a preferred region is not one of the account's (the data
   * centres of the nodes the driver found): reads would silently go elsewhere. The session opens
   * when a read, write or catalog statement is planned, so the job fails there, before any data
   * moves.
   */
  private static void requirePreferredRegionsExist(CqlSession opened, RegionSettings regions) {
    LoadBalancingPolicy policy =
        opened.getContext().getLoadBalancingPolicy(DriverExecutionProfile.DEFAULT_NAME);
    if (!(policy instanceof CosmosLoadBalancingPolicy)) {
      return;
    }
    CosmosLoadBalancingPolicy router = (CosmosLoadBalancingPolicy) policy;
    String missing = router.missingPreferredRegion();
    if (missing == null) {
      return;
    }
    opened.closeAsync();
    throw new CosmosConfigException(
        regions.preferredRegionsKey()
            + " names '"
            + missing
            + "', which account "
            + (regions.account() == null ? "" : "'" + regions.account() + "' ")
            + "does not have; its regions are: "
            + String.join(", ", router.accountRegions())
            + ". Name regions as the portal's Replicate data globally page shows them (case and"
            + " spaces are ignored).");
  }

  /** SCC's setting for protocol compression, which SCC passes on to the driver. */
  static final String COMPRESSION = "spark.cassandra.connection.compression";

  /**
   * Cosmos answers a compressed request with "Cql request had unsupported headers Compression", so
   * every connection would fail at login with an error that does not name the setting.
   */
  private static void requireNoCompression(CassandraConnectorConf conf) {
    String compression = conf.compression();
    if (compression != null && !compression.trim().equalsIgnoreCase("NONE")) {
      throw new CosmosConfigException(
          COMPRESSION
              + "="
              + compression
              + " asks for protocol compression, which Azure Cosmos DB for Apache Cassandra does"
              + " not support: it refuses compressed requests. Remove the setting or set it to"
              + " NONE.");
    }
  }

  /** Says which account and endpoint failed and what to check; the driver's text stays as cause. */
  private static CosmosConnectionException explain(
      AllNodesFailedException failure, CassandraConnectorConf conf, CosmosCassandraConfig cosmos) {
    String endpoint = conf.contactInfo().endPointStr();
    String account = cosmos != null ? "'" + cosmos.account() + "' " : "";
    for (List<Throwable> errors : failure.getAllErrors().values()) {
      for (Throwable error : errors) {
        if (error instanceof AuthenticationException && cosmos != null && cosmos.entra() != null) {
          return new CosmosConnectionException(
              "Cosmos DB refused the Microsoft Entra ID token of "
                  + cosmos.entra()
                  + " for account "
                  + account
                  + "at "
                  + endpoint
                  + " ("
                  + error.getMessage()
                  + "). The identity needs a data-plane role on the account, given with `az"
                  + " cosmosdb cassandra role assignment create --account-name "
                  + cosmos.account()
                  + " --resource-group <group> --role-definition-id"
                  + " 00000000-0000-0000-0000-000000000004 --principal-id <its object id> --scope /`"
                  + " (Cosmos DB Built-in Data Contributor; 00000000-0000-0000-0000-000000000003,"
                  + " Data Reader, for jobs that only read); the token must be for the account's"
                  + " tenant and for https://cosmos.azure.com ("
                  + CosmosOptions.ENTRA_SCOPE.key()
                  + ").",
              failure);
        }
        if (error instanceof AuthenticationException) {
          return new CosmosConnectionException(
              "Cosmos DB refused the credentials of account "
                  + account
                  + "at "
                  + endpoint
                  + " ("
                  + error.getMessage()
                  + "). Check "
                  + CosmosOptions.PASSWORD.key()
                  + ": it must be the account's PRIMARY or"
                  + " SECONDARY PASSWORD from the portal's Connection String page, or a read-only"
                  + " password for jobs that only read.",
              failure);
        }
      }
    }
    Throwable first = firstError(failure);
    SSLHandshakeException handshake = handshakeFailure(failure);
    if (handshake != null) {
      return new CosmosConnectionException(
          "The TLS handshake with account "
              + account
              + "at "
              + endpoint
              + " failed: "
              + handshake.getMessage()
              + ". If the server's certificate names another host, connect with that name"
              + " ("
              + CosmosOptions.HOST.key()
              + "); if a private CA signed it, set "
              + CosmosOptions.TRUSTSTORE_PATH.key()
              + " to a trust store holding that CA.",
          failure);
    }
    return new CosmosConnectionException(
        "Could not connect to account "
            + account
            + "at "
            + endpoint
            + " within the connect timeout of "
            + conf.connectTimeoutMillis()
            + " ms (spark.cassandra.connection.timeoutMS): "
            + (first != null ? first.getMessage() : failure.getMessage())
            + ". Check "
            + CosmosOptions.HOST.key()
            + " and port, and that the network lets this"
            + " machine reach the endpoint over TCP.",
        failure);
  }

  private static SSLHandshakeException handshakeFailure(AllNodesFailedException failure) {
    for (List<Throwable> errors : failure.getAllErrors().values()) {
      for (Throwable error : errors) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
          if (cause instanceof SSLHandshakeException) {
            return (SSLHandshakeException) cause;
          }
        }
      }
    }
    return null;
  }

  private static Throwable firstError(AllNodesFailedException failure) {
    for (List<Throwable> errors : failure.getAllErrors().values()) {
      if (!errors.isEmpty()) {
        return errors.get(0);
      }
    }
    return null;
  }

  /**
   * Our option keys, so that SCC merges them (per-read over session over Spark configuration) as it
   * merges its own, into one key each.
   */
  @Override
  public scala.collection.immutable.Set<String> properties() {
    Set<String> keys = new HashSet<>();
    for (CosmosOption<?> option : CosmosOptions.all()) {
      keys.add(option.key());
    }
    return JavaConverters.asScalaSetConverter(keys).asScala().toSet();
  }

  /**
   * SCC keys its session cache on a configuration that includes this factory; without value
   * equality every task's deserialized copy would open a session of its own.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof CosmosConnectionFactory;
  }

  @Override
  public int hashCode() {
    return CosmosConnectionFactory.class.getName().hashCode();
  }

  private static AuthConf authConf(CassandraConnectorConf conf) {
    if (!(conf.contactInfo() instanceof IpBasedContactInfo)) {
      throw new IllegalArgumentException(
          "cosmos-spark connects by host and port; remove the cloud bundle or profile file"
              + " settings (spark.cassandra.connection.config.*) from the configuration.");
    }
    return ((IpBasedContactInfo) conf.contactInfo()).authConf();
  }

  private static boolean sccTlsEnabled(CassandraConnectorConf conf) {
    return ((IpBasedContactInfo) conf.contactInfo()).cassandraSSLConf().enabled();
  }

  private static boolean hostnameVerificationFromSparkConf() {
    return SparkEnv.get() == null
        || SparkEnv.get().conf().getBoolean(CosmosOptions.TLS_HOSTNAME_VERIFICATION.key(), true);
  }

  /**
   * A session builder whose driver context hands the JVM's retry statistics to {@link
   * CosmosDriverRetryPolicy} and the session's regions to {@link CosmosLoadBalancingPolicy}, which
   * the driver creates by class name, and gives the driver Cosmos's topology in a form it can build
   * a token map from.
   */
  private static final class CosmosSessionBuilder extends CqlSessionBuilder {
    private final CosmosRuntime runtime;
    private final RegionSettings regions;
    private final NodeRegions nodeRegions;

    CosmosSessionBuilder(CosmosRuntime runtime, RegionSettings regions, NodeRegions nodeRegions) {
      this.runtime = runtime;
      this.regions = regions;
      this.nodeRegions = nodeRegions;
    }

    @Override
    protected DriverContext buildContext(
        DriverConfigLoader configLoader, ProgrammaticArguments programmaticArguments) {
      return new CosmosDriverContext(
          configLoader, programmaticArguments, runtime.retryStatistics(), regions, nodeRegions);
    }
  }
}

package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import com.datastax.oss.protocol.internal.Compressor;
import com.datastax.oss.protocol.internal.FrameCodec;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.cassandra.ServerSessions;
import io.github.cosmosspark.testkit.entra.TestTokenIssuer;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for Azure Cosmos DB for Apache Cassandra: a CQL native-protocol v4 endpoint on
 * TLS that behaves like Cosmos where Cassandra does not (account keys, a read-only key, protocol v4
 * only, throughput options in DDL, a {@code RequestCharge} on every response, the topology of an
 * account: one node per region, each in its region's data centre with Cosmos's 64 tokens, on an
 * endpoint of its own) and keeps every row in the real Cassandra behind it.
 *
 * <p>A multi-region account ({@link Builder#regions(String...)}) has one endpoint per region,
 * region i on the loopback address 127.0.0.(1 + i), all on the same {@link #port()}; the write
 * region, first, is on 127.0.0.1, {@link #host()}, which also stands for the account's global
 * endpoint (Cosmos's global name resolves to the write region). Every region serves reads; only the
 * write region serves writes unless {@link Builder#multiRegionWrites(boolean)}. All regions share
 * the one Cassandra: data is the same everywhere at once, replication lag is not modelled.
 *
 * <pre>{@code
 * try (CassandraServer cassandra = CassandraServer.builder().build();
 *     CosmosEmulator cosmos = CosmosEmulator.builder(cassandra.start()).build()) {
 *   cosmos.start();
 *   // connect to cosmos.host():cosmos.port() as cosmos.account() / cosmos.key(),
 *   // trusting cosmos.truststorePath()
 * }
 * }</pre>
 */
public final class CosmosEmulator implements AutoCloseable {

  /** The port Cosmos serves the Cassandra API on; used when free. */
  public static final int COSMOS_PORT = 10350;

  /** How long Azure's load balancer lets a connection idle before it closes it. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(4);

  private static final Logger LOG = LoggerFactory.getLogger(CosmosEmulator.class);
  private static final String HOST = "127.0.0.1";
  private static final String DOMAIN = ".cassandra.cosmos.azure.com";
  // How often start() looks for another free port that binds on every region's address.
  private static final int BIND_ATTEMPTS = 5;

  private final CassandraServer backend;
  private final Accounts accounts;
  private final Path workDirectory;
  private final String storePassword;
  private final ByteBufPrimitiveCodec primitiveCodec =
      new ByteBufPrimitiveCodec(ByteBufAllocator.DEFAULT);
  // Shared by every client connection; each handler is given only the ones it uses.
  private final PreparedStatements preparedStatements = new PreparedStatements();
  private final Provisioning provisioning;
  private final Faults faults = new Faults();
  private final RowLocks rowLocks = new RowLocks();
  private final ChangeFeed changeFeed;
  private final RequestCharges charges;
  private final ServerSideRetry serverSideRetry;
  private final DdlRewriter ddl;
  private final CosmosDialect dialect;
  private final List<String> regions;
  // One per region, in the account's order: the write region first.
  private final List<RegionEndpoint> endpoints;
  // Null when Cassandra's own topology is passed through (Builder#cassandraTopology).
  private final SystemTables systemTables;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  private EventLoopGroup eventLoops;
  // One per region, in the account's order; empty while the emulator is not started.
  private final List<Channel> serverChannels = new ArrayList<>();
  private SSLContext clientSslContext;
  private int port;

  private CosmosEmulator(Builder builder) {
    this.backend = builder.backend;
    SecureRandom random = new SecureRandom();
    this.accounts =
        new Accounts(
            builder.account,
            builder.key != null ? builder.key : Accounts.randomKey(random),
            Accounts.randomKey(random),
            builder.entraIssuer == null
                ? null
                : new EntraTokens(builder.account, builder.entraIssuer, builder.roles),
            builder.localAuthDisabled,
            builder.tokenExpiry);
    this.provisioning = new Provisioning(builder.burstCapacity, builder.placementSecret());
    this.serverSideRetry =
        new ServerSideRetry(builder.serverSideRetry, builder.serverSideRetryLimitMillis);
    this.charges = new RequestCharges(preparedStatements, provisioning, serverSideRetry);
    this.dialect = new CosmosDialect(builder.cosmosDialect, builder.idleTimeout);
    this.ddl = new DdlRewriter(provisioning);
    this.changeFeed = new ChangeFeed(provisioning, builder.changeFeedMaxEntries);
    this.storePassword = Accounts.randomKey(random).substring(0, 20);
    this.regions = Collections.unmodifiableList(new ArrayList<>(builder.regions));
    List<RegionEndpoint> list = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      list.add(
          new RegionEndpoint(
              regions.get(i),
              Topology.address(i),
              regionalHostName(builder.account, regions.get(i)),
              i == 0 || builder.multiRegionWrites,
              builder.account,
              regions.get(0)));
    }
    this.endpoints = Collections.unmodifiableList(list);
    this.systemTables =
        builder.cosmosTopology ? new SystemTables(new Topology(builder.account, regions)) : null;
    this.rowLocks.enable(builder.concurrentWriteConflicts);
    try {
      this.workDirectory = Files.createTempDirectory("cosmos-emulator-");
    } catch (IOException e) {
      throw new IllegalStateException("Could not create the emulator's directory", e);
    }
  }

  /** A builder for an emulator in front of {@code backend}, which must be started. */
  public static Builder builder(CassandraServer backend) {
    return new Builder(backend);
  }

  /**
   * Binds each region's endpoint: port 10350 on every region's address when free, else one free
   * port that binds on all of them.
   *
   * @throws IllegalStateException if a region's loopback address cannot be bound (macOS has only
   *     127.0.0.1 unless aliases are added) or no common port is found
   */
  public synchronized CosmosEmulator start() {
    if (!serverChannels.isEmpty()) {
      return this;
    }
    checkAddresses();
    EmulatorTls tls =
        EmulatorTls.create(certificateNames(), truststorePath(), storePassword, backend);
    clientSslContext = tls.clientSslContext();
    BackendEndpoint backendEndpoint =
        new BackendEndpoint(backend, tls.backendTls(), primitiveCodec);
    eventLoops = new NioEventLoopGroup(2);
    ClusteringColumns clusteringColumns = new ClusteringColumns(backendEndpoint, eventLoops.next());
    List<ServerBootstrap> bootstraps = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      bootstraps.add(
          bootstrap(endpoints.get(i), tls.serverTls(i), backendEndpoint, clusteringColumns));
    }
    try {
      bindAll(bootstraps);
    } catch (RuntimeException e) {
      eventLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      eventLoops = null;
      throw e;
    }
    port = ((InetSocketAddress) serverChannels.get(0).localAddress()).getPort();
    LOG.info(
        "Cosmos emulator on {}:{} for account '{}', in front of Cassandra on port {}",
        HOST,
        port,
        accounts.account(),
        backend.port());
    if (endpoints.size() > 1) {
      for (RegionEndpoint endpoint : endpoints) {
        LOG.info(
            "Cosmos emulator: region '{}' ({}) on {}:{}, as {}",
            endpoint.name,
            endpoint.acceptsWrites ? "reads and writes" : "reads",
            endpoint.address.getHostAddress(),
            port,
            endpoint.hostName);
      }
    }
    return this;
  }

  private ServerBootstrap bootstrap(
      RegionEndpoint endpoint,
      io.netty.handler.ssl.SslContext serverTls,
      BackendEndpoint backendEndpoint,
      ClusteringColumns clusteringColumns) {
    return new ServerBootstrap()
        .group(eventLoops)
        .channel(NioServerSocketChannel.class)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel channel) {
                clients.add(channel);
                endpoint.clients.add(channel);
                // Checked after joining the region's group: takeDown marks the region down before
                // it closes the group, so a connection accepted meanwhile is closed by one or the
                // other.
                if (faults.refusingConnections() || endpoint.down()) {
                  channel.close();
                  return;
                }
                FrameCodec<ByteBuf> codec =
                    FrameCodec.defaultServer(primitiveCodec, Compressor.<ByteBuf>none());
                channel
                    .pipeline()
                    .addLast(serverTls.newHandler(channel.alloc()))
                    .addLast(new LengthFieldBasedFrameDecoder(ClientConnection.MAX_FRAME, 5, 4))
                    .addLast(
                        new ClientConnection(
                            accounts,
                            preparedStatements,
                            ddl,
                            dialect,
                            charges,
                            faults,
                            rowLocks,
                            clusteringColumns,
                            backendEndpoint,
                            changeFeed,
                            codec,
                            systemTables,
                            endpoint));
              }
            });
  }

  /**
   * The write region's certificate keeps the names clients have always used (localhost, 127.0.0.1,
   * ::1) and adds the account's global and regional host names; every other region's names only its
   * regional host name, no IP address, so that a client verifying host names must reach it by name,
   * as on Cosmos, whose peers' IP addresses are in no certificate (docs/cosmos-behaviour.md).
   */
  private List<EmulatorTls.Names> certificateNames() {
    List<EmulatorTls.Names> names = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      RegionEndpoint endpoint = endpoints.get(i);
      if (i == 0) {
        names.add(
            new EmulatorTls.Names(
                "localhost",
                Arrays.asList("localhost", globalHostName(), endpoint.hostName),
                Arrays.asList(HOST, "::1")));
      } else {
        names.add(
            new EmulatorTls.Names(
                endpoint.hostName,
                Collections.singletonList(endpoint.hostName),
                Collections.<String>emptyList()));
      }
    }
    return names;
  }

  /**
   * Fails early, with what to do, when a region's loopback address is not on this machine: Linux
   * routes all of 127.0.0.0/8 to loopback, macOS only 127.0.0.1. A probe of the address on any
   * port, so no race with other processes for a port.
   */
  private void checkAddresses() {
    for (RegionEndpoint endpoint : endpoints.subList(1, endpoints.size())) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(endpoint.address, 0));
      } catch (IOException e) {
        String address = endpoint.address.getHostAddress();
        throw new IllegalStateException(
            "Cannot bind "
                + address
                + ", the address of region '"
                + endpoint.name
                + "' ("
                + e.getMessage()
                + "). Each region after the first needs a loopback address of its own; Linux has"
                + " all of 127.0.0.0/8, macOS only 127.0.0.1: add it with"
                + " `sudo ifconfig lo0 alias "
                + address
                + " up`",
            e);
      }
    }
  }

  /**
   * Cosmos's port when it is free on every region's address, else one free port that is: bound, not
   * probed, so parallel JVMs cannot race for it. Clients reach a peer at its address and the
   * control connection's port (Cassandra 3.11's system.peers has no port), so all must share one.
   */
  private void bindAll(List<ServerBootstrap> bootstraps) {
    if (bindOn(bootstraps, COSMOS_PORT)) {
      return;
    }
    for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      ChannelFuture first =
          bootstraps.get(0).bind(endpoints.get(0).address, 0).syncUninterruptibly();
      serverChannels.add(first.channel());
      int free = ((InetSocketAddress) first.channel().localAddress()).getPort();
      if (bindOthersOn(bootstraps, free)) {
        return;
      }
    }
    throw new IllegalStateException(
        "Found no port free on every region's address ("
            + regionAddresses()
            + ") in "
            + BIND_ATTEMPTS
            + " attempts");
  }

  /** Binds every region on {@code port}; on failure unbinds what it bound and returns false. */
  private boolean bindOn(List<ServerBootstrap> bootstraps, int port) {
    ChannelFuture first = bootstraps.get(0).bind(endpoints.get(0).address, port);
    if (!first.awaitUninterruptibly().isSuccess()) {
      return false;
    }
    serverChannels.add(first.channel());
    return bindOthersOn(bootstraps, port);
  }

  /** Binds regions 1 and on at the first one's port; on failure unbinds all and returns false. */
  private boolean bindOthersOn(List<ServerBootstrap> bootstraps, int port) {
    for (int i = 1; i < bootstraps.size(); i++) {
      ChannelFuture bound =
          bootstraps.get(i).bind(endpoints.get(i).address, port).awaitUninterruptibly();
      if (!bound.isSuccess()) {
        if (!(bound.cause() instanceof BindException)) {
          closeServerChannels();
          throw new IllegalStateException(
              "Could not bind region '" + endpoints.get(i).name + "'", bound.cause());
        }
        closeServerChannels();
        return false;
      }
      serverChannels.add(bound.channel());
    }
    return true;
  }

  private void closeServerChannels() {
    for (Channel channel : serverChannels) {
      channel.close().syncUninterruptibly();
    }
    serverChannels.clear();
  }

  private List<String> regionAddresses() {
    List<String> addresses = new ArrayList<>();
    for (RegionEndpoint endpoint : endpoints) {
      addresses.add(endpoint.address.getHostAddress());
    }
    return addresses;
  }

  /** Closes the endpoint and every client connection. The Cassandra behind it keeps running. */
  @Override
  public synchronized void close() {
    if (!serverChannels.isEmpty()) {
      for (TableStatistics statistics : allStatistics()) {
        LOG.info("Cosmos emulator: {}", statistics);
      }
      closeServerChannels();
    }
    if (eventLoops != null) {
      eventLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      eventLoops = null;
    }
  }

  /**
   * The address of the account's global endpoint, 127.0.0.1: the write region's endpoint, as
   * Cosmos's global host name resolves to the write region's.
   */
  public String host() {
    return HOST;
  }

  /**
   * The account's write region, which clients see as the data centre of its node (the name driver
   * 4's {@code withLocalDatacenter} and SCC's {@code spark.cassandra.connection.localDC} take when
   * they connect to {@link #host()}). With {@link Builder#cassandraTopology()} clients see
   * Cassandra's data centre instead, {@link #localDatacenter()}.
   */
  public String region() {
    return regions.get(0);
  }

  /** The account's regions as Azure displays them, the write region first. */
  public List<String> regions() {
    return regions;
  }

  /** The account's write region, the first of {@link #regions()}. */
  public String writeRegion() {
    return regions.get(0);
  }

  /**
   * The loopback address a region's endpoint is bound to: 127.0.0.(1 + its index in {@link
   * #regions()}), so the write region's is {@link #host()}. Every region listens on {@link
   * #port()}.
   *
   * @param region one of {@link #regions()}, compared ignoring case and spaces
   * @throws IllegalArgumentException for a region the account does not have
   */
  public String regionAddress(String region) {
    return endpoint(region).address.getHostAddress();
  }

  /**
   * A region's host name on Cosmos, {@code <account>-<region in lower case without
   * spaces>.cassandra.cosmos.azure.com}, e.g. {@code
   * localcosmos-eastus2.cassandra.cosmos.azure.com}: the only name in the certificate of a region
   * other than the write region, which a client verifying host names must use as the TLS peer host.
   * It does not resolve; connect to {@link #regionAddress(String)}. The pattern is Microsoft's for
   * the Graph API's regional endpoints; for the Cassandra API it is not confirmed
   * (docs/cosmos-behaviour.md).
   *
   * @throws IllegalArgumentException for a region the account does not have
   */
  public String regionalHostName(String region) {
    return endpoint(region).hostName;
  }

  /**
   * The account's global host name, {@code <account>.cassandra.cosmos.azure.com}, which on Cosmos
   * resolves to the write region; in the certificate of {@link #host()}'s endpoint. It does not
   * resolve here.
   */
  public String globalHostName() {
    return accounts.account().toLowerCase(Locale.ROOT) + DOMAIN;
  }

  private static String regionalHostName(String account, String region) {
    return account.toLowerCase(Locale.ROOT) + "-" + regionKey(region) + DOMAIN;
  }

  /** A region's name as Azure's host names write it: lower case, without spaces. */
  private static String regionKey(String region) {
    return region.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
  }

  private RegionEndpoint endpoint(String region) {
    if (region != null) {
      String key = regionKey(region);
      for (RegionEndpoint endpoint : endpoints) {
        if (regionKey(endpoint.name).equals(key)) {
          return endpoint;
        }
      }
    }
    throw new IllegalArgumentException(
        "Account '"
            + accounts.account()
            + "' has no region '"
            + region
            + "'; its regions are "
            + regions);
  }

  /**
   * Closes every client connection of a region's endpoint and closes each new one as it is
   * accepted, as when the region is unavailable, until {@link #bringUp(String)} or {@link
   * #clearFaults()}. Its data stays: every region shares the one Cassandra.
   */
  public void takeDown(String region) {
    endpoint(region).takeDown();
    LOG.info("Cosmos emulator: took region '{}' down", endpoint(region).name);
  }

  /** Accepts connections to a region taken down by {@link #takeDown(String)} again. */
  public void bringUp(String region) {
    endpoint(region).bringUp();
    LOG.info("Cosmos emulator: brought region '{}' up", endpoint(region).name);
  }

  /**
   * Reads (a {@code SELECT} of a user table, as a query, an execution of a prepared statement or
   * part of a batch) a region's endpoint passed on to Cassandra, since the start or {@link
   * #resetStatistics()}; the driver's queries about the cluster and schema are not counted.
   */
  public long readsServed(String region) {
    return endpoint(region).readsServed.get();
  }

  /**
   * Writes (an {@code INSERT}, {@code UPDATE} or {@code DELETE} of a user table; a batch counts as
   * one) a region's endpoint passed on to Cassandra. Schema changes are not counted.
   */
  public long writesServed(String region) {
    return endpoint(region).writesServed.get();
  }

  /**
   * Writes a read region refused without running them, the account not having multi-region writes
   * (see {@link Builder#multiRegionWrites(boolean)}).
   */
  public long writesRefused(String region) {
    return endpoint(region).writesRefused.get();
  }

  /**
   * The data centre clients of this emulator see: the account's region, or with {@link
   * Builder#cassandraTopology()} the Cassandra's own ({@link CassandraServer#DATACENTER}).
   */
  public String localDatacenter() {
    return systemTables != null ? region() : CassandraServer.DATACENTER;
  }

  public int port() {
    return port;
  }

  /** The account name, which clients log in with as user name. */
  public String account() {
    return accounts.account();
  }

  /** The account's read-write key. */
  public String key() {
    return accounts.key();
  }

  /** A key that reads but cannot write, as Cosmos accounts have. */
  public String readOnlyKey() {
    return accounts.readOnlyKey();
  }

  /** Whether account keys are refused ({@link Builder#disableLocalAuth()}). */
  public boolean localAuthDisabled() {
    return accounts.localAuthDisabled();
  }

  /**
   * How many client connections were closed because the Entra ID token they logged in with expired
   * ({@link TokenExpiry#CLOSE_CONNECTION}).
   */
  public long connectionsClosedOnTokenExpiry() {
    return accounts.tokenExpiryClosed.get();
  }

  /** A PKCS12 trust store holding the CA that signed the endpoint's certificate. */
  public Path truststorePath() {
    return workDirectory.resolve("emulator-truststore.p12");
  }

  public String truststorePassword() {
    return storePassword;
  }

  /**
   * Writes a PKCS12 trust store, locked with {@link #truststorePassword()}, that trusts this
   * emulator's CA and every certificate of {@code extra}: one {@code tls.truststore.path} for a
   * connector that also reaches another test server, such as the testkit's Entra token endpoint.
   *
   * @return {@code file}
   */
  public Path writeTruststoreAlsoTrusting(KeyStore extra, Path file) throws IOException {
    try {
      KeyStore both = KeyStore.getInstance(truststoreType());
      try (InputStream in = Files.newInputStream(truststorePath())) {
        both.load(in, storePassword.toCharArray());
      }
      for (String alias : Collections.list(extra.aliases())) {
        if (extra.isCertificateEntry(alias) || extra.getCertificate(alias) != null) {
          both.setCertificateEntry("also-" + alias, extra.getCertificate(alias));
        }
      }
      try (OutputStream out = Files.newOutputStream(file)) {
        both.store(out, storePassword.toCharArray());
      }
      return file;
    } catch (GeneralSecurityException e) {
      throw new IOException("Could not write the trust store " + file, e);
    }
  }

  public String truststoreType() {
    return TestCertificateAuthority.STORE_TYPE;
  }

  /** A client TLS context that trusts the endpoint's certificate. */
  public SSLContext clientSslContext() {
    return clientSslContext;
  }

  /** A driver session to the emulator with the read-write key, verifying its certificate. */
  public CqlSession newSession() {
    return sessionBuilder(accounts.key()).build();
  }

  /**
   * A session builder with contact point, data center, the account and {@code accountKey} (the key,
   * the read-only key or a Microsoft Entra ID token), TLS with host name verification, and the test
   * timeouts of {@link ServerSessions#testTimeouts()} set.
   */
  public CqlSessionBuilder sessionBuilder(String accountKey) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(HOST, port))
        .withLocalDatacenter(localDatacenter())
        .withAuthCredentials(accounts.account(), accountKey)
        .withSslEngineFactory(new ProgrammaticSslEngineFactory(clientSslContext, null, true))
        .withConfigLoader(ServerSessions.testTimeouts());
  }

  /**
   * The throughput a table has: its own, or its keyspace's shared throughput; empty for a table the
   * emulator has not seen created.
   *
   * @param keyspaceAndTable {@code keyspace.table}
   */
  public Optional<Throughput> throughput(String keyspaceAndTable) {
    return provisioning.throughput(keyspaceAndTable);
  }

  /**
   * The cell-level options ({@code cosmosdb_cell_level_timestamp}, {@code
   * cosmosdb_cell_level_timestamp_tombstones}, {@code cosmosdb_cell_level_timetolive}) a table was
   * created or altered with through the emulator, each {@code "true"} or {@code "false"}; empty if
   * none. Cosmos documents no CQL way to read them back, so the emulator keeps them out of {@code
   * system_schema}; this is for tests.
   *
   * @param keyspaceAndTable {@code keyspace.table}
   */
  public Map<String, String> cellLevelOptions(String keyspaceAndTable) {
    return ddl.cellLevelOptions(keyspaceAndTable);
  }

  /** Client connections open now: accepted and not yet closed by either side. */
  public int openClientConnections() {
    return clients.size();
  }

  /**
   * Client connections the emulator has closed because they idled past {@link Builder#idleTimeout}.
   */
  public long idleConnectionsClosed() {
    return dialect.idleClosed.get();
  }

  /** Closes every client connection now, as a network failure would. New ones are accepted. */
  public void dropAllConnections() {
    clients.close().syncUninterruptibly();
    LOG.info("Cosmos emulator: dropped all client connections");
  }

  /** Delays every request by {@code latency} before it is run (scheduled, not slept). */
  public void injectLatency(Duration latency) {
    faults.injectLatency(latency);
  }

  /**
   * Answers the next {@code count} application requests (reads and writes of user tables, and
   * schema changes; never the driver's metadata queries) with {@code fault} instead of running
   * them.
   */
  public void failNext(int count, Fault fault) {
    faults.failNext(count, fault);
  }

  /**
   * Answers the next {@code count} writes (to any user table) with {@code fault} instead of running
   * them; meant for Cosmos's write failures ({@link Fault#WRITE_FAILURE_412} and the others), which
   * are counted in {@link TableStatistics#writeFailures()}.
   */
  public void failNextWrites(int count, Fault fault) {
    faults.failNextWrites(null, count, fault);
  }

  /**
   * As {@link #failNextWrites(int, Fault)}, for writes to one table only.
   *
   * @param keyspaceAndTable {@code keyspace.table}
   */
  public void failNextWrites(String keyspaceAndTable, int count, Fault fault) {
    faults.failNextWrites(keyspaceAndTable, count, fault);
  }

  /**
   * Whether a write to a row that another write is updating is refused with Cosmos's 449 (a {@code
   * WRITE_FAILURE} error, not executed), as Cosmos does. On unless the builder or this turns it
   * off; off, overlapping writes both run, as on Cassandra.
   */
  public void concurrentWriteConflicts(boolean enabled) {
    rowLocks.enable(enabled);
  }

  /** Closes every new connection at once for {@code duration}. */
  public void refuseConnections(Duration duration) {
    faults.refuseConnections(duration);
  }

  /**
   * Stops passing Cassandra's schema-change events on to clients, as when an event is late or lost:
   * a client's driver then keeps the schema it had until it refreshes it itself.
   */
  public void withholdSchemaEvents() {
    faults.withholdSchemaEvents();
  }

  /**
   * Takes back injected latency, failures, connection refusal and withheld schema events, and
   * brings every region taken down up again.
   */
  public void clearFaults() {
    faults.clear();
    for (RegionEndpoint endpoint : endpoints) {
      endpoint.bringUp();
    }
  }

  /**
   * What server-side retry did on a table (all zero when the account does not have it, see {@link
   * Builder#serverSideRetry}).
   *
   * @param table {@code keyspace.table}, as it is written in requests, in lower case unless quoted
   */
  public HeldRequests heldRequests(String table) {
    return serverSideRetry.statistics(table);
  }

  /**
   * What the emulator counted for a table, or for a keyspace with shared throughput.
   *
   * @param scope {@code keyspace.table}, or a keyspace
   */
  public Optional<TableStatistics> statistics(String scope) {
    return provisioning.statistics(scope);
  }

  /** Statistics of every table and shared keyspace that has served requests. */
  public List<TableStatistics> allStatistics() {
    return provisioning.allStatistics();
  }

  /**
   * Lays a table (or a keyspace with shared throughput) out in {@code count} physical partitions,
   * each with an equal share of its RU/s and an equal range of the hash space; its counters start
   * again. Cosmos decides this itself (from the starting RU/s, splits at 10,000 RU/s per partition,
   * and data size); tests set it to reproduce a layout, e.g. a 4,000 RU/s table in 4 partitions.
   *
   * @param scope {@code keyspace.table}, or a keyspace with shared throughput, created through the
   *     emulator
   * @throws IllegalArgumentException for a count Cosmos could not have: under 1, fewer than its
   *     RU/s needs at 10,000 RU/s a partition, or so many that a partition would have under 100
   *     RU/s
   */
  public void physicalPartitions(String scope, int count) {
    provisioning.repartition(scope, count);
  }

  /** How many physical partitions a table (or its shared keyspace) has now. */
  public int physicalPartitionCount(String keyspaceAndTable) {
    return provisioning.partitions(keyspaceAndTable.toLowerCase(java.util.Locale.ROOT)).count();
  }

  /**
   * The physical partition (0 to count - 1) a row of {@code keyspaceAndTable} with this partition
   * key lives in, for tests and benchmarks that build a workload around the layout (for example
   * rows in the order a scan on Cosmos returns them). A client of the emulator cannot compute it:
   * the placement hash is keyed with the emulator's secret.
   *
   * @param keyComponents the partition key's column values, serialized as protocol v4 does
   */
  public int physicalPartitionOf(String keyspaceAndTable, ByteBuffer... keyComponents) {
    int[] order = new int[keyComponents.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    ByteBuffer key = PartitionKeys.compose(java.util.Arrays.asList(keyComponents), order);
    return provisioning.partitionOf(keyspaceAndTable, key);
  }

  /**
   * How many changed partitions the change feed of {@code keyspaceAndTable} holds now: each
   * partition key written through the emulator once (its latest change), up to the bound set by
   * {@link Builder#changeFeedMaxEntries(int)}.
   */
  public int changeFeedEntries(String keyspaceAndTable) {
    return changeFeed.entries(keyspaceAndTable.toLowerCase(java.util.Locale.ROOT));
  }

  /** Zeroes every counter, the regions' too; budgets and throughput stay. */
  public void resetStatistics() {
    provisioning.resetStatistics();
    for (RegionEndpoint endpoint : endpoints) {
      endpoint.resetStatistics();
    }
  }

  CassandraServer backend() {
    return backend;
  }

  /** As after a restart of the emulator: clients must prepare their statements again. */
  void forgetPreparedStatements() {
    preparedStatements.forgetAll();
  }

  /** Settings for a {@link CosmosEmulator}. */
  public static final class Builder {
    private final CassandraServer backend;
    private String account = "localcosmos";
    private String key;
    private boolean burstCapacity;
    private boolean concurrentWriteConflicts = true;
    private boolean cosmosDialect = true;
    private boolean cosmosTopology = true;
    private List<String> regions = Collections.singletonList(Topology.DEFAULT_REGION);
    private boolean multiRegionWrites;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private boolean serverSideRetry;
    private long serverSideRetryLimitMillis = ServerSideRetry.COSMOS_LIMIT_MILLIS;
    private long placementSeed = 0x5eed_c05305L;
    private int changeFeedMaxEntries = ChangeFeed.DEFAULT_MAX_ENTRIES;
    private TestTokenIssuer entraIssuer;
    private boolean localAuthDisabled;
    private final Map<String, DataPlaneRole> roles = new LinkedHashMap<>();
    private TokenExpiry tokenExpiry;

    private Builder(CassandraServer backend) {
      this.backend = backend;
    }

    /**
     * How many changed partitions each table's change feed keeps, the oldest dropped beyond it (a
     * limit of the emulator; Cosmos keeps the latest version of every row for the table's life).
     * Default: {@value ChangeFeed#DEFAULT_MAX_ENTRIES}.
     *
     * @throws IllegalArgumentException for less than 1
     */
    public Builder changeFeedMaxEntries(int entries) {
      if (entries < 1) {
        throw new IllegalArgumentException(
            "changeFeedMaxEntries must be at least 1, got " + entries);
      }
      this.changeFeedMaxEntries = entries;
      return this;
    }

    /** The account name clients log in with. Default {@code localcosmos}. */
    public Builder account(String name) {
      this.account = name;
      return this;
    }

    /** The read-write key. Default: 64 random bytes in Base64, as Cosmos makes them. */
    public Builder key(String key) {
      this.key = key;
      return this;
    }

    /**
     * Turns on Microsoft Entra ID logins (Cosmos's data-plane role-based access control), trusting
     * the tokens of {@code issuer}'s tenant signed with its published key: user name = the account,
     * password = an access token for the audience {@value TestTokenIssuer#COSMOS_AUDIENCE}. A
     * token's principal logs in only with a role ({@link #grantRole}). Keys keep working unless
     * {@link #disableLocalAuth()}. Default: keys only.
     */
    public Builder entraIssuer(TestTokenIssuer issuer) {
      this.entraIssuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /**
     * Refuses logins with the account's keys, as the account property {@code disableLocalAuth}:
     * only Entra ID tokens log in. Needs {@link #entraIssuer}.
     */
    public Builder disableLocalAuth() {
      this.localAuthDisabled = true;
      return this;
    }

    /**
     * Assigns a built-in data-plane role to the Entra principal with object id {@code principalId},
     * at the account's scope ({@code /}); with both roles, the contributor's wins. Needs {@link
     * #entraIssuer}.
     *
     * @throws IllegalArgumentException if {@code principalId} is not a GUID, as object ids are
     */
    public Builder grantRole(String principalId, DataPlaneRole role) {
      Objects.requireNonNull(role, "role");
      requireGuid(principalId);
      roles.merge(
          principalId.toLowerCase(Locale.ROOT),
          role,
          (a, b) -> a.writes() || b.writes() ? DataPlaneRole.DATA_CONTRIBUTOR : a);
      return this;
    }

    /**
     * What happens to a connection when the Entra ID token it logged in with expires; Cosmos's
     * behaviour is not confirmed (see {@link TokenExpiry}). Default {@link
     * TokenExpiry#CLOSE_CONNECTION}. Needs {@link #entraIssuer}.
     */
    public Builder onTokenExpiry(TokenExpiry behaviour) {
      this.tokenExpiry = Objects.requireNonNull(behaviour, "behaviour");
      return this;
    }

    /**
     * Burst capacity, as the Cosmos account option: each physical partition of under 3,000 RU/s
     * saves the throughput it leaves unused, up to 300 seconds of it, and spends it when it is over
     * its share, at up to 3,000 RU/s. Default: off, as for a new account.
     */
    public Builder burstCapacity(boolean enabled) {
      this.burstCapacity = enabled;
      return this;
    }

    /**
     * Cosmos's 449 for a write to a row another write is updating (see {@link
     * CosmosEmulator#concurrentWriteConflicts(boolean)}). Default: on, as Cosmos does.
     */
    public Builder concurrentWriteConflicts(boolean enabled) {
      this.concurrentWriteConflicts = enabled;
      return this;
    }

    /**
     * Server-side retry, as the Cosmos account option (capability {@code
     * DisableRateLimitingResponses}): a request over its table's throughput is held and run once it
     * fits instead of being refused with a 429; one held for longer than the limit (60 s on Cosmos,
     * see {@link #serverSideRetryLimit}) is answered with a read or write timeout and never run.
     * Default: off, as for a new account.
     */
    public Builder serverSideRetry(boolean enabled) {
      this.serverSideRetry = enabled;
      return this;
    }

    /**
     * How long server-side retry holds a request before answering it with a timeout. Default: 60 s,
     * Cosmos's; shorter for tests that must see the timeout.
     *
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    public Builder serverSideRetryLimit(java.time.Duration limit) {
      if (limit.isNegative() || limit.isZero()) {
        throw new IllegalArgumentException(
            "serverSideRetryLimit must be positive (Cosmos holds a request for 60 s), not "
                + limit);
      }
      this.serverSideRetryLimitMillis = limit.toMillis();
      return this;
    }

    /**
     * What the placement hash is keyed with: emulators with the same seed place keys alike, so
     * figures repeat from run to run. Default: a fixed seed.
     */
    public Builder placementSeed(long seed) {
      this.placementSeed = seed;
      return this;
    }

    /**
     * Cassandra's CQL dialect instead of Cosmos's: logged batches and the statements and functions
     * Cosmos refuses (user-defined functions and aggregates, triggers, custom indexes, roles, users
     * and permissions, {@code ALTER TYPE}, {@code SELECT DISTINCT}, {@code toJson} and {@code
     * fromJson}) reach Cassandra, which runs them. Cosmos's table options are still taken out of
     * DDL, and throughput, rate limiting and request charges stay as they are. Default: Cosmos's
     * dialect, so that what works against the emulator works against Cosmos.
     */
    public Builder cassandraDialect() {
      this.cosmosDialect = false;
      return this;
    }

    /**
     * How long a client connection may carry no request before the emulator closes it, as the load
     * balancer in front of Cosmos does after 4 minutes. The driver's heartbeat ({@code OPTIONS})
     * does not count: whether Cosmos counts it is not confirmed, and a client must survive the case
     * where it does not. Shorten it to test a job with long pauses; {@link Duration#ZERO} keeps
     * idle connections open. Default: 4 minutes.
     */
    public Builder idleTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("idleTimeout must not be negative, got " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * The account's region, as Azure displays it ("West US", "UK South"): the data centre of the
     * account's node in {@code system.local}. The same as {@link #regions(String...)} with one.
     * Default: {@value Topology#DEFAULT_REGION}.
     *
     * @throws IllegalArgumentException for a blank name
     */
    public Builder region(String displayName) {
      return regions(new String[] {displayName});
    }

    /**
     * The account's regions, as Azure displays them ("West US", "East US 2"), the write region
     * first: one node and one endpoint each (see {@link CosmosEmulator#regionAddress(String)}),
     * each region the data centre of its node. Default: one region, {@value
     * Topology#DEFAULT_REGION}.
     *
     * @throws IllegalArgumentException for none, a blank name, a region given twice (names are
     *     compared ignoring case and spaces, as Azure's host names write them) or more than 254
     */
    public Builder regions(String... displayNames) {
      if (displayNames == null || displayNames.length == 0) {
        throw new IllegalArgumentException(
            "regions needs at least one Azure region's display name, the write region first,"
                + " such as \"West US\"");
      }
      if (displayNames.length > Topology.MAX_REGIONS) {
        throw new IllegalArgumentException(
            "regions takes at most "
                + Topology.MAX_REGIONS
                + " regions (one loopback address each), got "
                + displayNames.length);
      }
      Map<String, String> byKey = new LinkedHashMap<>();
      for (String name : displayNames) {
        if (name == null || name.trim().isEmpty()) {
          throw new IllegalArgumentException(
              "region must be an Azure region's display name such as \"West US\", got '"
                  + name
                  + "'");
        }
        String earlier = byKey.put(regionKey(name), name);
        if (earlier != null) {
          throw new IllegalArgumentException(
              "regions must not name a region twice: '"
                  + earlier
                  + "' and '"
                  + name
                  + "' are the same region (compared ignoring case and spaces)");
        }
      }
      this.regions = Collections.unmodifiableList(new ArrayList<>(Arrays.asList(displayNames)));
      return this;
    }

    /**
     * Multi-region writes, as the Cosmos account option: every region accepts writes. Off, a write
     * sent to a region other than the first is refused, not run, with a {@code ServerError} naming
     * the region (the emulator's choice: what Cosmos does is not confirmed; see docs/emulator.md).
     * Default: off, as for a new account.
     */
    public Builder multiRegionWrites(boolean enabled) {
      this.multiRegionWrites = enabled;
      return this;
    }

    /**
     * Cassandra's own topology instead of Cosmos's: {@code system.local}, {@code system.peers},
     * {@code system.peers_v2} and {@code system.size_estimates} are Cassandra 5.0's, answered by
     * the Cassandra behind the emulator (its release, data centre {@link
     * CassandraServer#DATACENTER}, its tokens and addresses), and its topology events reach
     * clients. For code that needs a plain Cassandra's view; everything else stays Cosmos's.
     * Default: Cosmos's topology (one node in the account's region, 64 tokens, Cassandra 3.11.0;
     * see docs/emulator.md), so that what works against the emulator works against Cosmos.
     */
    public Builder cassandraTopology() {
      this.cosmosTopology = false;
      return this;
    }

    private static void requireGuid(String principalId) {
      Objects.requireNonNull(principalId, "principalId");
      boolean guid;
      try {
        // UUID.fromString also takes short groups ("1-1-1-1-1"); object ids are 36 characters.
        guid = UUID.fromString(principalId).toString().equalsIgnoreCase(principalId);
      } catch (IllegalArgumentException e) {
        guid = false;
      }
      if (!guid) {
        throw new IllegalArgumentException(
            "principalId must be an Entra object id (a GUID), got '" + principalId + "'");
      }
    }

    byte[] placementSecret() {
      return ByteBuffer.allocate(8).putLong(placementSeed).array();
    }

    /**
     * @throws IllegalArgumentException for {@link #cassandraTopology()} with more than one region
     */
    public CosmosEmulator build() {
      if (entraIssuer == null) {
        if (localAuthDisabled) {
          throw new IllegalArgumentException(
              "disableLocalAuth() leaves no way to log in without entraIssuer(...)");
        }
        if (!roles.isEmpty() || tokenExpiry != null) {
          throw new IllegalArgumentException(
              (roles.isEmpty() ? "onTokenExpiry" : "grantRole")
                  + "(...) applies to Microsoft Entra ID logins: set entraIssuer(...) too");
        }
      }
      if (tokenExpiry == null) {
        tokenExpiry = TokenExpiry.CLOSE_CONNECTION;
      }
      if (!cosmosTopology && regions.size() > 1) {
        throw new IllegalArgumentException(
            "cassandraTopology() shows the one node of the Cassandra behind the emulator and"
                + " cannot serve several regions; got regions "
                + regions);
      }
      return new CosmosEmulator(this);
    }
  }
}

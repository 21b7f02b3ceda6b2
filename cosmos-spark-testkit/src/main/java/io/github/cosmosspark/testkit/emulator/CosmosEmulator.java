package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import com.datastax.oss.protocol.internal.Compressor;
import com.datastax.oss.protocol.internal.FrameCodec;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.cassandra.ServerSessions;
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
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for Azure Cosmos DB for Apache Cassandra: a CQL native-protocol v4 endpoint on
 * TLS that behaves like Cosmos where Cassandra does not (account keys, a read-only key, protocol v4
 * only, throughput options in DDL, a {@code RequestCharge} on every response, the topology of a
 * single-region account: one node in the account's {@link #region()} with Cosmos's 64 tokens) and
 * keeps every row in the real Cassandra behind it.
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
  private final RequestCharges charges;
  private final ServerSideRetry serverSideRetry;
  private final DdlRewriter ddl;
  private final CosmosDialect dialect;
  private final String region;
  // Null when Cassandra's own topology is passed through (Builder#cassandraTopology).
  private final SystemTables systemTables;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  private EventLoopGroup eventLoops;
  private Channel serverChannel;
  private SSLContext clientSslContext;
  private int port;

  private CosmosEmulator(Builder builder) {
    this.backend = builder.backend;
    SecureRandom random = new SecureRandom();
    this.accounts =
        new Accounts(
            builder.account,
            builder.key != null ? builder.key : Accounts.randomKey(random),
            Accounts.randomKey(random));
    this.provisioning = new Provisioning(builder.burstCapacity, builder.placementSecret());
    this.serverSideRetry =
        new ServerSideRetry(builder.serverSideRetry, builder.serverSideRetryLimitMillis);
    this.charges = new RequestCharges(preparedStatements, provisioning, serverSideRetry);
    this.dialect = new CosmosDialect(builder.cosmosDialect, builder.idleTimeout);
    this.ddl = new DdlRewriter(provisioning);
    this.storePassword = Accounts.randomKey(random).substring(0, 20);
    this.region = builder.region;
    this.systemTables =
        builder.cosmosTopology
            ? new SystemTables(
                new Topology(
                    builder.account, java.util.Collections.singletonList(region), hostAddress()))
            : null;
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

  /** Binds the endpoint: port 10350 when free, else a free port. */
  public synchronized CosmosEmulator start() {
    if (serverChannel != null) {
      return this;
    }
    EmulatorTls tls = EmulatorTls.create(HOST, truststorePath(), storePassword, backend);
    clientSslContext = tls.clientSslContext();
    BackendEndpoint backendEndpoint =
        new BackendEndpoint(backend, tls.backendTls(), primitiveCodec);
    eventLoops = new NioEventLoopGroup(2);
    ClusteringColumns clusteringColumns = new ClusteringColumns(backendEndpoint, eventLoops.next());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(eventLoops)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (faults.refusingConnections()) {
                      channel.close();
                      return;
                    }
                    clients.add(channel);
                    FrameCodec<ByteBuf> codec =
                        FrameCodec.defaultServer(primitiveCodec, Compressor.<ByteBuf>none());
                    channel
                        .pipeline()
                        .addLast(tls.serverTls().newHandler(channel.alloc()))
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
                                codec,
                                systemTables));
                  }
                });
    // Cosmos's port when free, else any: bound, not probed, so parallel JVMs cannot race for it.
    ChannelFuture bound = bootstrap.bind(HOST, COSMOS_PORT).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      bound = bootstrap.bind(HOST, 0).syncUninterruptibly();
    }
    serverChannel = bound.channel();
    port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    LOG.info(
        "Cosmos emulator on {}:{} for account '{}', in front of Cassandra on port {}",
        HOST,
        port,
        accounts.account(),
        backend.port());
    return this;
  }

  /** Closes the endpoint and every client connection. The Cassandra behind it keeps running. */
  @Override
  public synchronized void close() {
    if (serverChannel != null) {
      for (TableStatistics statistics : allStatistics()) {
        LOG.info("Cosmos emulator: {}", statistics);
      }
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    if (eventLoops != null) {
      eventLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      eventLoops = null;
    }
  }

  public String host() {
    return HOST;
  }

  private static java.net.InetAddress hostAddress() {
    try {
      return java.net.InetAddress.getByName(HOST);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("A literal IP address always resolves: " + HOST, e);
    }
  }

  /**
   * The account's region, which clients see as the data centre of its one node (the name driver 4's
   * {@code withLocalDatacenter} and SCC's {@code spark.cassandra.connection.localDC} take). With
   * {@link Builder#cassandraTopology()} clients see Cassandra's data centre instead, {@link
   * #localDatacenter()}.
   */
  public String region() {
    return region;
  }

  /**
   * The data centre clients of this emulator see: the account's region, or with {@link
   * Builder#cassandraTopology()} the Cassandra's own ({@link CassandraServer#DATACENTER}).
   */
  public String localDatacenter() {
    return systemTables != null ? region : CassandraServer.DATACENTER;
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

  /** A PKCS12 trust store holding the CA that signed the endpoint's certificate. */
  public Path truststorePath() {
    return workDirectory.resolve("emulator-truststore.p12");
  }

  public String truststorePassword() {
    return storePassword;
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
   * A session builder with contact point, data center, the account and {@code accountKey} (the key
   * or the read-only key), TLS with host name verification, and the test timeouts of {@link
   * ServerSessions#testTimeouts()} set.
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

  /** Takes back injected latency, failures, connection refusal and withheld schema events. */
  public void clearFaults() {
    faults.clear();
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

  /** Zeroes every counter; budgets and throughput stay. */
  public void resetStatistics() {
    provisioning.resetStatistics();
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
    private String region = Topology.DEFAULT_REGION;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private boolean serverSideRetry;
    private long serverSideRetryLimitMillis = ServerSideRetry.COSMOS_LIMIT_MILLIS;
    private long placementSeed = 0x5eed_c05305L;

    private Builder(CassandraServer backend) {
      this.backend = backend;
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
     * account's node in {@code system.local}. Default: {@value Topology#DEFAULT_REGION}.
     *
     * @throws IllegalArgumentException for a blank name
     */
    public Builder region(String displayName) {
      if (displayName == null || displayName.trim().isEmpty()) {
        throw new IllegalArgumentException(
            "region must be an Azure region's display name such as \"West US\", got '"
                + displayName
                + "'");
      }
      this.region = displayName;
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

    byte[] placementSecret() {
      return ByteBuffer.allocate(8).putLong(placementSeed).array();
    }

    public CosmosEmulator build() {
      return new CosmosEmulator(this);
    }
  }
}

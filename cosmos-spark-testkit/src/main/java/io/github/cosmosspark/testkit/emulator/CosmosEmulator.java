package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import com.datastax.oss.protocol.internal.Compressor;
import com.datastax.oss.protocol.internal.FrameCodec;
import com.datastax.oss.protocol.internal.Message;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for Azure Cosmos DB for Apache Cassandra: a CQL native-protocol v4 endpoint on
 * TLS that behaves like Cosmos where Cassandra does not (account keys, a read-only key, protocol v4
 * only, throughput options in DDL, a {@code RequestCharge} on every response) and keeps every row
 * in the real Cassandra behind it.
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

  static final int MAX_FRAME = 256 * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(CosmosEmulator.class);
  private static final String HOST = "127.0.0.1";

  private final CassandraServer backend;
  private final String account;
  private final String key;
  private final String readOnlyKey;
  private final Path workDirectory;
  private final String storePassword;
  private final ByteBufPrimitiveCodec primitiveCodec =
      new ByteBufPrimitiveCodec(ByteBufAllocator.DEFAULT);
  private final RequestCharges charges = new RequestCharges(this);
  private final Map<String, PreparedStatementInfo> preparedQueries = new ConcurrentHashMap<>();
  private final Map<String, Throughput> throughputs = new ConcurrentHashMap<>();
  private final Map<String, Budget> budgets = new ConcurrentHashMap<>();
  private final double burstSeconds;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger faultsLeft = new AtomicInteger();
  private volatile Fault fault;
  private volatile long latencyMillis;
  private volatile long refuseConnectionsUntilNanos;
  private volatile boolean withholdSchemaEvents;

  private EventLoopGroup eventLoops;
  private Channel serverChannel;
  private SslContext serverTls;
  private SslContext backendTls;
  private SSLContext clientSslContext;
  private int port;

  private CosmosEmulator(Builder builder) {
    this.backend = builder.backend;
    this.account = builder.account;
    SecureRandom random = new SecureRandom();
    this.key = builder.key != null ? builder.key : randomKey(random);
    this.readOnlyKey = randomKey(random);
    this.burstSeconds = builder.burstSeconds;
    this.storePassword = randomKey(random).substring(0, 20);
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
    try {
      TestCertificateAuthority ca = TestCertificateAuthority.create("cosmos-spark emulator CA");
      IssuedCertificate certificate =
          ca.issueServerCertificate(
              "localhost", Collections.singletonList("localhost"), Arrays.asList(HOST, "::1"));
      ca.writeTruststore(truststorePath(), storePassword.toCharArray());
      clientSslContext = ca.clientSslContext();
      serverTls =
          SslContextBuilder.forServer(
                  certificate.privateKey(), certificate.chain().toArray(new X509Certificate[0]))
              .protocols("TLSv1.3", "TLSv1.2")
              .build();
      backendTls = SslContextBuilder.forClient().trustManager(backendTrust()).build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Could not set up the emulator's TLS", e);
    }
    eventLoops = new NioEventLoopGroup(2);
    CosmosEmulator emulator = this;
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(eventLoops)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (System.nanoTime() < refuseConnectionsUntilNanos) {
                      channel.close();
                      return;
                    }
                    clients.add(channel);
                    FrameCodec<ByteBuf> codec =
                        FrameCodec.defaultServer(primitiveCodec, noCompression());
                    channel
                        .pipeline()
                        .addLast(serverTls.newHandler(channel.alloc()))
                        .addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 5, 4))
                        .addLast(new ClientConnection(emulator, codec));
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
        account,
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

  public int port() {
    return port;
  }

  /** The account name, which clients log in with as user name. */
  public String account() {
    return account;
  }

  /** The account's read-write key. */
  public String key() {
    return key;
  }

  /** A key that reads but cannot write, as Cosmos accounts have. */
  public String readOnlyKey() {
    return readOnlyKey;
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
    return sessionBuilder(key).build();
  }

  /**
   * A session builder with contact point, data center, the account and {@code accountKey} (the key
   * or the read-only key), and TLS with host name verification set.
   */
  public CqlSessionBuilder sessionBuilder(String accountKey) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(HOST, port))
        .withLocalDatacenter(CassandraServer.DATACENTER)
        .withAuthCredentials(account, accountKey)
        .withSslEngineFactory(new ProgrammaticSslEngineFactory(clientSslContext, null, true));
  }

  /**
   * The throughput a table has: its own, or its keyspace's shared throughput; empty for a table the
   * emulator has not seen created.
   *
   * @param keyspaceAndTable {@code keyspace.table}
   */
  public Optional<Throughput> throughput(String keyspaceAndTable) {
    String name = keyspaceAndTable.toLowerCase(java.util.Locale.ROOT);
    Throughput own = throughputs.get(name);
    if (own != null) {
      return Optional.of(own);
    }
    int dot = name.indexOf('.');
    return dot < 0
        ? Optional.<Throughput>empty()
        : Optional.ofNullable(throughputs.get(name.substring(0, dot)));
  }

  /** Client connections open now: accepted and not yet closed by either side. */
  public int openClientConnections() {
    return clients.size();
  }

  /** Closes every client connection now, as a network failure would. New ones are accepted. */
  public void dropAllConnections() {
    clients.close().syncUninterruptibly();
    LOG.info("Cosmos emulator: dropped all client connections");
  }

  /** Delays every request by {@code latency} before it is run (scheduled, not slept). */
  public void injectLatency(Duration latency) {
    latencyMillis = latency.toMillis();
  }

  /**
   * Answers the next {@code count} application requests (reads and writes of user tables, and
   * schema changes; never the driver's metadata queries) with {@code fault} instead of running
   * them.
   */
  public void failNext(int count, Fault fault) {
    this.fault = fault;
    faultsLeft.set(count);
  }

  /** Closes every new connection at once for {@code duration}. */
  public void refuseConnections(Duration duration) {
    refuseConnectionsUntilNanos = System.nanoTime() + duration.toNanos();
  }

  /**
   * Stops passing Cassandra's schema-change events on to clients, as when an event is late or lost:
   * a client's driver then keeps the schema it had until it refreshes it itself.
   */
  public void withholdSchemaEvents() {
    withholdSchemaEvents = true;
  }

  /** Takes back injected latency, failures, connection refusal and withheld schema events. */
  public void clearFaults() {
    latencyMillis = 0;
    faultsLeft.set(0);
    refuseConnectionsUntilNanos = 0;
    withholdSchemaEvents = false;
  }

  boolean withholdingSchemaEvents() {
    return withholdSchemaEvents;
  }

  long latencyMillis() {
    return latencyMillis;
  }

  /** The injected error for the next application request, or null. */
  Message nextFault() {
    Fault current = fault;
    return current != null && faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0
        ? current.error()
        : null;
  }

  CassandraServer backend() {
    return backend;
  }

  SslContext backendTls() {
    return backendTls;
  }

  ByteBufPrimitiveCodec primitiveCodec() {
    return primitiveCodec;
  }

  Compressor<ByteBuf> noCompression() {
    return Compressor.none();
  }

  RequestCharges charges() {
    return charges;
  }

  /** What a prepared statement was prepared from. */
  static final class PreparedStatementInfo {
    final String cql;
    final String keyspace;
    final String kind;
    final String table;

    PreparedStatementInfo(String cql, String keyspace) {
      this.cql = cql;
      this.keyspace = keyspace;
      String[] kindAndTable = RequestCharges.kindAndTable(cql, keyspace);
      this.kind = kindAndTable[0];
      this.table = kindAndTable[1];
    }
  }

  void rememberPrepared(byte[] id, PreparedStatementInfo prepared) {
    preparedQueries.put(Base64.getEncoder().encodeToString(id), prepared);
  }

  /** As after a restart of the emulator: clients must prepare their statements again. */
  void forgetPreparedStatements() {
    preparedQueries.clear();
  }

  PreparedStatementInfo preparedQuery(byte[] id) {
    return preparedQueries.get(Base64.getEncoder().encodeToString(id));
  }

  void provision(String name, Throughput throughput) {
    throughputs.put(name, throughput);
    Budget budget = budgets.get(name);
    if (budget != null) {
      budget.provision(throughput.ruPerSecond(), System.nanoTime());
    }
  }

  boolean hasOwnThroughput(String name) {
    return throughputs.containsKey(name);
  }

  /** A table without its own throughput gets Cosmos's default, unless its keyspace shares one. */
  void provisionTableDefault(String table) {
    int dot = table.indexOf('.');
    if (dot < 0 || !throughputs.containsKey(table.substring(0, dot))) {
      provision(table, new Throughput(Throughput.DEFAULT_TABLE_RU_PER_SECOND, false));
    }
  }

  /** The budget a table draws on: its own, its keyspace's shared one, or Cosmos's default. */
  Budget budget(String table) {
    String scope = table;
    if (!throughputs.containsKey(table)) {
      int dot = table.indexOf('.');
      if (dot > 0 && throughputs.containsKey(table.substring(0, dot))) {
        scope = table.substring(0, dot);
      } else {
        provisionTableDefault(table);
      }
    }
    String key = scope;
    return budgets.computeIfAbsent(
        key, k -> new Budget(k, throughputs.get(k).ruPerSecond(), burstSeconds, System.nanoTime()));
  }

  /**
   * What the emulator counted for a table, or for a keyspace with shared throughput.
   *
   * @param scope {@code keyspace.table}, or a keyspace
   */
  public Optional<TableStatistics> statistics(String scope) {
    Budget budget = budgets.get(scope.toLowerCase(java.util.Locale.ROOT));
    return budget == null ? Optional.<TableStatistics>empty() : Optional.of(budget.statistics());
  }

  /** Statistics of every table and shared keyspace that has served requests. */
  public List<TableStatistics> allStatistics() {
    List<TableStatistics> all = new ArrayList<>();
    for (Budget budget : budgets.values()) {
      all.add(budget.statistics());
    }
    return all;
  }

  /** Zeroes every counter; budgets and throughput stay. */
  public void resetStatistics() {
    for (Budget budget : budgets.values()) {
      budget.reset();
    }
  }

  private TrustManagerFactory backendTrust() throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(backend.truststorePath())) {
      KeyStore store = KeyStore.getInstance(backend.truststoreType());
      store.load(in, backend.truststorePassword().toCharArray());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      return trust;
    }
  }

  /** Cosmos keys are 64 random bytes in Base64 (88 characters ending in "=="). */
  private static String randomKey(SecureRandom random) {
    byte[] bytes = new byte[64];
    random.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** Settings for a {@link CosmosEmulator}. */
  public static final class Builder {
    private final CassandraServer backend;
    private String account = "localcosmos";
    private String key;
    private double burstSeconds = 1;

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
     * Lets a table save up unused throughput for bursts, as Cosmos's burst capacity does (up to 300
     * s of it). Default: off, so a table never runs above its RU/s for more than a second.
     */
    public Builder burstCapacity(java.time.Duration saved) {
      double seconds = saved.toMillis() / 1000.0;
      if (seconds < 0 || seconds > 300) {
        throw new IllegalArgumentException("burstCapacity must be 0 to 300 seconds, got " + saved);
      }
      this.burstSeconds = Math.max(1, seconds);
      return this;
    }

    public CosmosEmulator build() {
      return new CosmosEmulator(this);
    }
  }
}

package io.github.cosmosspark.testkit.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Cassandra server for tests, in a JVM of its own.
 *
 * <p>The server runs from {@code cassandra-all} jars that Maven resolves (see {@link
 * CassandraDistribution}); they never touch the test JVM's classpath. It listens on 127.0.0.1 on
 * free ports, accepts only TLS clients, with a certificate from a {@link TestCertificateAuthority}
 * made for it, and requires a password: user {@code cassandra} with a random password set at first
 * start. Clients get what they need from {@link #host()}, {@link #port()}, {@link #username()},
 * {@link #password()} and {@link #truststorePath()}, or a ready {@link #newSession()}.
 *
 * <pre>{@code
 * try (CassandraServer server = CassandraServer.builder().build()) {
 *   server.start();
 *   try (CqlSession session = server.newSession()) {
 *     session.execute("SELECT release_version FROM system.local");
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #stop()} shuts the server down cleanly, {@link #kill()} kills it without warning, and
 * {@link #restart()} starts it again on the same ports and data directory. {@link #close()} stops
 * it and deletes the working directory it created. A shutdown hook stops a server the test forgot,
 * and the server halts by itself when the JVM that started it dies (see {@link
 * ParentWatchingLauncher}), so no test run leaves a Cassandra process behind.
 *
 * <p>Not thread-safe for concurrent lifecycle calls; tests share a started server freely.
 */
public final class CassandraServer implements AutoCloseable {

  /** The data center name clients must use as their local one. */
  public static final String DATACENTER = "datacenter1";

  /** Marks the server JVM's command line, so stray servers are easy to find. */
  public static final String PROCESS_MARKER_PROPERTY = "cosmos.testkit.cassandra";

  static final String HOST = "127.0.0.1";
  static final String USERNAME = "cassandra";

  private static final Logger LOG = LoggerFactory.getLogger(CassandraServer.class);

  // The builder itself, read at each start: settings changed after build() apply at the next one.
  private final Builder settings;
  private final ServerDirectory directory;
  private final ServerState state;
  private final ServerLog log;

  private CassandraDistribution distribution;
  private ServerProcess process;
  private boolean closed;

  private CassandraServer(Builder settings) {
    this.settings = settings;
    this.directory = ServerDirectory.create(settings.workDirectory);
    this.state = new ServerState(directory);
    this.log = new ServerLog(directory.logFile());
  }

  /** A builder with the defaults: free ports, 1 GiB heap, a temporary working directory. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the server and waits until it accepts an authenticated TLS connection.
   *
   * @return this server, started
   * @throws CassandraServerException if it cannot start: the message says why and shows the last
   *     lines of the server's log
   */
  public synchronized CassandraServer start() {
    if (closed) {
      throw new CassandraServerException("This CassandraServer is closed; build a new one.");
    }
    if (isRunning()) {
      return this;
    }
    // A server that crashed on its own still has a process and a shutdown hook to clear.
    destroy(true);
    JavaInstallation java = JavaInstallation.locate(settings.javaHome);
    if (distribution == null) {
      distribution =
          settings.distribution != null
              ? settings.distribution
              : CassandraDistribution.fromEnvironment();
    }
    state.loadOrCreate(settings.nativePort);
    ServerConfiguration.write(directory, state, settings.yamlOverrides);
    long started = System.nanoTime();
    process =
        ServerProcess.start(
            ServerJvmCommand.build(
                java,
                directory,
                distribution,
                state.jmxPort(),
                settings.heapSize,
                settings.jvmArguments),
            directory);
    boolean ready = false;
    try {
      new Readiness(process, state, log, settings.startupTimeout).await(started);
      ready = true;
    } finally {
      if (!ready) {
        destroy(true);
      }
    }
    LOG.info(
        "Cassandra {} up on {}:{} in {} ms (work directory {})",
        distribution.version(),
        HOST,
        state.nativePort(),
        elapsedMillis(started),
        directory.root());
    return this;
  }

  /**
   * Shuts the server down cleanly (SIGTERM, so it flushes and closes its files) and waits for its
   * JVM to exit. Keeps the working directory for {@link #restart()}.
   */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    long started = System.nanoTime();
    destroy(false);
    LOG.info("Cassandra on port {} stopped in {} ms", state.nativePort(), elapsedMillis(started));
  }

  /**
   * Kills the server JVM at once (SIGKILL), as a crash would, for fault tests. In the default
   * periodic commit-log mode, writes acknowledged since the last sync marker are lost; a server
   * built with {@code yaml("commitlog_sync", "batch")} and {@code yaml("commitlog_sync_period",
   * "0ms")} brings every acknowledged write back on {@link #restart()}.
   */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    destroy(true);
    LOG.info("Cassandra on port {} killed", state.nativePort());
  }

  /** Stops the server if it runs, then starts it again on the same ports and data. */
  public synchronized CassandraServer restart() {
    stop();
    return start();
  }

  /** Whether the server JVM is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the server and deletes the working directory if this object created it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    if (directory.owned()) {
      directory.delete();
    }
  }

  /** The address clients connect to: always {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** The CQL native-protocol port (TLS only). */
  public synchronized int port() {
    requireStartedOnce();
    return state.nativePort();
  }

  /** {@link #host()} and {@link #port()} together. */
  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(host(), port());
  }

  /** The user name clients log in with. */
  public String username() {
    return USERNAME;
  }

  /** The user's password, random per working directory. */
  public synchronized String password() {
    requireStartedOnce();
    return state.password();
  }

  /** A PKCS12 trust store holding the CA that signed the server's certificate. */
  public synchronized Path truststorePath() {
    requireStartedOnce();
    return directory.truststore();
  }

  /** The password of {@link #truststorePath()}. */
  public synchronized String truststorePassword() {
    requireStartedOnce();
    return state.storePassword();
  }

  /** The type of {@link #truststorePath()}: {@value TestCertificateAuthority#STORE_TYPE}. */
  public String truststoreType() {
    return TestCertificateAuthority.STORE_TYPE;
  }

  /** A client TLS context that trusts the server's certificate (and nothing else). */
  public synchronized SSLContext clientSslContext() {
    requireStartedOnce();
    return state.clientSslContext();
  }

  /** The version of Cassandra this server runs. */
  public synchronized String version() {
    requireStartedOnce();
    return distribution.version();
  }

  /** Where the server keeps its configuration, data, TLS material and log. */
  public Path workDirectory() {
    return directory.root();
  }

  /** The server JVM's output: Cassandra's log at INFO. */
  public Path logFile() {
    return directory.logFile();
  }

  /**
   * A driver session logged in over TLS, verifying the server's host name. The caller closes it.
   */
  public CqlSession newSession() {
    return sessionBuilder().build();
  }

  /** A session builder with contact point, data center, credentials, TLS and timeouts set. */
  public synchronized CqlSessionBuilder sessionBuilder() {
    return ServerSessions.builder(
        state.nativePort(), state.clientSslContext(), username(), password());
  }

  @Override
  public String toString() {
    return "CassandraServer{"
        + HOST
        + ":"
        + (state.nativePort() == 0 ? "(not started)" : state.nativePort())
        + ", running="
        + isRunning()
        + ", workDirectory="
        + directory.root()
        + "}";
  }

  private void requireStartedOnce() {
    if (!state.loaded()) {
      throw new IllegalStateException(
          "Start the CassandraServer before asking for its address or credentials");
    }
  }

  /** Ends the server JVM, if any, and forgets it. */
  private void destroy(boolean forcibly) {
    ServerProcess running = process;
    process = null;
    if (running != null) {
      running.destroy(forcibly, settings.stopTimeout, state.nativePort());
    }
  }

  private static long elapsedMillis(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  /** Settings for a {@link CassandraServer}; every one has a default. */
  public static final class Builder {
    private int nativePort;
    private Path workDirectory;
    private Path javaHome;
    private String heapSize = "1G";
    private Duration startupTimeout = Duration.ofMinutes(3);
    private Duration stopTimeout = Duration.ofSeconds(60);
    private CassandraDistribution distribution;
    private final List<String> jvmArguments = new ArrayList<>();
    private final Map<String, String> yamlOverrides = new LinkedHashMap<>();

    private Builder() {}

    /** The CQL port; it must be free. Default: a free port chosen at first start. */
    public Builder nativePort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("nativePort must be 1 to 65535, got " + port);
      }
      this.nativePort = port;
      return this;
    }

    /**
     * Where configuration, data, TLS material and log go. A directory a previous server used keeps
     * its data, ports and password. Default: a new temporary directory, deleted on {@link
     * CassandraServer#close()}.
     */
    public Builder workDirectory(Path directory) {
      this.workDirectory = directory;
      return this;
    }

    /**
     * The JDK to run Cassandra with (11 to 17). Default: system property {@code
     * cosmos.testkit.cassandra.java.home}, else the running JVM if it is 11 to 17, else {@code
     * JAVA_HOME}.
     */
    public Builder javaHome(Path home) {
      this.javaHome = home;
      return this;
    }

    /** The server JVM's heap, as for {@code -Xmx} ({@code 512M}, {@code 1G}). Default 1G. */
    public Builder heapSize(String size) {
      if (!size.matches("\\d+[kKmMgG]?")) {
        throw new IllegalArgumentException(
            "heapSize must look like 512M or 1G, got '" + size + "'");
      }
      this.heapSize = size;
      return this;
    }

    /** How long {@link CassandraServer#start()} waits for a TLS login. Default 3 minutes. */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = requirePositive(timeout, "startupTimeout");
      return this;
    }

    /** How long {@link CassandraServer#stop()} waits before killing. Default 60 seconds. */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = requirePositive(timeout, "stopTimeout");
      return this;
    }

    /** The jars to run. Default: {@link CassandraDistribution#fromEnvironment()}. */
    public Builder distribution(CassandraDistribution distribution) {
      this.distribution = distribution;
      return this;
    }

    /** An extra argument for the server JVM, e.g. a system property. */
    public Builder jvmArgument(String argument) {
      this.jvmArguments.add(argument);
      return this;
    }

    /**
     * Sets a top-level {@code cassandra.yaml} key, replacing the testkit's value if it has one. The
     * value is written as YAML text, e.g. {@code "5000ms"}.
     */
    public Builder yaml(String key, String value) {
      this.yamlOverrides.put(key, value);
      return this;
    }

    /** A server with these settings, not yet started. */
    public CassandraServer build() {
      return new CassandraServer(this);
    }

    private static Duration requirePositive(Duration duration, String name) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + duration);
      }
      return duration;
    }
  }
}

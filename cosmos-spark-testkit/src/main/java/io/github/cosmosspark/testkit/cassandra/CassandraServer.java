package io.github.cosmosspark.testkit.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

  private static final Logger LOG = LoggerFactory.getLogger(CassandraServer.class);
  private static final String HOST = "127.0.0.1";
  private static final String USERNAME = "cassandra";
  private static final String DEFAULT_PASSWORD = "cassandra";
  private static final String STATE_FILE = "testkit-server.properties";
  private static final int LOG_TAIL_LINES = 40;
  private static final long POLL_MILLIS = 200;

  /** Cassandra's own jvm11/jvm17 options: the JDK internals it reaches into. */
  private static final List<String> JDK_MODULE_OPTIONS =
      Collections.unmodifiableList(
          Arrays.asList(
              "--add-exports",
              "java.base/jdk.internal.misc=ALL-UNNAMED",
              "--add-exports",
              "java.base/jdk.internal.ref=ALL-UNNAMED",
              "--add-exports",
              "java.base/sun.nio.ch=ALL-UNNAMED",
              "--add-exports",
              "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
              "--add-exports",
              "java.rmi/sun.rmi.registry=ALL-UNNAMED",
              "--add-exports",
              "java.rmi/sun.rmi.server=ALL-UNNAMED",
              "--add-exports",
              "java.sql/java.sql=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.lang.module=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.loader=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.ref=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.reflect=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.math=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.module=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.util.jar=ALL-UNNAMED",
              "--add-opens",
              "jdk.management/com.sun.management.internal=ALL-UNNAMED",
              "--add-opens",
              "java.base/sun.nio.ch=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.io=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.nio=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.util.concurrent=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.util=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.lang=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.math=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.lang.reflect=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.net=ALL-UNNAMED"));

  private final Builder settings;
  private final Path workDirectory;
  private final boolean ownsWorkDirectory;
  private final SecureRandom random = new SecureRandom();

  private CassandraDistribution distribution;
  private int nativePort;
  private int storagePort;
  private int jmxPort;
  private String password;
  private boolean passwordApplied;
  private String storePassword;
  private TestCertificateAuthority certificateAuthority;
  private SSLContext clientSslContext;

  private Process process;
  private Thread shutdownHook;
  private boolean closed;

  private CassandraServer(Builder settings) {
    this.settings = settings;
    try {
      if (settings.workDirectory != null) {
        this.workDirectory = Files.createDirectories(settings.workDirectory.toAbsolutePath());
        this.ownsWorkDirectory = false;
      } else {
        this.workDirectory = Files.createTempDirectory("cosmos-testkit-cassandra-");
        this.ownsWorkDirectory = true;
      }
    } catch (IOException e) {
      throw new CassandraServerException("Could not create the server's working directory", e);
    }
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
    loadOrCreateState();
    writeConfiguration();
    long started = System.nanoTime();
    launch(java);
    boolean ready = false;
    try {
      awaitReady(started);
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
        nativePort,
        elapsedMillis(started),
        workDirectory);
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
    LOG.info("Cassandra on port {} stopped in {} ms", nativePort, elapsedMillis(started));
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
    LOG.info("Cassandra on port {} killed", nativePort);
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
    if (ownsWorkDirectory) {
      deleteRecursively(workDirectory);
    }
  }

  /** The address clients connect to: always {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** The CQL native-protocol port (TLS only). */
  public synchronized int port() {
    requireStartedOnce();
    return nativePort;
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
    return password;
  }

  /** A PKCS12 trust store holding the CA that signed the server's certificate. */
  public synchronized Path truststorePath() {
    requireStartedOnce();
    return tlsDirectory().resolve("truststore.p12");
  }

  /** The password of {@link #truststorePath()}. */
  public synchronized String truststorePassword() {
    requireStartedOnce();
    return storePassword;
  }

  /** The type of {@link #truststorePath()}: {@value TestCertificateAuthority#STORE_TYPE}. */
  public String truststoreType() {
    return TestCertificateAuthority.STORE_TYPE;
  }

  /** A client TLS context that trusts the server's certificate (and nothing else). */
  public synchronized SSLContext clientSslContext() {
    requireStartedOnce();
    return clientSslContext;
  }

  /** The version of Cassandra this server runs. */
  public synchronized String version() {
    requireStartedOnce();
    return distribution.version();
  }

  /** Where the server keeps its configuration, data, TLS material and log. */
  public Path workDirectory() {
    return workDirectory;
  }

  /** The server JVM's output: Cassandra's log at INFO. */
  public Path logFile() {
    return workDirectory.resolve("logs").resolve("cassandra.log");
  }

  /**
   * A driver session logged in over TLS, verifying the server's host name. The caller closes it.
   */
  public CqlSession newSession() {
    return sessionBuilder().build();
  }

  /** A session builder with contact point, data center, credentials, TLS and timeouts set. */
  public synchronized CqlSessionBuilder sessionBuilder() {
    return sessionBuilder(username(), password());
  }

  private CqlSessionBuilder sessionBuilder(String user, String secret) {
    DriverConfigLoader config =
        DriverConfigLoader.programmaticBuilder()
            // Schema changes on a two-core test machine can take seconds.
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(
                DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(60))
            .withDuration(
                DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(60))
            .build();
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(HOST, nativePort))
        .withLocalDatacenter(DATACENTER)
        .withAuthCredentials(user, secret)
        .withSslEngineFactory(new ProgrammaticSslEngineFactory(clientSslContext, null, true))
        .withConfigLoader(config);
  }

  @Override
  public String toString() {
    return "CassandraServer{"
        + HOST
        + ":"
        + (nativePort == 0 ? "(not started)" : nativePort)
        + ", running="
        + isRunning()
        + ", workDirectory="
        + workDirectory
        + "}";
  }

  private void requireStartedOnce() {
    if (password == null) {
      throw new IllegalStateException(
          "Start the CassandraServer before asking for its address or credentials");
    }
  }

  private Path tlsDirectory() {
    return workDirectory.resolve("tls");
  }

  /**
   * Ports, passwords and TLS material are made on the first start and kept in the working
   * directory, so a restart, or a new server on the same directory, finds its data readable.
   */
  private void loadOrCreateState() {
    if (password != null) {
      return;
    }
    Path stateFile = workDirectory.resolve(STATE_FILE);
    Properties state = new Properties();
    if (Files.isRegularFile(stateFile)) {
      try (InputStream in = Files.newInputStream(stateFile)) {
        state.load(in);
      } catch (IOException e) {
        throw new CassandraServerException("Could not read " + stateFile, e);
      }
    }
    // Ports first: a port in use must fail before anything is half set up.
    nativePort =
        choosePort(settings.nativePort, state.getProperty("nativePort"), "native transport");
    storagePort = choosePort(0, state.getProperty("storagePort"), "storage");
    jmxPort = choosePort(0, state.getProperty("jmxPort"), "JMX");
    storePassword = state.getProperty("storePassword", randomSecret());
    passwordApplied = Boolean.parseBoolean(state.getProperty("passwordApplied", "false"));
    try {
      Path keystore = tlsDirectory().resolve("keystore.p12");
      Path truststore = tlsDirectory().resolve("truststore.p12");
      if (!Files.isRegularFile(keystore) || !Files.isRegularFile(truststore)) {
        certificateAuthority = TestCertificateAuthority.create("cosmos-spark testkit CA");
        certificateAuthority
            .issueServerCertificate(
                "localhost", Collections.singletonList("localhost"), Arrays.asList(HOST, "::1"))
            .writeKeystore(keystore, "cassandra", storePassword.toCharArray());
        certificateAuthority.writeTruststore(truststore, storePassword.toCharArray());
      }
      clientSslContext = loadClientSslContext(truststore);
    } catch (IOException e) {
      throw new CassandraServerException("Could not write TLS key material", e);
    }
    // Set last: it marks the state as complete.
    password = state.getProperty("password", randomSecret());
    saveState();
  }

  private void saveState() {
    Properties state = new Properties();
    state.setProperty("password", password);
    state.setProperty("passwordApplied", Boolean.toString(passwordApplied));
    state.setProperty("storePassword", storePassword);
    state.setProperty("nativePort", Integer.toString(nativePort));
    state.setProperty("storagePort", Integer.toString(storagePort));
    state.setProperty("jmxPort", Integer.toString(jmxPort));
    try (OutputStream out = Files.newOutputStream(workDirectory.resolve(STATE_FILE))) {
      state.store(out, "cosmos-spark testkit server state; test credentials only");
    } catch (IOException e) {
      throw new CassandraServerException("Could not write server state", e);
    }
  }

  private SSLContext loadClientSslContext(Path truststore) {
    try (InputStream in = Files.newInputStream(truststore)) {
      KeyStore store = KeyStore.getInstance(TestCertificateAuthority.STORE_TYPE);
      store.load(in, storePassword.toCharArray());
      return TestCertificateAuthority.sslContextTrusting(store);
    } catch (Exception e) {
      throw new CassandraServerException("Could not load trust store " + truststore, e);
    }
  }

  private static int choosePort(int requested, String remembered, String purpose) {
    if (requested > 0) {
      if (!isFree(requested)) {
        throw new CassandraServerException(
            "The "
                + purpose
                + " port "
                + requested
                + " on "
                + HOST
                + " is already in use. Choose another port, or leave it unset to use a free one.");
      }
      return requested;
    }
    if (remembered != null) {
      return Integer.parseInt(remembered);
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new CassandraServerException("Could not find a free " + purpose + " port", e);
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(HOST, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String randomSecret() {
    StringBuilder secret = new StringBuilder();
    String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 24; i++) {
      secret.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return secret.toString();
  }

  private void writeConfiguration() {
    Path conf = workDirectory.resolve("conf");
    Map<String, String> yaml = new LinkedHashMap<>();
    yaml.put("cluster_name", "'cosmos-spark-testkit'");
    yaml.put("num_tokens", "1");
    yaml.put("partitioner", "org.apache.cassandra.dht.Murmur3Partitioner");
    yaml.put("endpoint_snitch", "SimpleSnitch");
    yaml.put(
        "seed_provider",
        "\n  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n"
            + "    parameters:\n      - seeds: \""
            + HOST
            + ":"
            + storagePort
            + "\"");
    yaml.put("listen_address", HOST);
    yaml.put("rpc_address", HOST);
    yaml.put("storage_port", Integer.toString(storagePort));
    yaml.put("native_transport_port", Integer.toString(nativePort));
    yaml.put("start_native_transport", "true");
    yaml.put("data_file_directories", "\n  - " + quoted(workDirectory.resolve("data")));
    yaml.put("commitlog_directory", quoted(workDirectory.resolve("commitlog")));
    yaml.put("saved_caches_directory", quoted(workDirectory.resolve("saved_caches")));
    yaml.put("hints_directory", quoted(workDirectory.resolve("hints")));
    yaml.put("cdc_raw_directory", quoted(workDirectory.resolve("cdc_raw")));
    yaml.put("commitlog_sync", "periodic");
    yaml.put("commitlog_sync_period", "10000ms");
    yaml.put("authenticator", "PasswordAuthenticator");
    yaml.put("authorizer", "AllowAllAuthorizer");
    yaml.put("role_manager", "CassandraRoleManager");
    // No credential caching, so a password change is seen by the very next login.
    yaml.put("credentials_validity", "0ms");
    yaml.put("roles_validity", "0ms");
    // Tests drop and truncate a lot; snapshots would only fill the disk.
    yaml.put("auto_snapshot", "false");
    yaml.put("concurrent_compactors", "1");
    yaml.put(
        "client_encryption_options",
        "\n  enabled: true\n  optional: false\n  keystore: "
            + quoted(tlsDirectory().resolve("keystore.p12"))
            + "\n  keystore_password: "
            + storePassword
            + "\n  store_type: "
            + TestCertificateAuthority.STORE_TYPE
            + "\n  require_client_auth: false");
    yaml.putAll(settings.yamlOverrides);

    StringBuilder text = new StringBuilder("# Written by the cosmos-spark testkit.\n");
    for (Map.Entry<String, String> entry : yaml.entrySet()) {
      text.append(entry.getKey()).append(": ").append(entry.getValue()).append('\n');
    }
    String logback =
        "<configuration>\n"
            + "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
            + "    <encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{0} -"
            + " %msg%n</pattern></encoder>\n"
            + "  </appender>\n"
            + "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>\n"
            + "</configuration>\n";
    try {
      Files.createDirectories(conf);
      Files.createDirectories(workDirectory.resolve("logs"));
      Files.write(conf.resolve("cassandra.yaml"), text.toString().getBytes(StandardCharsets.UTF_8));
      Files.write(conf.resolve("logback.xml"), logback.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CassandraServerException("Could not write the server configuration", e);
    }
  }

  private static String quoted(Path path) {
    return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  private void launch(JavaInstallation java) {
    Path conf = workDirectory.resolve("conf");
    List<String> command = new ArrayList<>();
    command.add(java.executable().toString());
    command.add("-Xms" + settings.heapSize);
    command.add("-Xmx" + settings.heapSize);
    command.add("-XX:+UseG1GC");
    command.add("-XX:+IgnoreUnrecognizedVMOptions");
    command.addAll(JDK_MODULE_OPTIONS);
    command.add("-Djava.net.preferIPv4Stack=true");
    command.add("-D" + PROCESS_MARKER_PROPERTY + "=" + workDirectory);
    command.add("-Dcassandra.config=" + conf.resolve("cassandra.yaml").toUri());
    command.add("-Dlogback.configurationFile=" + conf.resolve("logback.xml").toUri());
    command.add("-Dcassandra.storagedir=" + workDirectory);
    command.add("-Dcassandra.logdir=" + workDirectory.resolve("logs"));
    command.add("-Dcassandra.jmx.local.port=" + jmxPort);
    command.add("-Dcassandra-foreground=yes");
    // A single node has no ring to wait for; these make it come up in seconds, not minutes.
    command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    command.add("-Dcassandra.ring_delay_ms=100");
    command.add("-Dcassandra.superuser_setup_delay_ms=0");
    command.addAll(settings.jvmArguments);
    command.add("-cp");
    command.add(serverClasspath());
    command.add(ParentWatchingLauncher.class.getName());
    command.add("org.apache.cassandra.service.CassandraDaemon");

    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDirectory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new CassandraServerException(
          "Could not start the Cassandra JVM with " + java.executable(), e);
    }
    Process launched = process;
    shutdownHook =
        new Thread(
            () -> {
              launched.destroy();
              try {
                if (!launched.waitFor(30, TimeUnit.SECONDS)) {
                  launched.destroyForcibly();
                }
              } catch (InterruptedException e) {
                launched.destroyForcibly();
              }
            },
            "cassandra-server-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  private String serverClasspath() {
    List<String> entries = new ArrayList<>();
    entries.add(launcherDirectory().toString());
    for (Path jar : distribution.classpath()) {
      entries.add(jar.toAbsolutePath().toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  /**
   * Copies the launcher class, alone, into the working directory. Putting the testkit's own jar on
   * the server's classpath instead would bring whatever else that jar holds, e.g. a test fat jar's
   * Guava and Netty, ahead of Cassandra's.
   */
  private Path launcherDirectory() {
    String resource = ParentWatchingLauncher.class.getName().replace('.', '/') + ".class";
    Path directory = workDirectory.resolve("launcher");
    Path target = directory.resolve(resource);
    try (InputStream in = CassandraServer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new CassandraServerException("The testkit's launcher class is missing: " + resource);
      }
      Files.createDirectories(target.getParent());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new CassandraServerException("Could not copy the launcher class to " + directory, e);
    }
    return directory;
  }

  private void awaitReady(long startedNanos) {
    long deadline = startedNanos + settings.startupTimeout.toNanos();
    RuntimeException lastLoginFailure = null;
    while (true) {
      if (!process.isAlive()) {
        throw new CassandraServerException(
            "Cassandra exited with code " + process.exitValue() + " while starting. " + logTail());
      }
      if (System.nanoTime() > deadline) {
        throw new CassandraServerException(
            "Cassandra did not accept a TLS login on "
                + HOST
                + ":"
                + nativePort
                + " within "
                + settings.startupTimeout.toMillis()
                + " ms (raise startupTimeout on a slow machine)."
                + (lastLoginFailure != null ? " Last login attempt: " + lastLoginFailure : "")
                + " "
                + logTail());
      }
      if (isListening()) {
        try {
          applyPasswordAndCheckLogin();
          return;
        } catch (RuntimeException e) {
          // The port opens before the auth tables exist; logins fail briefly until they do.
          lastLoginFailure = e;
        }
      }
      pause();
    }
  }

  private void applyPasswordAndCheckLogin() {
    if (!passwordApplied) {
      try (CqlSession session = sessionBuilder(USERNAME, DEFAULT_PASSWORD).build()) {
        session.execute(
            SimpleStatement.newInstance(
                "ALTER ROLE " + USERNAME + " WITH PASSWORD = '" + password + "'"));
      } catch (RuntimeException defaultLoginOrChangeFailed) {
        // The change may have been applied with its reply lost; then the new password works.
        try (CqlSession session = sessionBuilder(USERNAME, password).build()) {
          LOG.debug("Password change was applied although its reply was lost");
        } catch (RuntimeException newPasswordFailed) {
          throw defaultLoginOrChangeFailed;
        }
      }
      passwordApplied = true;
      saveState();
    }
    try (CqlSession session = sessionBuilder(USERNAME, password).build()) {
      session.execute("SELECT release_version FROM system.local");
    }
  }

  private boolean isListening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, nativePort), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void pause() {
    try {
      // Polling a child process from the test thread; no driver thread is involved.
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CassandraServerException("Interrupted while waiting for Cassandra to start");
    }
  }

  private void destroy(boolean forcibly) {
    Process running = process;
    process = null;
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down and the hook is running.
      }
      shutdownHook = null;
    }
    if (running == null) {
      return;
    }
    try {
      if (forcibly) {
        running.destroyForcibly();
      } else {
        running.destroy();
        if (!running.waitFor(settings.stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn(
              "Cassandra on port {} did not stop within {} s; killing it",
              nativePort,
              settings.stopTimeout.getSeconds());
          running.destroyForcibly();
        }
      }
      running.waitFor();
    } catch (InterruptedException e) {
      running.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(running);
    }
  }

  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Nothing left to tell the process.
    }
  }

  private String logTail() {
    Path log = logFile();
    if (!Files.isRegularFile(log)) {
      return "The server wrote no log (" + log + ").";
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      int window = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[window];
      file.seek(length - window);
      file.readFully(bytes);
      List<String> lines =
          Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1));
      List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return "Last lines of " + log + ":\n" + String.join("\n", tail);
    } catch (IOException e) {
      return "Could not read the server log " + log + ": " + e;
    }
  }

  private static long elapsedMillis(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", root, e.toString());
    }
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

package io.github.cosmosspark.testkit.junit;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.cassandra.CassandraServerException;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link CassandraServer} for the whole test run (the first test that needs it starts
 * it; JUnit stops it when the run ends) and injects, into test methods, constructors and lifecycle
 * methods:
 *
 * <ul>
 *   <li>{@link CassandraServer} — the shared server;
 *   <li>{@link CqlSession} — a session shared by the run, logged in; do not close it;
 *   <li>{@link TestKeyspace} — in a test method or {@code @BeforeEach}, a keyspace of its own,
 *       created on first use and dropped after the test.
 * </ul>
 *
 * <p>The server's heap can be set with the system property {@value #HEAP_PROPERTY}; the rest of its
 * settings come from {@link CassandraServer.Builder}'s defaults and system properties.
 */
public final class CassandraExtension implements ParameterResolver {

  /** System property: heap of the shared server, default {@code 1G}. */
  public static final String HEAP_PROPERTY = "cosmos.testkit.cassandra.heap";

  private static final Namespace NAMESPACE = Namespace.create(CassandraExtension.class);
  private static final int MAX_KEYSPACE_NAME = 48;
  private static final AtomicInteger KEYSPACE_COUNTER = new AtomicInteger();

  /** The run's shared server, started on first use. */
  public static CassandraServer sharedServer(ExtensionContext context) {
    return shared(context).server();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == CassandraServer.class || type == CqlSession.class || type == TestKeyspace.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == CassandraServer.class) {
      return sharedServer(context);
    }
    if (type == CqlSession.class) {
      return shared(context).session();
    }
    if (!context.getTestMethod().isPresent()) {
      throw new ParameterResolutionException(
          "A TestKeyspace belongs to one test: ask for it in a test method or @BeforeEach, not in"
              + " a constructor or @BeforeAll");
    }
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent("keyspace", key -> createKeyspace(context), OwnedKeyspace.class)
        .keyspace;
  }

  private static SharedServer shared(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent("server", key -> new SharedServer(), SharedServer.class);
  }

  private static OwnedKeyspace createKeyspace(ExtensionContext context) {
    SharedServer shared = shared(context);
    String name = keyspaceName(context);
    CqlSession session = shared.session();
    session.execute(
        "CREATE KEYSPACE "
            + name
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    return new OwnedKeyspace(new TestKeyspace(name, shared.server(), session), shared);
  }

  static String keyspaceName(ExtensionContext context) {
    String className = context.getRequiredTestClass().getSimpleName();
    String method = context.getTestMethod().map(Method::getName).orElse("");
    String suffix = "_" + KEYSPACE_COUNTER.incrementAndGet();
    String base = ("t_" + className + "_" + method).toLowerCase(Locale.ROOT).replaceAll("\\W", "_");
    int room = MAX_KEYSPACE_NAME - suffix.length();
    return (base.length() > room ? base.substring(0, room) : base) + suffix;
  }

  /**
   * The run's server and its admin session. Closing both through JUnit's store at the end of the
   * run is what stops the server; the server's own shutdown hook is the fallback.
   */
  // Both interfaces: JUnit 5.13 and later close AutoCloseable values, older versions only
  // CloseableResource ones. close() is idempotent, so being closed twice is harmless.
  @SuppressWarnings("deprecation")
  static final class SharedServer
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final CassandraServer server;
    // Kept so that every later test fails at once with the cause, instead of waiting for its own
    // start-up timeout.
    private final RuntimeException startFailure;
    private CqlSession session;

    SharedServer() {
      CassandraServer built =
          CassandraServer.builder().heapSize(System.getProperty(HEAP_PROPERTY, "1G")).build();
      RuntimeException failure = null;
      try {
        built.start();
      } catch (RuntimeException e) {
        failure = e;
        built.close();
      }
      this.server = built;
      this.startFailure = failure;
    }

    synchronized CassandraServer server() {
      if (startFailure != null) {
        throw new CassandraServerException(
            "The shared Cassandra server failed to start: " + startFailure.getMessage(),
            startFailure);
      }
      // A test that stopped or killed the shared server must not break every test after it.
      if (!server.isRunning()) {
        server.restart();
      }
      return server;
    }

    synchronized CqlSession session() {
      if (session == null || session.isClosed()) {
        session = server().newSession();
      }
      return session;
    }

    @Override
    public synchronized void close() {
      try {
        if (session != null) {
          session.close();
        }
      } finally {
        server.close();
      }
    }
  }

  /** Drops the keyspace when JUnit closes the test's store, right after the test. */
  @SuppressWarnings("deprecation")
  static final class OwnedKeyspace
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final TestKeyspace keyspace;
    private final SharedServer shared;
    private boolean dropped;

    OwnedKeyspace(TestKeyspace keyspace, SharedServer shared) {
      this.keyspace = keyspace;
      this.shared = shared;
    }

    @Override
    public synchronized void close() {
      if (dropped) {
        return;
      }
      dropped = true;
      if (keyspace.server().isRunning()) {
        shared.session().execute("DROP KEYSPACE IF EXISTS " + keyspace.name());
      }
    }
  }
}

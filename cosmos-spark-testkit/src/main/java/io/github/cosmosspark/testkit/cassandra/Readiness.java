package io.github.cosmosspark.testkit.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a starting server to accept a TLS login, polling its port, and on the very first start
 * of a working directory replaces Cassandra's default password with the directory's random one.
 */
final class Readiness {

  // The facade's logger, so that users' log settings for CassandraServer still cover this.
  private static final Logger LOG = LoggerFactory.getLogger(CassandraServer.class);
  private static final String DEFAULT_PASSWORD = "cassandra";
  private static final long POLL_MILLIS = 200;

  private final ServerProcess process;
  private final ServerState state;
  private final ServerLog log;
  private final Duration startupTimeout;

  Readiness(ServerProcess process, ServerState state, ServerLog log, Duration startupTimeout) {
    this.process = process;
    this.state = state;
    this.log = log;
    this.startupTimeout = startupTimeout;
  }

  /**
   * Returns once a login with the directory's password works.
   *
   * @param startedNanos when the JVM was launched; the timeout counts from there
   * @throws CassandraServerException if the JVM exits or the timeout passes first, with the log's
   *     last lines
   */
  void await(long startedNanos) {
    long deadline = startedNanos + startupTimeout.toNanos();
    RuntimeException lastLoginFailure = null;
    while (true) {
      if (!process.isAlive()) {
        throw new CassandraServerException(
            "Cassandra exited with code " + process.exitValue() + " while starting. " + log.tail());
      }
      if (System.nanoTime() > deadline) {
        throw new CassandraServerException(
            "Cassandra did not accept a TLS login on "
                + CassandraServer.HOST
                + ":"
                + state.nativePort()
                + " within "
                + startupTimeout.toMillis()
                + " ms (raise startupTimeout on a slow machine)."
                + (lastLoginFailure != null ? " Last login attempt: " + lastLoginFailure : "")
                + " "
                + log.tail());
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
    String user = CassandraServer.USERNAME;
    String password = state.password();
    if (!state.passwordApplied()) {
      try (CqlSession session = session(user, DEFAULT_PASSWORD).build()) {
        session.execute(
            SimpleStatement.newInstance(
                "ALTER ROLE " + user + " WITH PASSWORD = '" + password + "'"));
      } catch (RuntimeException defaultLoginOrChangeFailed) {
        // The change may have been applied with its reply lost; then the new password works.
        try (CqlSession session = session(user, password).build()) {
          LOG.debug("Password change was applied although its reply was lost");
        } catch (RuntimeException newPasswordFailed) {
          throw defaultLoginOrChangeFailed;
        }
      }
      state.markPasswordApplied();
    }
    try (CqlSession session = session(user, password).build()) {
      session.execute("SELECT release_version FROM system.local");
    }
  }

  private CqlSessionBuilder session(String user, String secret) {
    return ServerSessions.builder(state.nativePort(), state.clientSslContext(), user, secret);
  }

  private boolean isListening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(CassandraServer.HOST, state.nativePort()), 500);
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
}

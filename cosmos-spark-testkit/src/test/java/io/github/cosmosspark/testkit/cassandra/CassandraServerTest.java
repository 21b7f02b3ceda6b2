package io.github.cosmosspark.testkit.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.ConnectionInitException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import com.datastax.oss.driver.api.core.ssl.SslEngineFactory;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

@CassandraTest
class CassandraServerTest {

  @Test
  void driverLogsInOverTlsAndReadsBackExactlyTheRowsItWrote(TestKeyspace keyspace) {
    CqlSession session = keyspace.session();
    session.execute(
        "CREATE TABLE " + keyspace.qualified("books") + " (id int PRIMARY KEY, title text)");
    PreparedStatement insert =
        session.prepare(
            "INSERT INTO " + keyspace.qualified("books") + " (id, title) VALUES (?, ?)");
    Map<Integer, String> written = new HashMap<>();
    for (int id = 0; id < 500; id++) {
      written.put(id, "title-" + id);
      session.execute(insert.bind(id, "title-" + id));
    }

    Map<Integer, String> read = new HashMap<>();
    List<Row> rows = session.execute("SELECT id, title FROM " + keyspace.qualified("books")).all();
    for (Row row : rows) {
      read.put(row.getInt("id"), row.getString("title"));
    }

    assertEquals(500, rows.size());
    assertEquals(written, read);
  }

  @Test
  void serverRunsTheCassandraVersionTheTestkitNames(CqlSession session, CassandraServer server) {
    String release = session.execute("SELECT release_version FROM system.local").one().getString(0);
    assertEquals(CassandraDistribution.defaultVersion(), release);
    assertEquals(release, server.version());
  }

  @Test
  void plaintextClientsAreRefused(CassandraServer server) {
    Throwable cause = refusal(server, server.username(), server.password(), null);
    // The server drops a connection that does not start with a TLS handshake.
    assertInstanceOf(ConnectionInitException.class, cause);
    assertInstanceOf(ClosedConnectionException.class, cause.getCause());
  }

  @Test
  void wrongPasswordIsRefused(CassandraServer server) {
    Throwable cause =
        refusal(server, server.username(), server.password() + "-wrong", trusting(server));
    assertInstanceOf(AuthenticationException.class, cause);
  }

  @Test
  void defaultPasswordNoLongerWorks(CassandraServer server) {
    Throwable cause = refusal(server, "cassandra", "cassandra", trusting(server));
    assertInstanceOf(AuthenticationException.class, cause);
  }

  @Test
  void clientsThatDoNotTrustTheTestAuthorityAreRefused(CassandraServer server) throws Exception {
    SSLContext systemTrustOnly = SSLContext.getInstance("TLS");
    systemTrustOnly.init(null, null, null);
    Throwable cause =
        refusal(
            server,
            server.username(),
            server.password(),
            new ProgrammaticSslEngineFactory(systemTrustOnly));
    String chain = String.valueOf(cause);
    assertTrue(chain.contains("SSL") || chain.contains("certif"), chain);
  }

  private static SslEngineFactory trusting(CassandraServer server) {
    return new ProgrammaticSslEngineFactory(server.clientSslContext());
  }

  /** Tries to log in and returns why the one node refused. */
  private static Throwable refusal(
      CassandraServer server, String user, String password, SslEngineFactory tls) {
    AllNodesFailedException refused =
        assertThrows(
            AllNodesFailedException.class,
            () ->
                CqlSession.builder()
                    .addContactPoint(server.contactPoint())
                    .withLocalDatacenter(CassandraServer.DATACENTER)
                    .withAuthCredentials(user, password)
                    .withSslEngineFactory(tls)
                    .build()
                    .close());
    return refused.getAllErrors().values().iterator().next().get(0);
  }
}

package io.github.cosmosspark.testkit.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uses a server of its own, since it kills and restarts it. */
class CassandraServerLifecycleTest {

  private static CassandraServer server;

  @BeforeAll
  static void startServer() {
    server = CassandraServer.builder().heapSize("768M").build();
    server.start();
    // Proves the process lookup the other assertions rely on does find a live server.
    assertTrue(ServerProcesses.anyRunningIn(server.workDirectory()));
    try (CqlSession session = server.newSession()) {
      session.execute(
          "CREATE KEYSPACE lifecycle WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
    }
  }

  @AfterAll
  static void closeServer() {
    server.close();
    assertFalse(ServerProcesses.anyRunningIn(server.workDirectory()), "server JVM left behind");
    assertFalse(java.nio.file.Files.exists(server.workDirectory()), "work directory left behind");
  }

  @Test
  void killThenRestartKeepsEveryAcknowledgedRow() {
    Map<Integer, String> written = writeRows("after_kill", 2_000);

    server.kill();
    assertFalse(ServerProcesses.anyRunningIn(server.workDirectory()), "server JVM survived kill()");
    assertFalse(isListening(server.port()), "port still open after kill()");

    server.restart();
    assertEquals(written, readRows("after_kill"));
  }

  @Test
  void stopThenRestartKeepsEveryRowAndTheSameAddressAndPassword() {
    Map<Integer, String> written = writeRows("after_stop", 2_000);
    int port = server.port();
    String password = server.password();

    server.stop();
    assertFalse(ServerProcesses.anyRunningIn(server.workDirectory()), "server JVM survived stop()");
    assertFalse(isListening(port), "port still open after stop()");

    server.restart();
    assertTrue(server.isRunning());
    assertEquals(port, server.port());
    assertEquals(password, server.password());
    assertEquals(written, readRows("after_stop"));
  }

  private static Map<Integer, String> writeRows(String table, int count) {
    Map<Integer, String> written = new HashMap<>();
    try (CqlSession session = server.newSession()) {
      session.execute("CREATE TABLE lifecycle." + table + " (id int PRIMARY KEY, payload text)");
      PreparedStatement insert =
          session.prepare("INSERT INTO lifecycle." + table + " (id, payload) VALUES (?, ?)");
      for (int id = 0; id < count; id++) {
        String payload = "payload-" + id + "-" + table;
        session.execute(insert.bind(id, payload));
        written.put(id, payload);
      }
    }
    return written;
  }

  private static Map<Integer, String> readRows(String table) {
    Map<Integer, String> read = new HashMap<>();
    try (CqlSession session = server.newSession()) {
      for (Row row : session.execute("SELECT id, payload FROM lifecycle." + table)) {
        read.put(row.getInt("id"), row.getString("payload"));
      }
    }
    return read;
  }

  private static boolean isListening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

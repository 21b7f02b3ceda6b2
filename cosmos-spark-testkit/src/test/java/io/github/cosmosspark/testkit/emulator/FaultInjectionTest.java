package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@CassandraTest
class FaultInjectionTest {

  private static final byte[] OPTIONS_V4 = {4, 0, 0, 1, 5, 0, 0, 0, 0};
  private static CosmosEmulator emulator;
  private static CqlSession session;

  @BeforeAll
  static void startEmulator(CassandraServer cassandra) {
    emulator = CosmosEmulator.builder(cassandra).build().start();
    session = connect();
  }

  @AfterAll
  static void stopEmulator() {
    session.close();
    emulator.close();
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
  }

  @Test
  void injectedErrorsAnswerTheNextRequestsWhichAreNotRun(TestKeyspace direct) {
    String table = createTable(direct);
    emulator.failNext(1, Fault.WRITE_TIMEOUT);
    assertThrows(WriteTimeoutException.class, () -> insert(table, 1));
    emulator.failNext(1, Fault.READ_TIMEOUT);
    assertThrows(ReadTimeoutException.class, () -> session.execute("SELECT * FROM " + table));
    emulator.failNext(2, Fault.UNAVAILABLE);
    // Driver 4 tries the next node on Unavailable; with one node, that ends the request.
    AllNodesFailedException unavailable =
        assertThrows(AllNodesFailedException.class, () -> insert(table, 2));
    assertInstanceOf(
        UnavailableException.class, unavailable.getAllErrors().values().iterator().next().get(0));
    emulator.failNext(1, Fault.SERVER_ERROR);
    assertThrows(ServerError.class, () -> insert(table, 3));
    emulator.failNext(2, Fault.OVERLOADED);
    assertThrows(OverloadedException.class, () -> insert(table, 4));
    assertThrows(OverloadedException.class, () -> insert(table, 5));

    insert(table, 6);

    assertEquals(1, direct.session().execute("SELECT * FROM " + table).all().size());
    assertEquals(6, direct.session().execute("SELECT id FROM " + table).one().getInt(0));
  }

  @Test
  void injectedLatencyDelaysRequestsPastTheClientsTimeout(TestKeyspace direct) {
    String table = createTable(direct);
    emulator.injectLatency(Duration.ofMillis(800));
    SimpleStatement slow =
        SimpleStatement.newInstance("SELECT * FROM " + table).setTimeout(Duration.ofMillis(200));
    assertThrows(DriverTimeoutException.class, () -> session.execute(slow));

    long started = System.nanoTime();
    session.execute(slow.setTimeout(Duration.ofSeconds(10)));
    assertTrue((System.nanoTime() - started) / 1_000_000 >= 800, "latency was not applied");
  }

  @Test
  void droppingConnectionsClosesThemAndOthersCanConnectAgain() throws IOException {
    try (SSLSocket socket = rawConnection()) {
      InputStream in = socket.getInputStream();
      socket.getOutputStream().write(OPTIONS_V4);
      byte[] header = new byte[9];
      readFully(in, header);
      assertEquals(6, header[4], "SUPPORTED");
      readFully(
          in,
          new byte
              [((header[5] & 0xff) << 24)
                  | ((header[6] & 0xff) << 16)
                  | ((header[7] & 0xff) << 8)
                  | (header[8] & 0xff)]);

      emulator.dropAllConnections();

      socket.setSoTimeout(10_000);
      assertEquals(-1, in.read(), "the connection is still open");
    }
    try (CqlSession fresh = connect()) {
      assertEquals(1, fresh.execute("SELECT release_version FROM system.local").all().size());
    }
  }

  @Test
  void refusedConnectionsFailWhileTheWindowLasts() {
    emulator.refuseConnections(Duration.ofSeconds(30));
    assertThrows(AllNodesFailedException.class, FaultInjectionTest::connect);
    emulator.clearFaults();
    try (CqlSession fresh = connect()) {
      assertEquals(1, fresh.execute("SELECT release_version FROM system.local").all().size());
    }
  }

  @Test
  void garbageAnUnknownOpcodeAnOversizedFrameOrPlainTextCloseOnlyThatConnection()
      throws IOException {
    byte[] unknownOpcode = {4, 0, 0, 1, 0x7f, 0, 0, 0, 0};
    byte[] oversized = {4, 0, 0, 1, 7, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    byte[] garbage = "this is not a CQL frame at all".getBytes("UTF-8");
    for (byte[] bad : new byte[][] {unknownOpcode, oversized, garbage}) {
      try (SSLSocket socket = rawConnection()) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(bad);
        assertEquals(-1, drain(socket.getInputStream()), "connection not closed");
      }
    }
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(emulator.host(), emulator.port()));
      plain.setSoTimeout(10_000);
      OutputStream out = plain.getOutputStream();
      out.write(OPTIONS_V4);
      assertEquals(-1, drain(plain.getInputStream()), "plain text was served");
    }
    assertEquals(1, session.execute("SELECT release_version FROM system.local").all().size());
  }

  /** Reads until the server closes the connection: -1. A read that times out fails the test. */
  private static int drain(InputStream in) throws IOException {
    byte[] buffer = new byte[4096];
    int read;
    do {
      try {
        read = in.read(buffer);
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("the server kept the connection open", e);
      } catch (IOException reset) {
        return -1;
      }
    } while (read >= 0);
    return read;
  }

  private static void readFully(InputStream in, byte[] into) throws IOException {
    int at = 0;
    while (at < into.length) {
      int read = in.read(into, at, into.length - at);
      if (read < 0) {
        throw new IOException("closed after " + at + " bytes");
      }
      at += read;
    }
  }

  private static SSLSocket rawConnection() throws IOException {
    SSLSocket socket =
        (SSLSocket)
            emulator
                .clientSslContext()
                .getSocketFactory()
                .createSocket(emulator.host(), emulator.port());
    socket.startHandshake();
    return socket;
  }

  private static String createTable(TestKeyspace direct) {
    String table = direct.name() + ".faults";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY) WITH cosmosdb_provisioned_throughput=10000");
    return table;
  }

  private static void insert(String table, int id) {
    session.execute("INSERT INTO " + table + " (id) VALUES (" + id + ")");
  }

  private static CqlSession connect() {
    return emulator.sessionBuilder(emulator.key()).build();
  }
}

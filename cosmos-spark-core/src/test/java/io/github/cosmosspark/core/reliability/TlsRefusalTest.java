package io.github.cosmosspark.core.reliability;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the account is verified by default: a certificate the trust store does not vouch for, or
 * one for another host, ends the connection in the handshake, before a byte of CQL, with a message
 * naming the endpoint and what to set. The two documented ways to weaken it (host name verification
 * off, TLS off) work, and each says so once at WARN. There is no option that trusts every
 * certificate.
 */
@CosmosEmulatorTest
class TlsRefusalTest {
  private static final String KEYSPACE = "reliability_tls";
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static final int ROWS = 200;
  private static final int TESTS = 6;
  private static CqlSession direct;

  private final CosmosEmulator emulator;
  @TempDir Path temp;
  private final List<LogEvent> warnings = new CopyOnWriteArrayList<>();
  private LoggerConfig capturedLogger;
  private String table;

  TlsRefusalTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createTables(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    direct = emulator.newSession();
    for (int table = 1; table <= TESTS; table++) {
      direct.execute(
          "CREATE TABLE IF NOT EXISTS "
              + KEYSPACE
              + ".books_"
              + table
              + " (id int PRIMARY KEY, title text, pages int)"
              + " WITH cosmosdb_provisioned_throughput=100000");
    }
  }

  @AfterAll
  static void closeSession() {
    direct.close();
  }

  @BeforeEach
  void createTableAndCaptureWarnings() {
    table = "books_" + TABLES.incrementAndGet();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    capturedLogger =
        context.getConfiguration().getLoggerConfig(CosmosCassandraConfig.class.getName());
    AbstractAppender capture =
        new AbstractAppender("capture-tls-warnings", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            // The appender sits on the logger's configuration, which may be the root's: warnings
            // of background work in this JVM (another test's token renewals) are not this test's.
            if (event.getLoggerName().startsWith("io.github.cosmosspark.core.")
                && !event.getLoggerName().contains(".session.Entra")) {
              warnings.add(event.toImmutable());
            }
          }
        };
    capture.start();
    capturedLogger.addAppender(capture, Level.WARN, null);
    context.updateLoggers();
  }

  @AfterEach
  void stopCapturing() {
    capturedLogger.removeAppender("capture-tls-warnings");
    ((LoggerContext) LogManager.getContext(false)).updateLoggers();
  }

  @Test
  void aCertificateForThisHostFromACaOutsideTheTrustStoreIsRefusedBeforeAnyRowMoves()
      throws Exception {
    TestCertificateAuthority stranger = TestCertificateAuthority.create("some other CA");
    Path otherTrust = temp.resolve("other-ca.p12");
    stranger.writeTruststore(otherTrust, "changeit".toCharArray());
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    options.put("spark.cosmos.cassandra.tls.truststore.path", otherTrust.toString());
    options.put("spark.cosmos.cassandra.tls.truststore.password", "changeit");
    options.put("spark.cosmos.cassandra.tls.truststore.type", TestCertificateAuthority.STORE_TYPE);

    String failure = writeFailure(options);

    assertRefusedWithAdvice(failure, emulator.port());
    assertTrue(failure.contains("PKIX path"), failure);
    assertNothingReachedTheTable();
  }

  @Test
  void withTheJvmsDefaultTrustStoreThePrivateCaOfTheEndpointIsRefused() {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    options.keySet().removeIf(key -> key.contains("truststore"));

    String failure = writeFailure(options);

    assertRefusedWithAdvice(failure, emulator.port());
    assertTrue(failure.contains("PKIX path"), failure);
    assertNothingReachedTheTable();
  }

  @Test
  void aCertificateForAnotherHostIsRefusedAndTheEndpointReceivesNoBytes() throws Exception {
    try (ForwarderForAnotherHost forwarder = new ForwarderForAnotherHost()) {
      String failure = writeFailure(forwarder.options());

      assertRefusedWithAdvice(failure, forwarder.endpoint.port());
      assertTrue(failure.contains("No subject alternative"), failure);
      assertTrue(
          forwarder.endpoint.handshakesFailedWaitingUpTo(Duration.ofSeconds(10)) >= 1,
          "handshakes refused by the client");
      assertEquals(
          0, forwarder.endpoint.bytesFromClients(), "bytes sent after a refused handshake");
    }
    assertNothingReachedTheTable();
  }

  @Test
  void hostnameVerificationOffAcceptsACertificateForAnotherHostAndWarnsOnce() throws Exception {
    try (ForwarderForAnotherHost forwarder = new ForwarderForAnotherHost()) {
      Map<String, String> options = forwarder.options();
      options.put("tls.hostnameVerification", "false");

      roundTrip(options);

      assertTrue(forwarder.endpoint.bytesFromClients() > 0, "the rows went through the endpoint");
      assertWarnedOnce(
          "spark.cosmos.cassandra.tls.hostnameVerification=false",
          "127.0.0.1:" + forwarder.endpoint.port(),
          "impersonate");
    }
  }

  @Test
  void tlsOffWorksAgainstAPlainTextEndpointAndWarnsOnce() throws Exception {
    try (EmulatorForwarder plain = EmulatorForwarder.plainText(emulator)) {
      Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
      options.keySet().removeIf(key -> key.contains("truststore"));
      options.put("spark.cosmos.cassandra.port", Integer.toString(plain.port()));
      options.put("tls.enabled", "false");

      roundTrip(options);

      assertTrue(plain.bytesFromClients() > 0, "the rows went through the endpoint");
      assertWarnedOnce(
          "spark.cosmos.cassandra.tls.enabled=false", "127.0.0.1:" + plain.port(), "plain text");
    }
  }

  @Test
  void noOptionTurnsCertificateChecksOff() {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    options.put("spark.cosmos.cassandra.tls.trustAll", "true");

    String failure = writeFailure(options);

    assertTrue(failure.contains("Unknown option 'spark.cosmos.cassandra.tls.trustAll'"), failure);
    assertNothingReachedTheTable();
  }

  /** An endpoint presenting a certificate for db.elsewhere.example, and a trust store for it. */
  private final class ForwarderForAnotherHost implements AutoCloseable {
    final EmulatorForwarder endpoint;
    final Path truststore;

    ForwarderForAnotherHost() throws Exception {
      TestCertificateAuthority ca = TestCertificateAuthority.create("forwarder CA");
      IssuedCertificate elsewhere =
          ca.issueServerCertificate(
              "db.elsewhere.example",
              Collections.singletonList("db.elsewhere.example"),
              Collections.<String>emptyList());
      truststore = temp.resolve("forwarder-ca.p12");
      ca.writeTruststore(truststore, "changeit".toCharArray());
      endpoint = EmulatorForwarder.presenting(elsewhere, emulator);
    }

    Map<String, String> options() {
      Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
      options.put("spark.cosmos.cassandra.port", Integer.toString(endpoint.port()));
      options.put("spark.cosmos.cassandra.tls.truststore.path", truststore.toString());
      options.put("spark.cosmos.cassandra.tls.truststore.password", "changeit");
      options.put(
          "spark.cosmos.cassandra.tls.truststore.type", TestCertificateAuthority.STORE_TYPE);
      return options;
    }

    @Override
    public void close() throws Exception {
      endpoint.close();
    }
  }

  /** Writes the books, reads them back twice, and compares them by key. */
  private void roundTrip(Map<String, String> options) {
    Dataset<Row> books = EmulatorBooks.books(LocalSpark.session(), 0, ROWS);
    books.write().format("cosmoscassandra").options(options).mode("append").save();
    for (int read = 0; read < 2; read++) {
      assertSameRowsByKey(
          books,
          LocalSpark.session().read().format("cosmoscassandra").options(options).load(),
          "id");
    }
  }

  private String writeFailure(Map<String, String> options) {
    options.put("spark.cassandra.connection.timeoutMS", "3000");
    Dataset<Row> books = EmulatorBooks.books(LocalSpark.session(), 0, ROWS);
    Throwable error =
        assertThrows(
            Throwable.class,
            () -> books.write().format("cosmoscassandra").options(options).mode("append").save());
    StringBuilder chain = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      chain.append(t).append(" | ");
    }
    return chain + Arrays.toString(error.getSuppressed());
  }

  private static void assertRefusedWithAdvice(String failure, int port) {
    assertTrue(failure.contains("The TLS handshake with account 'localcosmos'"), failure);
    assertTrue(failure.contains("127.0.0.1:" + port), failure);
    assertTrue(failure.contains("spark.cosmos.cassandra.tls.truststore.path"), failure);
    assertTrue(failure.contains("spark.cosmos.cassandra.host"), failure);
  }

  private void assertNothingReachedTheTable() {
    long requests =
        emulator.statistics(KEYSPACE + "." + table).map(TableStatistics::requests).orElse(0L);
    assertEquals(0, requests, "requests the emulator served on the table");
    assertEquals(
        0, direct.execute("SELECT COUNT(*) FROM " + KEYSPACE + "." + table).one().getLong(0));
  }

  private void assertWarnedOnce(String option, String endpoint, String risk) {
    List<LogEvent> aboutIt =
        warnings.stream()
            .filter(event -> event.getMessage().getFormattedMessage().contains(option))
            .filter(event -> event.getMessage().getFormattedMessage().contains(endpoint))
            .collect(Collectors.toList());
    assertEquals(1, aboutIt.size(), "warnings: " + messages());
    assertEquals(Level.WARN, aboutIt.get(0).getLevel());
    String message = aboutIt.get(0).getMessage().getFormattedMessage();
    assertTrue(message.contains(risk), message);
    assertFalse(message.contains(emulator.key()), "the key in a warning");
  }

  private List<String> messages() {
    return warnings.stream()
        .map(event -> event.getMessage().getFormattedMessage())
        .collect(Collectors.toList());
  }
}

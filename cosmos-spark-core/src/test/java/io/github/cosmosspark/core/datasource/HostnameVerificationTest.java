package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS endpoint whose certificate is valid, from a trusted CA, but for another host: the format
 * must refuse it unless host name verification is turned off. The endpoint is a bare TLS socket,
 * which is enough: the check happens in the handshake, before any CQL.
 */
class HostnameVerificationTest {

  @TempDir Path temp;
  private SSLServerSocket server;
  private final AtomicBoolean handshakeCompleted = new AtomicBoolean();
  private Path truststore;

  @BeforeEach
  void startEndpointWithCertificateForAnotherHost() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create("verification test CA");
    IssuedCertificate elsewhere =
        ca.issueServerCertificate(
            "db.elsewhere.example",
            Collections.singletonList("db.elsewhere.example"),
            Collections.<String>emptyList());
    truststore = temp.resolve("trust.p12");
    ca.writeTruststore(truststore, "changeit".toCharArray());

    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(elsewhere.keystore("server", "pw".toCharArray()), "pw".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    server =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                  socket.startHandshake();
                  handshakeCompleted.set(true);
                } catch (IOException e) {
                  // A client that rejects the certificate ends the handshake; wait for the next.
                }
              }
            },
            "tls-endpoint");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stopEndpoint() throws IOException {
    server.close();
  }

  @Test
  void aCertificateForAnotherHostIsRefusedByDefault() {
    String failure = readFailure(false);
    assertTrue(failure.contains("127.0.0.1:" + server.getLocalPort()), failure);
    assertTrue(failure.contains("The TLS handshake with account 'acct'"), failure);
    // Matched on the JDK's words: "No subject alternative DNS name matching localhost" or
    // "No subject alternative names matching IP address", depending on name resolution.
    assertTrue(failure.contains("No subject alternative"), failure);
    assertFalse(handshakeCompleted.get(), "the client completed a handshake it should refuse");
  }

  @Test
  void turningVerificationOffAcceptsTheCertificate() {
    String failure = readFailure(true);
    assertTrue(handshakeCompleted.get(), "handshake was not completed: " + failure);
    assertFalse(failure.contains("No subject alternative names"), failure);
  }

  @Test
  void thePlainConnectorFormatWithOurFactoryAlsoRefusesIt() {
    Throwable error =
        assertThrows(
            Throwable.class,
            () ->
                LocalSpark.session()
                    .read()
                    .format("org.apache.spark.sql.cassandra")
                    .option(
                        "spark.cassandra.connection.factory",
                        CosmosConnectionFactory.class.getName())
                    .option("spark.cassandra.connection.host", "127.0.0.1")
                    .option(
                        "spark.cassandra.connection.port", Integer.toString(server.getLocalPort()))
                    .option("spark.cassandra.connection.ssl.enabled", "true")
                    .option("spark.cassandra.connection.ssl.trustStore.path", truststore.toString())
                    .option("spark.cassandra.connection.ssl.trustStore.password", "changeit")
                    .option("spark.cassandra.auth.username", "acct")
                    .option("spark.cassandra.auth.password", "not-a-real-key")
                    .option("spark.cassandra.connection.timeoutMS", "3000")
                    .option("keyspace", "ks")
                    .option("table", "t")
                    .load());
    String chain = chain(error);
    assertTrue(chain.contains("No subject alternative"), chain);
    assertFalse(handshakeCompleted.get(), "the client completed a handshake it should refuse");
  }

  private String readFailure(boolean turnVerificationOff) {
    Throwable error =
        assertThrows(
            Throwable.class,
            () ->
                LocalSpark.session()
                    .read()
                    .format("cosmoscassandra")
                    .option("account", "acct")
                    .option("password", "not-a-real-key")
                    .option("host", "127.0.0.1")
                    .option("port", Integer.toString(server.getLocalPort()))
                    .option("tls.truststore.path", truststore.toString())
                    .option("tls.truststore.password", "changeit")
                    .option("tls.truststore.type", "PKCS12")
                    .option("tls.hostnameVerification", Boolean.toString(!turnVerificationOff))
                    .option("spark.cassandra.connection.timeoutMS", "3000")
                    .option("keyspace", "ks")
                    .option("table", "t")
                    .load());
    return chain(error);
  }

  private static String chain(Throwable error) {
    StringBuilder chain = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      chain.append(t).append(" | ");
    }
    return chain.toString() + Arrays.toString(error.getSuppressed());
  }
}

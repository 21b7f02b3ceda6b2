package io.github.cosmosspark.testkit.emulator;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The emulator's TLS, both ways: a certificate of its own for clients, from a new CA whose trust
 * store it writes for them, and trust in the Cassandra behind it for its backend connections.
 */
final class EmulatorTls {

  private final SSLContext clientSslContext;
  private final SslContext serverTls;
  private final SslContext backendTls;

  private EmulatorTls(SSLContext clientSslContext, SslContext serverTls, SslContext backendTls) {
    this.clientSslContext = clientSslContext;
    this.serverTls = serverTls;
    this.backendTls = backendTls;
  }

  /**
   * Makes a CA and a certificate for {@code host}, and writes the CA's trust store.
   *
   * @throws IllegalStateException if any of it fails
   */
  static EmulatorTls create(
      String host, Path truststore, String storePassword, CassandraServer backend) {
    try {
      TestCertificateAuthority ca = TestCertificateAuthority.create("cosmos-spark emulator CA");
      IssuedCertificate certificate =
          ca.issueServerCertificate(
              "localhost", Collections.singletonList("localhost"), Arrays.asList(host, "::1"));
      ca.writeTruststore(truststore, storePassword.toCharArray());
      SSLContext clientSslContext = ca.clientSslContext();
      SslContext serverTls =
          SslContextBuilder.forServer(
                  certificate.privateKey(), certificate.chain().toArray(new X509Certificate[0]))
              .protocols("TLSv1.3", "TLSv1.2")
              .build();
      SslContext backendTls = SslContextBuilder.forClient().trustManager(trust(backend)).build();
      return new EmulatorTls(clientSslContext, serverTls, backendTls);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Could not set up the emulator's TLS", e);
    }
  }

  /** What clients use to trust the emulator's certificate. */
  SSLContext clientSslContext() {
    return clientSslContext;
  }

  /** For client connections to the emulator. */
  SslContext serverTls() {
    return serverTls;
  }

  /** For the emulator's connections to Cassandra. */
  SslContext backendTls() {
    return backendTls;
  }

  private static TrustManagerFactory trust(CassandraServer backend)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(backend.truststorePath())) {
      KeyStore store = KeyStore.getInstance(backend.truststoreType());
      store.load(in, backend.truststorePassword().toCharArray());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      return trust;
    }
  }
}

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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The emulator's TLS, both ways: a certificate of its own for each region's endpoint, all from one
 * new CA whose trust store it writes for clients, and trust in the Cassandra behind it for its
 * backend connections.
 */
final class EmulatorTls {

  private final SSLContext clientSslContext;
  private final List<SslContext> serverTls;
  private final SslContext backendTls;

  /** The names one endpoint's certificate is issued for. */
  static final class Names {
    final String commonName;
    final List<String> hostNames;
    final List<String> ipAddresses;

    Names(String commonName, List<String> hostNames, List<String> ipAddresses) {
      this.commonName = commonName;
      this.hostNames = hostNames;
      this.ipAddresses = ipAddresses;
    }
  }

  private EmulatorTls(
      SSLContext clientSslContext, List<SslContext> serverTls, SslContext backendTls) {
    this.clientSslContext = clientSslContext;
    this.serverTls = serverTls;
    this.backendTls = backendTls;
  }

  /**
   * Makes a CA and a certificate for each endpoint, and writes the CA's trust store.
   *
   * @param endpoints the names of each endpoint's certificate, in the order of {@link
   *     #serverTls(int)}
   * @throws IllegalStateException if any of it fails
   */
  static EmulatorTls create(
      List<Names> endpoints, Path truststore, String storePassword, CassandraServer backend) {
    try {
      TestCertificateAuthority ca = TestCertificateAuthority.create("cosmos-spark emulator CA");
      List<SslContext> serverTls = new ArrayList<>();
      for (Names names : endpoints) {
        IssuedCertificate certificate =
            ca.issueServerCertificate(names.commonName, names.hostNames, names.ipAddresses);
        serverTls.add(
            SslContextBuilder.forServer(
                    certificate.privateKey(), certificate.chain().toArray(new X509Certificate[0]))
                .protocols("TLSv1.3", "TLSv1.2")
                .build());
      }
      ca.writeTruststore(truststore, storePassword.toCharArray());
      SSLContext clientSslContext = ca.clientSslContext();
      SslContext backendTls = SslContextBuilder.forClient().trustManager(trust(backend)).build();
      return new EmulatorTls(clientSslContext, Collections.unmodifiableList(serverTls), backendTls);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Could not set up the emulator's TLS", e);
    }
  }

  /** What clients use to trust the emulator's certificate. */
  SSLContext clientSslContext() {
    return clientSslContext;
  }

  /** For client connections to endpoint {@code index} (a region's, in the account's order). */
  SslContext serverTls(int index) {
    return serverTls.get(index);
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

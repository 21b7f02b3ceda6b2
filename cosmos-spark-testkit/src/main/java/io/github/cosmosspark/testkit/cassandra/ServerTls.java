package io.github.cosmosspark.testkit.cassandra;

import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Collections;
import javax.net.ssl.SSLContext;

/**
 * The server's TLS material: a key store for Cassandra and a trust store for its clients, made once
 * per working directory so that clients configured earlier keep trusting a restarted server.
 */
final class ServerTls {

  private ServerTls() {}

  /**
   * Writes the key and trust stores if either is missing, and returns a client context trusting the
   * server.
   *
   * @throws IOException if the stores cannot be written
   */
  static SSLContext ensureMaterial(ServerDirectory directory, String storePassword)
      throws IOException {
    Path keystore = directory.keystore();
    Path truststore = directory.truststore();
    if (!Files.isRegularFile(keystore) || !Files.isRegularFile(truststore)) {
      TestCertificateAuthority certificateAuthority =
          TestCertificateAuthority.create("cosmos-spark testkit CA");
      certificateAuthority
          .issueServerCertificate(
              "localhost",
              Collections.singletonList("localhost"),
              Arrays.asList(CassandraServer.HOST, "::1"))
          .writeKeystore(keystore, "cassandra", storePassword.toCharArray());
      certificateAuthority.writeTruststore(truststore, storePassword.toCharArray());
    }
    return clientSslContext(truststore, storePassword);
  }

  private static SSLContext clientSslContext(Path truststore, String storePassword) {
    try (InputStream in = Files.newInputStream(truststore)) {
      KeyStore store = KeyStore.getInstance(TestCertificateAuthority.STORE_TYPE);
      store.load(in, storePassword.toCharArray());
      return TestCertificateAuthority.sslContextTrusting(store);
    } catch (Exception e) {
      throw new CassandraServerException("Could not load trust store " + truststore, e);
    }
  }
}

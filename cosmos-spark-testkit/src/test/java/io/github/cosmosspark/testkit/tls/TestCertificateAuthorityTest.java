package io.github.cosmosspark.testkit.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCertificateAuthorityTest {

  @TempDir Path temp;

  @Test
  void issuedCertificateIsSignedByTheAuthorityAndNamesExactlyTheGivenHosts() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create("unit CA");
    IssuedCertificate issued =
        ca.issueServerCertificate(
            "db.example", Arrays.asList("db.example", "localhost"), Arrays.asList("127.0.0.1"));

    X509Certificate server = issued.certificate();
    server.verify(ca.certificate().getPublicKey());
    server.checkValidity();
    assertEquals(-1, server.getBasicConstraints());
    assertEquals(0, ca.certificate().getBasicConstraints());
    assertEquals(
        new HashSet<>(Arrays.asList("db.example", "localhost", "127.0.0.1")),
        subjectAlternativeNames(server));
    assertEquals(Arrays.asList(server, ca.certificate()), issued.chain());
  }

  @Test
  void certificateFromAnotherAuthorityDoesNotVerify() {
    TestCertificateAuthority trusted = TestCertificateAuthority.create("trusted");
    TestCertificateAuthority other = TestCertificateAuthority.create("other");
    X509Certificate foreign =
        other
            .issueServerCertificate("x", Arrays.asList("localhost"), Arrays.<String>asList())
            .certificate();
    assertThrows(
        SignatureException.class, () -> foreign.verify(trusted.certificate().getPublicKey()));
  }

  @Test
  void storesRoundTripThroughPkcs12Files() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create("unit CA");
    IssuedCertificate issued =
        ca.issueServerCertificate("s", Arrays.asList("localhost"), Arrays.<String>asList());
    char[] password = "secret".toCharArray();
    issued.writeKeystore(temp.resolve("k.p12"), "server", password);
    ca.writeTruststore(temp.resolve("t.p12"), password);

    KeyStore keystore = KeyStore.getInstance("PKCS12");
    keystore.load(java.nio.file.Files.newInputStream(temp.resolve("k.p12")), password);
    assertEquals(issued.privateKey(), keystore.getKey("server", password));
    KeyStore truststore = KeyStore.getInstance("PKCS12");
    truststore.load(java.nio.file.Files.newInputStream(temp.resolve("t.p12")), password);
    assertEquals(ca.certificate(), truststore.getCertificate("ca"));
  }

  @Test
  void aServerCertificateNeedsAName() {
    TestCertificateAuthority ca = TestCertificateAuthority.create("unit CA");
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> ca.issueServerCertificate("s", Arrays.<String>asList(), Arrays.<String>asList()));
    assertTrue(error.getMessage().contains("host name or IP"), error.getMessage());
  }

  private static Set<String> subjectAlternativeNames(X509Certificate certificate) throws Exception {
    Set<String> names = new HashSet<>();
    Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
    for (List<?> entry : entries) {
      names.add(String.valueOf(entry.get(1)));
    }
    return names;
  }
}

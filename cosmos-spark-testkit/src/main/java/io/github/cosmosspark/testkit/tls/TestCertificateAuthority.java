package io.github.cosmosspark.testkit.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority that lives for one test run. It signs server certificates for the names a
 * test server answers on, and gives clients a trust store that trusts exactly this authority.
 *
 * <p>Keys are RSA 2048 and signatures SHA-256, as public CAs issue them, so clients negotiate the
 * same cipher suites they would against a real service.
 */
public final class TestCertificateAuthority {

  /**
   * The type of every key and trust store this class writes. Stores written on JDK 17 use PBES2
   * protection, which JDK 8u301+ and 11.0.12+ read; older updates cannot.
   */
  public static final String STORE_TYPE = "PKCS12";

  private static final String SIGNATURE_ALGORITHM = "SHA256withRSA";
  private static final long ONE_DAY_MILLIS = TimeUnit.DAYS.toMillis(1);
  private static final int VALIDITY_DAYS = 365;

  private final SecureRandom random = new SecureRandom();
  private final String commonName;
  private final KeyPair keyPair;
  private final X509Certificate certificate;

  private TestCertificateAuthority(String commonName) {
    this.commonName = commonName;
    this.keyPair = newRsaKeyPair();
    X500Name subject = new X500Name("CN=" + commonName);
    try {
      X509v3CertificateBuilder builder = newBuilder(subject, subject, keyPair);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
      this.certificate = sign(builder);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("Could not create test certificate authority", e);
    }
  }

  /**
   * Creates a new authority with a fresh key.
   *
   * @param commonName the CN of the authority's certificate, shown in TLS errors
   */
  public static TestCertificateAuthority create(String commonName) {
    return new TestCertificateAuthority(commonName);
  }

  /** The authority's self-signed certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CN the authority was created with. */
  public String commonName() {
    return commonName;
  }

  /**
   * Issues a server certificate whose subject alternative names are exactly the given host names
   * and IP addresses, so a client that verifies host names accepts it only for those.
   *
   * @param commonName the certificate's CN
   * @param hostNames DNS names, may be empty
   * @param ipAddresses IP address literals, may be empty
   */
  public IssuedCertificate issueServerCertificate(
      String commonName, List<String> hostNames, List<String> ipAddresses) {
    if (hostNames.isEmpty() && ipAddresses.isEmpty()) {
      throw new IllegalArgumentException(
          "A server certificate needs at least one host name or IP address");
    }
    KeyPair serverKeys = newRsaKeyPair();
    try {
      X509v3CertificateBuilder builder =
          newBuilder(
              X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
              new X500Name("CN=" + commonName),
              serverKeys);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      List<GeneralName> names = new ArrayList<>();
      for (String host : hostNames) {
        names.add(new GeneralName(GeneralName.dNSName, host));
      }
      for (String ip : ipAddresses) {
        names.add(new GeneralName(GeneralName.iPAddress, ip));
      }
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(new GeneralName[0])));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(certificate));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(serverKeys.getPublic()));
      X509Certificate serverCertificate = sign(builder);
      return new IssuedCertificate(
          serverKeys.getPrivate(), Arrays.asList(serverCertificate, certificate));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException(
          "Could not issue a server certificate for " + hostNames + " " + ipAddresses, e);
    }
  }

  /** A trust store holding only this authority's certificate. */
  public KeyStore truststore() {
    try {
      KeyStore store = KeyStore.getInstance(STORE_TYPE);
      store.load(null, null);
      store.setCertificateEntry("ca", certificate);
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Could not build trust store", e);
    }
  }

  /** Writes {@link #truststore()} to {@code path} as PKCS12, protected by {@code password}. */
  public void writeTruststore(Path path, char[] password) throws IOException {
    writeStore(truststore(), path, password);
  }

  /** A client TLS context that trusts only this authority. */
  public SSLContext clientSslContext() {
    return sslContextTrusting(truststore());
  }

  /** A client TLS context that trusts exactly the certificates in {@code truststore}. */
  public static SSLContext sslContextTrusting(KeyStore truststore) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(truststore);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Could not build client TLS context", e);
    }
  }

  static void writeStore(KeyStore store, Path path, char[] password) throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(path)) {
      store.store(out, password);
    } catch (GeneralSecurityException e) {
      throw new IOException("Could not write key store " + path, e);
    }
  }

  private X509v3CertificateBuilder newBuilder(
      X500Name issuer, X500Name subject, KeyPair subjectKeys) {
    // Back-dated a day so a client whose clock is slightly behind still accepts the certificate.
    long now = System.currentTimeMillis();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, random).add(BigInteger.ONE),
        new Date(now - ONE_DAY_MILLIS),
        new Date(now + VALIDITY_DAYS * ONE_DAY_MILLIS),
        subject,
        subjectKeys.getPublic());
  }

  private X509Certificate sign(X509v3CertificateBuilder builder) throws GeneralSecurityException {
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(keyPair.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("Could not sign certificate", e);
    }
  }

  private KeyPair newRsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA is not available in this JVM", e);
    }
  }
}

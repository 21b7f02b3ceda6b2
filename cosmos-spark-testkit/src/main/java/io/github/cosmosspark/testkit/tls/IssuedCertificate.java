package io.github.cosmosspark.testkit.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;

/** A server's private key with its certificate chain (server certificate first, then the CA). */
public final class IssuedCertificate {

  private final PrivateKey privateKey;
  private final List<X509Certificate> chain;

  IssuedCertificate(PrivateKey privateKey, List<X509Certificate> chain) {
    this.privateKey = privateKey;
    this.chain = Collections.unmodifiableList(chain);
  }

  /** The server certificate, the first of the chain. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** The private key matching {@link #certificate()}. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The chain a server presents: server certificate, then the issuing CA. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /**
   * A PKCS12 key store holding the key and chain under {@code alias}. The key is protected by the
   * store password, as Cassandra and Netty expect.
   */
  public KeyStore keystore(String alias, char[] password) {
    try {
      KeyStore store = KeyStore.getInstance(TestCertificateAuthority.STORE_TYPE);
      store.load(null, null);
      store.setKeyEntry(alias, privateKey, password, chain.toArray(new Certificate[0]));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Could not build key store", e);
    }
  }

  /** Writes {@link #keystore(String, char[])} to {@code path}. */
  public void writeKeystore(Path path, String alias, char[] password) throws IOException {
    TestCertificateAuthority.writeStore(keystore(alias, password), path, password);
  }
}

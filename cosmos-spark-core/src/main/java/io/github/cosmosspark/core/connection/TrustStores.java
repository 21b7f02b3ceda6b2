package io.github.cosmosspark.core.connection;

import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.UnrecoverableKeyException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS contexts for Cosmos connections, with errors that name the trust store option. */
public final class TrustStores {

  private TrustStores() {}

  /**
   * A client TLS context trusting the configured trust store, or the JVM's default trust (which
   * holds the public CAs Azure's certificates chain to) when none is configured.
   *
   * @throws CosmosConfigException when the trust store is missing, unreadable or locked with
   *     another password
   */
  public static SSLContext sslContext(CosmosCassandraConfig config) {
    if (config.truststorePath() == null) {
      try {
        return SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("This JVM has no default TLS context", e);
      }
    }
    KeyStore store = load(config);
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new CosmosConfigException(
          "Could not build a TLS context from the trust store '"
              + config.truststorePath()
              + "' ("
              + CosmosOptions.TRUSTSTORE_PATH.key()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  /** Loads the configured trust store, failing with a message that says what to fix. */
  public static KeyStore load(CosmosCassandraConfig config) {
    String path = config.truststorePath();
    try (InputStream in = Files.newInputStream(Paths.get(path))) {
      KeyStore store = KeyStore.getInstance(config.truststoreType());
      char[] password =
          config.truststorePassword() == null ? null : config.truststorePassword().toCharArray();
      store.load(in, password);
      return store;
    } catch (NoSuchFileException | FileNotFoundException e) {
      throw new CosmosConfigException(
          "The trust store '"
              + path
              + "' ("
              + CosmosOptions.TRUSTSTORE_PATH.key()
              + ") does not exist on this machine. Every executor needs it at that path; on"
              + " Databricks, use a /dbfs/ or workspace path.");
    } catch (IOException e) {
      boolean wrongPassword = e.getCause() instanceof UnrecoverableKeyException;
      throw new CosmosConfigException(
          "Could not read the trust store '"
              + path
              + "' as "
              + config.truststoreType()
              + (wrongPassword
                  ? ": the password is wrong. Check " + CosmosOptions.TRUSTSTORE_PASSWORD.key()
                  : ": " + e.getMessage() + ". Check " + CosmosOptions.TRUSTSTORE_TYPE.key())
              + ".");
    } catch (GeneralSecurityException e) {
      throw new CosmosConfigException(
          "Could not read the trust store '"
              + path
              + "': "
              + e.getMessage()
              + ". Check "
              + CosmosOptions.TRUSTSTORE_TYPE.key()
              + ".");
    }
  }
}

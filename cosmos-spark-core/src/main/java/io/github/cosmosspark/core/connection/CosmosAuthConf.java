package io.github.cosmosspark.core.connection;

import com.datastax.oss.driver.api.core.auth.AuthProvider;
import com.datastax.oss.driver.api.core.auth.ProgrammaticPlainTextAuthProvider;
import com.datastax.spark.connector.cql.AuthConf;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.EntraSettings;
import io.github.cosmosspark.core.session.EntraAuthProvider;
import io.github.cosmosspark.core.session.EntraTokenSource;
import scala.Option;

/**
 * The connector's authentication configuration for Cosmos, carrying the resolved connection
 * settings ({@link CosmosCassandraConfig#forConnection()}). SCC serializes it to executors inside
 * its connection configuration, which is how per-read settings reach {@link
 * CosmosConnectionFactory}, a singleton SCC creates by class name. Equality follows the
 * configuration, so SCC keeps one session per distinct account and endpoint. A job's throughput
 * budget does not travel here: tasks register it where they start.
 */
public final class CosmosAuthConf implements AuthConf {
  private static final long serialVersionUID = 2L;

  private final CosmosCassandraConfig config;

  public CosmosAuthConf(CosmosCassandraConfig config) {
    this.config = config;
  }

  /** The resolved configuration this session is for. */
  public CosmosCassandraConfig config() {
    return config;
  }

  /**
   * The account key's login, or with {@code auth.type=entra} one that sends this JVM's current
   * Microsoft Entra ID token; getting the first token here fails the plan or task, naming the
   * identity, when Entra refuses it.
   */
  @Override
  public Option<AuthProvider> authProvider() {
    EntraSettings entra = config.entra();
    if (entra == null) {
      return Option.apply(
          new ProgrammaticPlainTextAuthProvider(config.account(), config.password()));
    }
    EntraTokenSource tokens =
        EntraTokenSource.forSettings(
            entra, config.truststorePath(), () -> TrustStores.load(config));
    return Option.apply(new EntraAuthProvider(config.account(), tokens));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CosmosAuthConf && config.equals(((CosmosAuthConf) other).config);
  }

  @Override
  public int hashCode() {
    return config.hashCode();
  }

  @Override
  public String toString() {
    return "CosmosAuthConf{" + config + "}";
  }
}

package io.github.cosmosspark.core.connection;

import com.datastax.oss.driver.api.core.auth.AuthProvider;
import com.datastax.oss.driver.api.core.auth.ProgrammaticPlainTextAuthProvider;
import com.datastax.spark.connector.cql.AuthConf;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
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

  @Override
  public Option<AuthProvider> authProvider() {
    return Option.apply(new ProgrammaticPlainTextAuthProvider(config.account(), config.password()));
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

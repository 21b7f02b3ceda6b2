package io.github.cosmosspark.core.connection;

import com.datastax.oss.driver.api.core.auth.AuthProvider;
import com.datastax.oss.driver.api.core.auth.ProgrammaticPlainTextAuthProvider;
import com.datastax.spark.connector.cql.AuthConf;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.throughput.TableBudget;
import io.github.cosmosspark.core.throughput.Throttles;
import java.io.IOException;
import java.io.ObjectInputStream;
import scala.Option;

/**
 * The connector's authentication configuration for Cosmos, carrying the whole resolved {@link
 * CosmosCassandraConfig}. SCC serializes it to executors inside its connection configuration, which
 * is how per-read settings reach {@link CosmosConnectionFactory}, a singleton SCC creates by class
 * name. Equality follows the configuration, so SCC keeps one session per distinct account and
 * endpoint.
 */
public final class CosmosAuthConf implements AuthConf {
  private static final long serialVersionUID = 1L;

  private final CosmosCassandraConfig config;

  /**
   * The executor's share of the job's budget for the table read or written, or null. Not part of
   * equality: every table of an account shares one session. Deserializing this object on an
   * executor, as every task does, is what hands the budget to that executor's admission.
   */
  private final TableBudget budget;

  public CosmosAuthConf(CosmosCassandraConfig config) {
    this(config, null);
  }

  public CosmosAuthConf(CosmosCassandraConfig config, TableBudget budget) {
    this.config = config;
    this.budget = budget;
    registerBudget();
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    registerBudget();
  }

  private void registerBudget() {
    if (budget != null) {
      Throttles.register(budget);
    }
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

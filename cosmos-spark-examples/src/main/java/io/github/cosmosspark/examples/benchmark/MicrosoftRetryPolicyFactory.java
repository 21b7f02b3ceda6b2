package io.github.cosmosspark.examples.benchmark;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.spark.connector.cql.AuthConf;
import com.datastax.spark.connector.cql.CassandraConnectionFactory;
import com.datastax.spark.connector.cql.CassandraConnectorConf;
import com.datastax.spark.connector.cql.DefaultConnectionFactory;
import com.datastax.spark.connector.cql.IpBasedContactInfo;
import com.datastax.spark.connector.cql.MultiplexingSchemaListener;

/**
 * The peer: plain SCC's own session, with the retry policy of Microsoft's driver-4 extensions
 * ({@code com.azure:azure-cosmos-cassandra-driver-4-extensions:1.1.2}) configured with the values
 * its reference configuration documents. SCC has no setting for a retry policy class, so a user
 * plugs it in with a connection factory like this one.
 */
public final class MicrosoftRetryPolicyFactory implements CassandraConnectionFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public CqlSession createSession(CassandraConnectorConf conf) {
    ProgrammaticDriverConfigLoaderBuilder settings =
        DefaultConnectionFactory.connectorConfigBuilder(
            conf, DriverConfigLoader.programmaticBuilder());
    settings
        .withString(
            DefaultDriverOption.RETRY_POLICY_CLASS, "com.azure.cosmos.cassandra.CosmosRetryPolicy")
        .withInt(option("advanced.retry-policy.max-retries"), 5)
        .withInt(option("advanced.retry-policy.fixed-backoff-time"), 5000)
        .withInt(option("advanced.retry-policy.growing-backoff-time"), 1000)
        .withBoolean(option("advanced.retry-policy.read-timeout-retries"), true)
        .withBoolean(option("advanced.retry-policy.write-timeout-retries"), true);
    CqlSessionBuilder builder = CqlSession.builder().withConfigLoader(settings.build());
    AuthConf auth = ((IpBasedContactInfo) conf.contactInfo()).authConf();
    if (auth.authProvider().isDefined()) {
      builder = builder.withAuthProvider(auth.authProvider().get());
    }
    return builder.withSchemaChangeListener(new MultiplexingSchemaListener()).build();
  }

  private static com.datastax.oss.driver.api.core.config.DriverOption option(String path) {
    return () -> path;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MicrosoftRetryPolicyFactory;
  }

  @Override
  public int hashCode() {
    return MicrosoftRetryPolicyFactory.class.hashCode();
  }
}

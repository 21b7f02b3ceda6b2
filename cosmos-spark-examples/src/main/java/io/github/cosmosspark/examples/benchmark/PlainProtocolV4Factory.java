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
import org.apache.spark.SparkEnv;

/**
 * Plain SCC's session (SCC's {@code DefaultConnectionFactory}: its driver settings, its application
 * name) with the native protocol pinned to v4, as cosmos-spark pins it for Cosmos. SCC has no
 * setting for the protocol version; against Cassandra 5 its driver would negotiate v5, whose
 * framing costs differ, and the unthrottled comparison would measure that instead of the wrapper.
 */
public final class PlainProtocolV4Factory implements CassandraConnectionFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public CqlSession createSession(CassandraConnectorConf conf) {
    ProgrammaticDriverConfigLoaderBuilder settings =
        DefaultConnectionFactory.connectorConfigBuilder(
            conf, DriverConfigLoader.programmaticBuilder());
    settings.withString(DefaultDriverOption.PROTOCOL_VERSION, "V4");
    CqlSessionBuilder builder = CqlSession.builder().withConfigLoader(settings.build());
    AuthConf auth = ((IpBasedContactInfo) conf.contactInfo()).authConf();
    if (auth.authProvider().isDefined()) {
      builder = builder.withAuthProvider(auth.authProvider().get());
    }
    String appId = SparkEnv.get() != null ? SparkEnv.get().conf().getAppId() : "no-app-id";
    return builder
        .withApplicationName("Spark-Cassandra-Connector-" + appId)
        .withSchemaChangeListener(new MultiplexingSchemaListener())
        .build();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PlainProtocolV4Factory;
  }

  @Override
  public int hashCode() {
    return PlainProtocolV4Factory.class.hashCode();
  }
}

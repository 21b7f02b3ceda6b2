package io.github.cosmosspark.testkit.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** Driver sessions to the server, for its users and for its own readiness checks. */
public final class ServerSessions {

  private ServerSessions() {}

  /** A builder logged in as {@code user}, over TLS verifying the host name, with test timeouts. */
  static CqlSessionBuilder builder(
      int nativePort, SSLContext clientSslContext, String user, String secret) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(CassandraServer.HOST, nativePort))
        .withLocalDatacenter(CassandraServer.DATACENTER)
        .withAuthCredentials(user, secret)
        .withSslEngineFactory(new ProgrammaticSslEngineFactory(clientSslContext, null, true))
        .withConfigLoader(testTimeouts());
  }

  /**
   * Driver timeouts for tests on a busy machine: a schema change on a two-core machine running
   * Spark beside Cassandra can take longer than the driver's default two seconds. Tests that assert
   * on timeouts set their own per statement.
   */
  public static DriverConfigLoader testTimeouts() {
    return DriverConfigLoader.programmaticBuilder()
        // Schema changes on a two-core test machine can take seconds.
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60))
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
        .withDuration(
            DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(60))
        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(60))
        .build();
  }
}

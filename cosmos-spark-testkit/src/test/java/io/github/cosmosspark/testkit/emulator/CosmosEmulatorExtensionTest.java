package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import java.net.InetSocketAddress;
import java.util.Properties;
import org.junit.jupiter.api.Test;

@CosmosEmulatorTest
class CosmosEmulatorExtensionTest {

  private static CosmosEmulator seen;

  @Test
  void theSharedEmulatorStandsInFrontOfTheSharedCassandra(
      CosmosEmulator emulator, CassandraServer cassandra) {
    assertSame(cassandra, emulator.backend());
    if (seen != null) {
      assertSame(seen, emulator);
    }
    seen = emulator;
  }

  @Test
  void thePublishedSettingsReachTheEmulator(CosmosEmulator emulator) {
    if (seen != null) {
      assertSame(seen, emulator);
    }
    seen = emulator;
    Properties settings = CosmosEmulatorMain.connectionSettings(emulator);
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(
                new InetSocketAddress(
                    settings.getProperty("spark.cosmos.cassandra.host"),
                    Integer.parseInt(settings.getProperty("spark.cosmos.cassandra.port"))))
            .withLocalDatacenter(emulator.region())
            .withAuthCredentials(
                settings.getProperty("spark.cosmos.cassandra.account"),
                settings.getProperty("spark.cosmos.cassandra.password"))
            .withSslEngineFactory(
                new ProgrammaticSslEngineFactory(emulator.clientSslContext(), null, true))
            .build()) {
      assertEquals(1, session.execute("SELECT release_version FROM system.local").all().size());
    }
    assertEquals(7, settings.size());
  }
}

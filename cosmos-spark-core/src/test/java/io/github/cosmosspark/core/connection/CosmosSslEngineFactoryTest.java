package io.github.cosmosspark.core.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.datastax.oss.driver.internal.core.metadata.DefaultEndPoint;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashSet;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class CosmosSslEngineFactoryTest {

  private final DefaultEndPoint endpoint =
      new DefaultEndPoint(
          InetSocketAddress.createUnresolved("acct.cassandra.cosmos.azure.com", 10350));

  @Test
  void enginesSpeakOnlyTls12And13AndVerifyTheHostName() throws Exception {
    SSLEngine engine =
        new CosmosSslEngineFactory(SSLContext.getDefault(), true).newSslEngine(endpoint);

    assertEquals(
        new HashSet<>(Arrays.asList("TLSv1.2", "TLSv1.3")),
        new HashSet<>(Arrays.asList(engine.getEnabledProtocols())));
    assertEquals("HTTPS", engine.getSSLParameters().getEndpointIdentificationAlgorithm());
    assertEquals("acct.cassandra.cosmos.azure.com", engine.getPeerHost());
    assertEquals(10350, engine.getPeerPort());
    assertEquals(true, engine.getUseClientMode());
  }

  @Test
  void turningVerificationOffDropsOnlyTheHostNameCheck() throws Exception {
    SSLEngine engine =
        new CosmosSslEngineFactory(SSLContext.getDefault(), false).newSslEngine(endpoint);

    assertNull(engine.getSSLParameters().getEndpointIdentificationAlgorithm());
    assertEquals(
        new HashSet<>(Arrays.asList("TLSv1.2", "TLSv1.3")),
        new HashSet<>(Arrays.asList(engine.getEnabledProtocols())));
  }
}

package io.github.cosmosspark.core.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.datastax.oss.driver.internal.core.metadata.DefaultEndPoint;
import io.github.cosmosspark.core.retry.NodeRegions;
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

  @Test
  void aNodeInAKnownRegionIsCheckedAgainstTheRegionsHostName() throws Exception {
    NodeRegions regions = new NodeRegions();
    regions.record(new InetSocketAddress("10.0.0.7", 10350), "East US 2");
    SSLEngine engine =
        factory("acct.cassandra.cosmos.azure.com", regions)
            .newSslEngine(new DefaultEndPoint(new InetSocketAddress("10.0.0.7", 10350)));

    assertEquals("acct-eastus2.cassandra.cosmos.azure.com", engine.getPeerHost());
    assertEquals("HTTPS", engine.getSSLParameters().getEndpointIdentificationAlgorithm());
  }

  @Test
  void theContactPointKeepsTheHostAsGivenEvenWithItsRegionKnown() throws Exception {
    NodeRegions regions = new NodeRegions();
    regions.record(new InetSocketAddress("127.0.0.1", 10350), "West US");
    SSLEngine engine =
        factory("127.0.0.1", regions)
            .newSslEngine(new DefaultEndPoint(new InetSocketAddress("127.0.0.1", 10350)));

    assertEquals("127.0.0.1", engine.getPeerHost());
  }

  @Test
  void aNodeOfUnknownRegionKeepsItsAddressWhichNoCertificateNames() throws Exception {
    SSLEngine engine =
        factory("acct.cassandra.cosmos.azure.com", new NodeRegions())
            .newSslEngine(new DefaultEndPoint(new InetSocketAddress("10.0.0.8", 10350)));

    assertEquals("10.0.0.8", engine.getPeerHost());
  }

  @Test
  void aSovereignCloudsRegionsShareTheConfiguredHostsDomain() throws Exception {
    NodeRegions regions = new NodeRegions();
    regions.record(new InetSocketAddress("10.0.0.9", 10350), "China North 3");
    SSLEngine engine =
        factory("Acct.Cassandra.Cosmos.Azure.CN", regions)
            .newSslEngine(new DefaultEndPoint(new InetSocketAddress("10.0.0.9", 10350)));

    assertEquals("acct-chinanorth3.cassandra.cosmos.azure.cn", engine.getPeerHost());
  }

  @Test
  void anyOtherConfiguredHostGivesThePublicCloudsDomain() {
    assertEquals("cassandra.cosmos.azure.com", RegionalHostNames.domainOf("10.1.2.3"));
    assertEquals("cassandra.cosmos.azure.com", RegionalHostNames.domainOf("cosmos.corp.example"));
    assertEquals(
        "cassandra.cosmos.azure.us", RegionalHostNames.domainOf("acct.cassandra.cosmos.azure.us"));
  }

  private static CosmosSslEngineFactory factory(String configuredHost, NodeRegions regions)
      throws Exception {
    return new CosmosSslEngineFactory(
        SSLContext.getDefault(), true, new RegionalHostNames(configuredHost, "Acct", regions));
  }
}

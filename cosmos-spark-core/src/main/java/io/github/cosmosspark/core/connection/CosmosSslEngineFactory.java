package io.github.cosmosspark.core.connection;

import com.datastax.oss.driver.api.core.metadata.EndPoint;
import com.datastax.oss.driver.api.core.ssl.SslEngineFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS for Cosmos sessions: TLS 1.2 or 1.3 only, as Cosmos requires, whatever older versions the JVM
 * still enables; the JVM's cipher suites; and, unless turned off, the HTTPS host name check that
 * the driver's programmatic factory would otherwise make the only guard. On a multi-region account
 * the other regions' nodes are checked against their regional host names ({@link
 * RegionalHostNames}), so the check can stay on.
 */
final class CosmosSslEngineFactory implements SslEngineFactory {

  static final List<String> PROTOCOLS = Arrays.asList("TLSv1.3", "TLSv1.2");

  private final SSLContext context;
  private final boolean verifyHostnames;
  private final RegionalHostNames hostNames;

  /** Checks every node against the host or address the driver reaches it by. */
  CosmosSslEngineFactory(SSLContext context, boolean verifyHostnames) {
    this(context, verifyHostnames, null);
  }

  /**
   * Checks the contact point against the configured host and every other node whose region is known
   * against that region's host name.
   */
  CosmosSslEngineFactory(SSLContext context, boolean verifyHostnames, RegionalHostNames hostNames) {
    this.context = context;
    this.verifyHostnames = verifyHostnames;
    this.hostNames = hostNames;
  }

  @Override
  public SSLEngine newSslEngine(EndPoint remoteEndpoint) {
    SocketAddress address = remoteEndpoint.resolve();
    SSLEngine engine;
    if (address instanceof InetSocketAddress) {
      InetSocketAddress socket = (InetSocketAddress) address;
      // The certificate must match the name or address as given, or the region's name Cosmos
      // told us over the verified connection: a reverse lookup would let whoever answers DNS
      // choose the name to check. The engine's peer host is also the name sent as SNI.
      String peerHost = hostNames != null ? hostNames.peerHost(socket) : socket.getHostString();
      engine = context.createSSLEngine(peerHost, socket.getPort());
    } else {
      engine = context.createSSLEngine();
    }
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    if (verifyHostnames) {
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    parameters.setProtocols(supported(engine.getSupportedProtocols()));
    engine.setSSLParameters(parameters);
    return engine;
  }

  private static String[] supported(String[] available) {
    List<String> chosen = new ArrayList<>();
    List<String> offered = Arrays.asList(available);
    for (String protocol : PROTOCOLS) {
      if (offered.contains(protocol)) {
        chosen.add(protocol);
      }
    }
    if (chosen.isEmpty()) {
      throw new IllegalStateException(
          "This JVM supports neither TLS 1.2 nor 1.3 (it offers "
              + offered
              + "); Cosmos DB requires one of them. Use Java 8u261 or newer.");
    }
    return chosen.toArray(new String[0]);
  }

  @Override
  public void close() {}
}

package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Compressor;
import com.datastax.oss.protocol.internal.FrameCodec;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * The real Cassandra behind the emulator as backend connections reach it: its address and
 * credentials, read from the server at each connection, and the TLS and framing to use.
 */
final class BackendEndpoint {

  private final CassandraServer server;
  private final SslContext tls;
  private final ByteBufPrimitiveCodec primitiveCodec;

  BackendEndpoint(CassandraServer server, SslContext tls, ByteBufPrimitiveCodec primitiveCodec) {
    this.server = server;
    this.tls = tls;
    this.primitiveCodec = primitiveCodec;
  }

  String host() {
    return server.host();
  }

  int port() {
    return server.port();
  }

  String username() {
    return server.username();
  }

  String password() {
    return server.password();
  }

  /** A TLS client handler for one connection, verifying the server's certificate. */
  SslHandler newTlsHandler(ByteBufAllocator allocator) {
    return tls.newHandler(allocator, host(), port());
  }

  /** A client-side codec; Cosmos speaks without compression, so the backend link does too. */
  FrameCodec<ByteBuf> newClientCodec() {
    return FrameCodec.defaultClient(primitiveCodec, Compressor.<ByteBuf>none());
  }
}

package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.FrameCodec;
import com.datastax.oss.protocol.internal.request.AuthResponse;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.AuthSuccess;
import com.datastax.oss.protocol.internal.response.Authenticate;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Ready;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One client's connection to the real Cassandra: logs in with the test server's own credentials,
 * then carries the client's requests under the client's stream ids. One backend connection per
 * client connection keeps stream ids, prepared statements and events simple. The emulator's own
 * schema look-ups ({@link ClusteringColumns}) use one too.
 */
final class Backend extends ChannelInboundHandlerAdapter {

  /** Whoever the connection carries requests for; called on its event loop only. */
  interface Peer {
    /** The event loop the connection runs on, the peer's own. */
    EventLoop eventLoop();

    /** A response (or, with a negative stream id, an event), with what its request was. */
    void fromBackend(Frame response, RequestCharges.Classified request);

    /** A request that was sent and will get no answer: the connection closed. */
    void abandoned(RequestCharges.Classified request);

    /** The connection closed. */
    void backendClosed();
  }

  private final BackendEndpoint endpoint;
  private final Peer client;
  private final FrameCodec<ByteBuf> codec;
  private final Map<Integer, RequestCharges.Classified> inFlight = new HashMap<>();
  private final Consumer<Backend> onReady;
  private final Consumer<Throwable> onFailure;
  private Channel channel;
  private boolean ready;
  private boolean failed;

  private Backend(
      BackendEndpoint endpoint,
      Peer client,
      Consumer<Backend> onReady,
      Consumer<Throwable> onFailure) {
    this.endpoint = endpoint;
    this.client = client;
    this.codec = endpoint.newClientCodec();
    this.onReady = onReady;
    this.onFailure = onFailure;
  }

  static void connect(
      BackendEndpoint endpoint,
      Peer client,
      Consumer<Backend> onReady,
      Consumer<Throwable> onFailure) {
    Backend backend = new Backend(endpoint, client, onReady, onFailure);
    ChannelFuture connecting =
        new Bootstrap()
            // The client's own event loop: client and backend state is then touched by one thread.
            .group(client.eventLoop())
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast(endpoint.newTlsHandler(channel.alloc()))
                        .addLast(new LengthFieldBasedFrameDecoder(ClientConnection.MAX_FRAME, 5, 4))
                        .addLast(backend);
                  }
                })
            .connect(endpoint.host(), endpoint.port());
    connecting.addListener(
        future -> {
          if (!future.isSuccess()) {
            backend.fail(future.cause());
          }
        });
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    sendRaw(Frame.forRequest(4, 0, false, Frame.NO_PAYLOAD, new Startup()));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf bytes = (ByteBuf) msg;
    Frame response;
    try {
      response = codec.decode(bytes);
    } finally {
      bytes.release();
    }
    if (!ready) {
      handshake(response);
      return;
    }
    client.fromBackend(response, response.streamId < 0 ? null : inFlight.remove(response.streamId));
  }

  private void handshake(Frame response) {
    if (response.message instanceof Authenticate) {
      byte[] user = endpoint.username().getBytes(StandardCharsets.UTF_8);
      byte[] password = endpoint.password().getBytes(StandardCharsets.UTF_8);
      ByteBuffer token = ByteBuffer.allocate(user.length + password.length + 2);
      token.put((byte) 0).put(user).put((byte) 0).put(password).flip();
      sendRaw(Frame.forRequest(4, 0, false, Frame.NO_PAYLOAD, new AuthResponse(token)));
    } else if (response.message instanceof AuthSuccess || response.message instanceof Ready) {
      ready = true;
      onReady.accept(this);
    } else {
      String why =
          response.message instanceof Error
              ? ((Error) response.message).message
              : String.valueOf(response.message);
      fail(new IllegalStateException("backend login failed: " + why));
      channel.close();
    }
  }

  /** Sends a client's encoded request, remembering what it is for charging its response. */
  void send(int streamId, ByteBuf encoded, RequestCharges.Classified classified) {
    inFlight.put(streamId, classified);
    channel.writeAndFlush(encoded);
  }

  /** Whether a request sent through this connection still waits for its answer. */
  boolean busy() {
    return !inFlight.isEmpty();
  }

  ByteBuf encode(Frame frame) {
    return codec.encode(frame);
  }

  private void sendRaw(Frame frame) {
    channel.writeAndFlush(codec.encode(frame));
  }

  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!ready) {
      fail(new IllegalStateException("backend connection closed during login"));
    }
    for (RequestCharges.Classified request : inFlight.values()) {
      client.abandoned(request);
    }
    inFlight.clear();
    client.backendClosed();
  }

  /** Reports a failed login once, however many ways it shows. */
  private void fail(Throwable failure) {
    if (!failed) {
      failed = true;
      onFailure.accept(failure);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}

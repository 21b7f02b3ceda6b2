package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.FrameCodec;
import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.AuthResponse;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Options;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.AuthSuccess;
import com.datastax.oss.protocol.internal.response.Authenticate;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Supported;
import com.datastax.oss.protocol.internal.response.error.ReadTimeout;
import com.datastax.oss.protocol.internal.response.error.Unprepared;
import com.datastax.oss.protocol.internal.response.error.WriteTimeout;
import com.datastax.oss.protocol.internal.response.event.SchemaChangeEvent;
import com.datastax.oss.protocol.internal.response.event.StatusChangeEvent;
import com.datastax.oss.protocol.internal.response.event.TopologyChangeEvent;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.Rows;
import com.datastax.oss.protocol.internal.response.result.SchemaChange;
import com.datastax.oss.protocol.internal.response.result.SetKeyspace;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: answers the handshake itself, as Cosmos does (v4 only, password
 * authentication with the account's keys), then forwards every request on a connection of its own
 * to the real Cassandra and every response back, with the request charge added.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements Backend.Peer {

  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
  private static final int SUPPORTED_VERSION = ProtocolConstants.Version.V4;
  private static final String AUTHENTICATOR = "org.apache.cassandra.auth.PasswordAuthenticator";

  /** The largest frame either side may send, as for Cassandra's native transport. */
  static final int MAX_FRAME = 256 * 1024 * 1024;

  private final Accounts accounts;
  private final PreparedStatements preparedStatements;
  private final DdlRewriter ddl;
  private final CosmosDialect dialect;
  private final RequestCharges charges;
  private final Faults faults;
  private final RowLocks rowLocks;
  private final ClusteringColumns clusteringColumns;
  private final BackendEndpoint backendEndpoint;
  private final ChangeFeed changeFeed;
  private final FrameCodec<ByteBuf> serverCodec;
  // Null when the emulator passes Cassandra's own topology through.
  private final SystemTables systemTables;
  // The region whose endpoint the client reached.
  private final RegionEndpoint region;
  // Touched only on this connection's event loop, which its backend connection shares.
  private final Map<Integer, PreparedStatements.Statement> pendingPrepares = new HashMap<>();
  // Change-feed pages being read back from Cassandra, by stream id.
  private final Map<Integer, ChangeFeed.Page> pendingFeedPages = new HashMap<>();
  private Channel client;
  private Backend backend;
  private long lastActivityNanos;
  private ScheduledFuture<?> idleCheck;
  private boolean readOnly;
  // What a read-only login's writes are refused with: its key's or its role's reason.
  private String writeRefusal;
  // When the login's Entra ID token expires (epoch ms); Long.MAX_VALUE after a key login.
  private long tokenExpiresAtMillis = Long.MAX_VALUE;
  private ScheduledFuture<?> expiryClose;
  private String keyspace;

  ClientConnection(
      Accounts accounts,
      PreparedStatements preparedStatements,
      DdlRewriter ddl,
      CosmosDialect dialect,
      RequestCharges charges,
      Faults faults,
      RowLocks rowLocks,
      ClusteringColumns clusteringColumns,
      BackendEndpoint backendEndpoint,
      ChangeFeed changeFeed,
      FrameCodec<ByteBuf> serverCodec,
      SystemTables systemTables,
      RegionEndpoint region) {
    this.accounts = accounts;
    this.preparedStatements = preparedStatements;
    this.ddl = ddl;
    this.dialect = dialect;
    this.charges = charges;
    this.faults = faults;
    this.rowLocks = rowLocks;
    this.clusteringColumns = clusteringColumns;
    this.backendEndpoint = backendEndpoint;
    this.changeFeed = changeFeed;
    this.serverCodec = serverCodec;
    this.systemTables = systemTables;
    this.region = region;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client = ctx.channel();
    lastActivityNanos = System.nanoTime();
    long idle = dialect.idleTimeoutMillis();
    if (idle > 0) {
      long period = Math.max(10, Math.min(idle / 10, 10_000));
      idleCheck =
          client
              .eventLoop()
              .scheduleAtFixedRate(this::closeIfIdle, period, period, TimeUnit.MILLISECONDS);
    }
    ctx.fireChannelActive();
  }

  /**
   * Azure's load balancer closes a connection that has carried nothing for its idle timeout (4
   * minutes). Whether the driver's heartbeat ({@code OPTIONS}) counts as traffic there is not
   * confirmed; the emulator assumes it does not, the case a client must survive.
   */
  private void closeIfIdle() {
    long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivityNanos);
    if (idleMillis >= dialect.idleTimeoutMillis() && (backend == null || !backend.busy())) {
      LOG.info(
          "Closing a client connection idle for {} ms, as Cosmos's load balancer does", idleMillis);
      dialect.idleClosed.incrementAndGet();
      client.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf bytes = (ByteBuf) msg;
    try {
      int version = bytes.getByte(bytes.readerIndex()) & 0x7F;
      int streamId = bytes.getShort(bytes.readerIndex() + 2);
      if (version != SUPPORTED_VERSION) {
        // The text driver 4 looks for to negotiate down; Cosmos speaks v4 only.
        reply(
            streamId,
            new Error(
                ProtocolConstants.ErrorCode.PROTOCOL_ERROR,
                "Invalid or unsupported protocol version ("
                    + version
                    + "); supported versions are (4/v4)"));
        return;
      }
      if ((bytes.getByte(bytes.readerIndex() + 1) & ProtocolConstants.FrameFlag.COMPRESSED) != 0) {
        // Cosmos's answer to a compressed frame (the first one a client sends after asking for
        // compression in STARTUP), as users of driver 3 and gocql quoted it; its error code is
        // not confirmed.
        reply(
            streamId,
            new Error(
                ProtocolConstants.ErrorCode.PROTOCOL_ERROR,
                "Cql request had unsupported headers Compression"));
        return;
      }
      Frame frame = serverCodec.decode(bytes.duplicate());
      handle(frame, bytes);
    } catch (RuntimeException e) {
      LOG.info("Closing a client connection after a malformed frame: {}", e.toString());
      ctx.close();
    } finally {
      bytes.release();
    }
  }

  /**
   * @param raw the frame as the client sent it, forwarded as it is when nothing in it changes
   */
  private void handle(Frame frame, ByteBuf raw) {
    Message request = frame.message;
    if (request instanceof Options) {
      Map<String, List<String>> options = new HashMap<>();
      options.put("CQL_VERSION", Collections.singletonList("3.4.5"));
      options.put("COMPRESSION", Collections.<String>emptyList());
      options.put("PROTOCOL_VERSIONS", Collections.singletonList("4/v4"));
      reply(frame.streamId, new Supported(options));
      return; // a heartbeat: not activity for the idle timeout
    }
    lastActivityNanos = System.nanoTime();
    if (request instanceof Startup) {
      // A COMPRESSION option is taken as Cosmos takes it: the compressed frames that follow are
      // refused, not the STARTUP (see channelRead).
      reply(frame.streamId, new Authenticate(AUTHENTICATOR));
    } else if (request instanceof AuthResponse) {
      authenticate(frame.streamId, ((AuthResponse) request).token);
    } else if (backend == null) {
      reply(
          frame.streamId,
          new Error(
              ProtocolConstants.ErrorCode.PROTOCOL_ERROR,
              "Unexpected " + request + " before authentication"));
    } else if (tokenExpiresAtMillis != Long.MAX_VALUE
        && accounts.tokenExpiry() == TokenExpiry.REFUSE_REQUESTS
        && System.currentTimeMillis() >= tokenExpiresAtMillis) {
      reply(
          frame.streamId,
          new Error(
              ProtocolConstants.ErrorCode.UNAUTHORIZED,
              "The Microsoft Entra ID token this connection logged in with expired at "
                  + java.time.Instant.ofEpochMilli(tokenExpiresAtMillis)
                  + ": open a new connection with a fresh token"));
    } else if (readOnly && isWrite(request)) {
      reply(frame.streamId, new Error(ProtocolConstants.ErrorCode.UNAUTHORIZED, writeRefusal));
    } else if (answeredAsCosmos(frame.streamId, request)) {
      return;
    } else if (changeFeedRead(frame, request)) {
      return;
    } else if (unknownPreparedId(request) != null) {
      // Cassandra would run it, but the emulator could not tell its table or whether it writes:
      // have the driver prepare it again, through the emulator.
      byte[] id = unknownPreparedId(request);
      reply(
          frame.streamId,
          new Unprepared("Prepared statement not known to the emulator; prepare it again", id));
    } else {
      Message unsupported = dialect.refusal(request);
      if (unsupported != null) {
        // Cosmos refuses it where Cassandra would run it: answered here, never forwarded.
        reply(frame.streamId, unsupported);
        return;
      }
      if (request instanceof Prepare) {
        pendingPrepares.put(
            frame.streamId,
            new PreparedStatements.Statement(((Prepare) request).cqlQuery, keyspace));
      }
      Frame forwarded = ddl.rewrite(frame, keyspace);
      if (forwarded != frame && !(forwarded.message instanceof Query)) {
        // Answered here: invalid throughput, or a statement that only changed throughput.
        reply(frame.streamId, forwarded.message);
        return;
      }
      RequestCharges.Classified classified = charges.classify(frame, keyspace);
      if (classified.isWrite() && !region.acceptsWrites) {
        // Checked before anything else about the write: it never reaches a table's budget.
        region.writesRefused.incrementAndGet();
        reply(
            frame.streamId,
            new Error(ProtocolConstants.ErrorCode.SERVER_ERROR, region.readRegionRefusal()));
        return;
      }
      if (classified.faultable()) {
        Message injected = faults.nextFault(frame);
        if (injected != null) {
          reply(frame.streamId, injected);
          return;
        }
      }
      if (classified.isWrite()) {
        Message refused = writeFailure(frame, classified);
        if (refused != null) {
          reply(frame.streamId, refused);
          return;
        }
      }
      ServerSideRetry serverSideRetry = charges.serverSideRetry();
      long retryAfterMs = charges.admit(classified, !serverSideRetry.enabled());
      if (retryAfterMs > 0) {
        if (serverSideRetry.enabled()) {
          // A held write keeps its rows: on Cosmos it is still being executed.
          hold(frame, raw.retain(), forwarded, classified, System.nanoTime(), retryAfterMs);
        } else {
          rowLocks.release(classified);
          reply(frame.streamId, rateLimited(retryAfterMs));
        }
        return;
      }
      forward(frame, raw, forwarded, classified);
    }
  }

  /**
   * Answers a read of Cosmos's change feed or of {@code system_cosmos.feedranges}; false for any
   * other request. A feed page is a read of its table: charged, and subject to the table's
   * throughput; its rows are read back from Cassandra (see {@link ChangeFeed}).
   */
  private boolean changeFeedRead(Frame received, Message request) {
    if (request instanceof Prepare) {
      Prepare prepare = (Prepare) request;
      Message prepared =
          changeFeed.prepare(
              prepare.cqlQuery, prepare.keyspace != null ? prepare.keyspace : keyspace);
      if (prepared != null) {
        reply(received.streamId, prepared);
      }
      return prepared != null;
    }
    Frame frame = received;
    if (request instanceof Execute) {
      Execute execute = (Execute) request;
      ChangeFeed.PreparedFeed prepared = changeFeed.prepared(execute.queryId);
      if (prepared == null) {
        return false;
      }
      String bound = prepared.bind(execute.options.positionalValues);
      if (bound == null) {
        reply(
            received.streamId,
            new Error(
                ProtocolConstants.ErrorCode.INVALID,
                "Invalid amount of bind variables: expected "
                    + prepared.markers.size()
                    + ", got "
                    + execute.options.positionalValues.size()));
        return true;
      }
      // Run as the simple statement it stands for, with the execution's options.
      frame =
          Frame.forRequest(
              SUPPORTED_VERSION,
              received.streamId,
              false,
              Frame.NO_PAYLOAD,
              new Query(bound, execute.options));
      String saved = keyspace;
      keyspace = prepared.keyspace;
      try {
        return changeFeedQuery(frame, (Query) frame.message);
      } finally {
        keyspace = saved;
      }
    }
    return request instanceof Query && changeFeedQuery(frame, (Query) request);
  }

  private boolean changeFeedQuery(Frame frame, Query query) {
    Object ranges = changeFeed.feedRanges(query.query);
    if (ranges != null) {
      double charge =
          ranges instanceof Rows ? CostModel.readPage(RequestCharges.rowBytes((Rows) ranges)) : 0;
      Map<String, ByteBuffer> payload = new HashMap<>();
      payload.put("RequestCharge", encodeCharge(charge));
      write(
          Frame.forResponse(
              SUPPORTED_VERSION,
              frame.streamId,
              null,
              payload,
              Collections.<String>emptyList(),
              (Message) ranges));
      return true;
    }
    if (!ChangeFeed.isFeedQuery(query.query)) {
      return false;
    }
    Object parsed = changeFeed.parse(query.query, keyspace);
    if (parsed instanceof Error) {
      reply(frame.streamId, (Error) parsed);
      return true;
    }
    ChangeFeed.Request feed = (ChangeFeed.Request) parsed;
    RequestCharges.Classified classified = charges.classify(frame, keyspace);
    if (classified.faultable()) {
      Message injected = faults.nextFault(frame);
      if (injected != null) {
        reply(frame.streamId, injected);
        return true;
      }
    }
    long retryAfterMs = charges.admit(classified, true);
    if (retryAfterMs > 0) {
      // Learn (cassandra/change-feed, "Error handling"): a rate-limited change-feed read returns
      // an empty page, not Overloaded. That it carries the request's own paging state, so that
      // the next poll reads the same changes, is the emulator's assumption.
      ByteBuffer state =
          query.options.pagingState != null
              ? query.options.pagingState
              : changeFeed.startState(feed);
      // Still read from Cassandra, for the columns only: the driver needs them even with no rows.
      // Neither charged nor drawn from the budget: on Cosmos the page was not executed.
      readFeedPage(
          frame.streamId,
          feed,
          ChangeFeed.Page.empty(state),
          query,
          new RequestCharges.Classified("OTHER", null, new long[0]));
      return true;
    }
    Object page = changeFeed.nextPage(feed, query.options.pageSize, query.options.pagingState);
    if (page instanceof Error) {
      toClient(
          Frame.forResponse(
              SUPPORTED_VERSION,
              frame.streamId,
              null,
              Frame.NO_PAYLOAD,
              Collections.<String>emptyList(),
              (Error) page),
          classified);
      return true;
    }
    region.readsServed.incrementAndGet();
    readFeedPage(frame.streamId, feed, (ChangeFeed.Page) page, query, classified);
    return true;
  }

  private void readFeedPage(
      int streamId,
      ChangeFeed.Request feed,
      ChangeFeed.Page listed,
      Query query,
      RequestCharges.Classified classified) {
    pendingFeedPages.put(streamId, listed);
    Frame readBack =
        Frame.forRequest(
            SUPPORTED_VERSION,
            streamId,
            false,
            Frame.NO_PAYLOAD,
            ChangeFeed.readBack(feed, listed, query.options));
    backend.send(streamId, backend.encode(readBack), classified);
  }

  /**
   * Server-side retry: holds a request over its table's throughput on this connection's event loop
   * and tries it again when it could fit, until Cosmos's limit; then answers with the read or write
   * timeout the client gets from Cosmos, the request never having run.
   *
   * @param raw the client's frame, retained for as long as the request is held
   */
  private void hold(
      Frame frame,
      ByteBuf raw,
      Frame forwarded,
      RequestCharges.Classified classified,
      long heldSinceNanos,
      long waitMillis) {
    ServerSideRetry serverSideRetry = charges.serverSideRetry();
    long heldMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heldSinceNanos);
    long delay = Math.max(1, Math.min(waitMillis, serverSideRetry.limitMillis() - heldMillis));
    try {
      client
          .eventLoop()
          .schedule(
              () -> {
                long held = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heldSinceNanos);
                if (!client.isActive() || backend == null) {
                  rowLocks.release(classified);
                  raw.release();
                  return;
                }
                long wait = charges.admit(classified, false);
                if (wait == 0) {
                  serverSideRetry.ran(classified.table, held);
                  try {
                    forward(frame, raw, forwarded, classified);
                  } finally {
                    raw.release();
                  }
                } else if (held >= serverSideRetry.limitMillis()) {
                  serverSideRetry.timedOut(classified.table, held);
                  rowLocks.release(classified);
                  raw.release();
                  reply(frame.streamId, timedOut(frame.message, classified));
                } else {
                  hold(frame, raw, forwarded, classified, heldSinceNanos, wait);
                }
              },
              delay,
              TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      rowLocks.release(classified);
      raw.release();
    }
  }

  /**
   * What Cosmos answers a request server-side retry held too long with: "a read or write timeout"
   * (prevent-rate-limiting-errors). Its message and fields are not published; these are Cassandra's
   * for a coordinator that heard from no replica, at the consistency the request asked for.
   */
  private static Message timedOut(Message request, RequestCharges.Classified classified) {
    int consistency = ProtocolConstants.ConsistencyLevel.LOCAL_QUORUM;
    if (request instanceof Query) {
      consistency = ((Query) request).options.consistency;
    } else if (request instanceof Execute) {
      consistency = ((Execute) request).options.consistency;
    } else if (request instanceof Batch) {
      consistency = ((Batch) request).consistency;
    }
    String message =
        "Operation timed out - received only 0 responses."
            + " (held by server-side retry for the table's throughput)";
    if (classified.kind.equals("WRITE")) {
      return new WriteTimeout(
          message,
          consistency,
          0,
          1,
          request instanceof Batch
              ? ProtocolConstants.WriteType.UNLOGGED_BATCH
              : ProtocolConstants.WriteType.SIMPLE);
    }
    return new ReadTimeout(message, consistency, 0, 1, false);
  }

  /** Sends an admitted request on to Cassandra, after any injected latency. */
  private void forward(
      Frame frame, ByteBuf raw, Frame forwarded, RequestCharges.Classified classified) {
    if (classified.isWrite()) {
      region.writesServed.incrementAndGet();
    } else if (classified.table != null && classified.kind.equals("READ")) {
      region.readsServed.incrementAndGet();
    }
    // The client's own bytes are a valid v4 frame for Cassandra, with the same stream id;
    // re-encoding is needed only for a rewritten statement.
    ByteBuf encoded = forwarded == frame ? raw.retainedDuplicate() : backend.encode(forwarded);
    long latency = faults.latencyMillis();
    if (latency > 0) {
      try {
        client
            .eventLoop()
            .schedule(
                () -> {
                  if (client.isActive()) {
                    backend.send(frame.streamId, encoded, classified);
                  } else {
                    rowLocks.release(classified);
                    encoded.release();
                  }
                },
                latency,
                TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        rowLocks.release(classified);
        encoded.release();
      }
    } else {
      backend.send(frame.streamId, encoded, classified);
    }
  }

  /**
   * Cosmos's answer to a write it refuses before running it, or null to run it: an injected write
   * failure, a row over 2 MB (413), or a row another write is updating (449; the write then holds
   * its rows until its answer). Each is counted for the table; none is executed or charged.
   */
  private Message writeFailure(Frame frame, RequestCharges.Classified write) {
    Fault injected = faults.nextWriteFault(write.table);
    if (injected != null) {
      charges.countWriteFailure(write, injected.cosmosStatus());
      return injected.error(frame);
    }
    long largest = write.largestRowBytes();
    if (largest > WriteFailures.MAX_ROW_BYTES) {
      charges.countWriteFailure(write, 413);
      return WriteFailures.tooLarge(frame, largest);
    }
    if (!rowLocks.tryHold(write)) {
      charges.countWriteFailure(write, 449);
      return WriteFailures.concurrentWrite(frame);
    }
    return null;
  }

  /** A request that was sent to Cassandra and will get no answer: its connection closed. */
  @Override
  public void abandoned(RequestCharges.Classified request) {
    rowLocks.release(request);
  }

  private void authenticate(int streamId, ByteBuffer token) {
    String[] parts = saslPlain(token);
    String user = parts[1];
    String password = parts[2];
    Accounts.Login login = accounts.login(user, password, System.currentTimeMillis());
    if (login.access == Accounts.Access.DENIED) {
      reply(streamId, new Error(ProtocolConstants.ErrorCode.AUTH_ERROR, login.refusal));
      return;
    }
    if (backend != null) {
      reply(
          streamId, new Error(ProtocolConstants.ErrorCode.PROTOCOL_ERROR, "Already authenticated"));
      return;
    }
    readOnly = login.access == Accounts.Access.READ_ONLY;
    writeRefusal = login.writeRefusal;
    tokenExpiresAtMillis = login.expiresAtMillis;
    if (login.byToken() && accounts.tokenExpiry() == TokenExpiry.CLOSE_CONNECTION) {
      // CQL v4 cannot log in again on an open connection: at expiry the client must open another.
      long delay = Math.max(0, tokenExpiresAtMillis - System.currentTimeMillis());
      expiryClose =
          client.eventLoop().schedule(this::closeOnTokenExpiry, delay, TimeUnit.MILLISECONDS);
    }
    Backend.connect(
        backendEndpoint,
        this,
        connected -> {
          if (!client.isActive() || backend != null) {
            // The client left (or logged in twice) while its backend connection opened.
            connected.close();
            return;
          }
          backend = connected;
          reply(streamId, new AuthSuccess(null));
        },
        failure -> {
          LOG.info("Could not reach the Cassandra behind the emulator: {}", failure.toString());
          reply(
              streamId,
              new Error(
                  ProtocolConstants.ErrorCode.SERVER_ERROR,
                  "The emulator's Cassandra is unavailable: " + failure.getMessage()));
        });
  }

  private void closeOnTokenExpiry() {
    if (client.isActive()) {
      LOG.info("Closing a client connection whose Microsoft Entra ID token expired");
      accounts.tokenExpiryClosed.incrementAndGet();
      client.close();
    }
  }

  /** SASL PLAIN: [authorization id] NUL user NUL password. */
  private static String[] saslPlain(ByteBuffer token) {
    byte[] bytes = new byte[token.remaining()];
    token.duplicate().get(bytes);
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == 0) {
        parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    while (parts.size() < 3) {
      parts.add(0, "");
    }
    return parts.subList(parts.size() - 3, parts.size()).toArray(new String[0]);
  }

  /**
   * Answers a question about the cluster ({@code system.local}, {@code system.peers}, ...) as
   * Cosmos does, from the emulator's topology, instead of passing on Cassandra's; false for any
   * other request. The answer carries a request charge, as a read of a system table from Cassandra
   * does.
   */
  private boolean answeredAsCosmos(int streamId, Message request) {
    if (systemTables == null) {
      return false;
    }
    Message answer = systemTables.answer(request, keyspace, endpointAddress());
    if (answer == null) {
      return false;
    }
    double charge =
        answer instanceof Rows ? CostModel.readPage(RequestCharges.rowBytes((Rows) answer)) : 0;
    Map<String, ByteBuffer> payload = new HashMap<>();
    payload.put("RequestCharge", encodeCharge(charge));
    Frame response =
        Frame.forResponse(
            SUPPORTED_VERSION, streamId, null, payload, Collections.<String>emptyList(), answer);
    // An injected latency spike slows every answer, these too, as it slowed them when Cassandra
    // gave them.
    long latency = faults.latencyMillis();
    if (latency > 0) {
      try {
        client
            .eventLoop()
            .schedule(
                () -> {
                  if (client.isActive()) {
                    write(response);
                  }
                },
                latency,
                TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        // the connection is closing; the client gets no answer, as from a closing server
      }
    } else {
      write(response);
    }
    return true;
  }

  /** The address the client connected to, which the emulator's answers give as the node's. */
  private InetAddress endpointAddress() {
    return ((InetSocketAddress) client.localAddress()).getAddress();
  }

  /** The id of a prepared statement the request runs that the emulator has not seen, or null. */
  private byte[] unknownPreparedId(Message request) {
    if (request instanceof Execute) {
      byte[] id = ((Execute) request).queryId;
      return preparedStatements.lookup(id) == null ? id : null;
    }
    if (request instanceof Batch) {
      for (Object statement : ((Batch) request).queriesOrIds) {
        if (statement instanceof byte[] && preparedStatements.lookup((byte[]) statement) == null) {
          return (byte[]) statement;
        }
      }
    }
    return null;
  }

  private boolean isWrite(Message request) {
    if (request instanceof Batch) {
      return true;
    }
    if (request instanceof Execute) {
      PreparedStatements.Statement prepared =
          preparedStatements.lookup(((Execute) request).queryId);
      return prepared != null && !isReadOrUse(prepared.cql);
    }
    return request instanceof Query && !isReadOrUse(((Query) request).query);
  }

  private static boolean isReadOrUse(String cql) {
    String first =
        RequestCharges.withoutLeadingComments(cql).split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
    return first.equals("SELECT") || first.equals("USE");
  }

  /** Cosmos's 429: the request was not executed and may be sent again after RetryAfterMs. */
  static Error rateLimited(long retryAfterMs) {
    String activity = UUID.randomUUID().toString();
    return new Error(
        ProtocolConstants.ErrorCode.OVERLOADED,
        "Request rate is large: ActivityID="
            + activity
            + ", RetryAfterMs="
            + retryAfterMs
            + ", Additional details='Response status code does not indicate success:"
            + " TooManyRequests (429); Substatus: 3200; ActivityId: "
            + activity
            + "; Reason: (Message: Request rate is large. More Request Units may be needed, so no"
            + " changes were made. Please retry this request later.)'");
  }

  /** A response from Cassandra to a forwarded request (or an event), on its way to the client. */
  @Override
  public void fromBackend(Frame received, RequestCharges.Classified request) {
    Frame response = feedPage(received, request);
    if (systemTables != null
        && (response.message instanceof TopologyChangeEvent
            || response.message instanceof StatusChangeEvent)) {
      // About the Cassandra behind the emulator, whose address clients must not learn; the
      // account's one node per region does not come and go.
      return;
    }
    if (response.message instanceof SchemaChangeEvent) {
      SchemaChangeEvent change = (SchemaChangeEvent) response.message;
      schemaChanged(change.target, change.keyspace, change.object);
      if (faults.withholdingSchemaEvents()) {
        return;
      }
    } else if (response.message instanceof SchemaChange) {
      SchemaChange change = (SchemaChange) response.message;
      schemaChanged(change.target, change.keyspace, change.object);
      // The statement's own answer, once per change (not the event every connection may get).
      changeFeed.schemaChanged(change.changeType, change.target, change.keyspace, change.object);
    } else if (request != null
        && request.isWrite()
        && response.message instanceof com.datastax.oss.protocol.internal.response.result.Void) {
      changeFeed.written(request);
    }
    if (response.message instanceof Prepared) {
      PreparedStatements.Statement prepared = pendingPrepares.remove(response.streamId);
      if (prepared != null) {
        Prepared answer = (Prepared) response.message;
        prepared.partitionKeyIndices(answer.variablesMetadata.pkIndices);
        List<ColumnSpec> variables = answer.variablesMetadata.columnSpecs;
        if (prepared.writesRows()) {
          changeFeed.learnKeyColumns(prepared.table, variables, answer.variablesMetadata.pkIndices);
        }
        if (prepared.writesRows() && !variables.isEmpty()) {
          // Known before the client can execute the statement: its row locks need them.
          String keyspace = variables.get(0).ksName;
          String table = variables.get(0).tableName;
          List<String> clustering = clusteringColumns.cached(keyspace, table);
          if (clustering == null) {
            clusteringColumns.lookup(
                keyspace,
                table,
                client.eventLoop(),
                columns -> {
                  prepared.clusteringIndices(
                      ClusteringColumns.boundIndices(columns, variables, prepared.cql));
                  preparedStatements.remember(answer.preparedQueryId, prepared);
                  toClient(response, request);
                });
            return;
          }
          prepared.clusteringIndices(
              ClusteringColumns.boundIndices(clustering, variables, prepared.cql));
        }
        preparedStatements.remember(answer.preparedQueryId, prepared);
      }
    } else if (response.message instanceof SetKeyspace) {
      keyspace = ((SetKeyspace) response.message).keyspace;
    }
    toClient(response, request);
  }

  /** A change-feed page's rows from Cassandra, in feed order with the feed's paging state. */
  private Frame feedPage(Frame response, RequestCharges.Classified request) {
    if (request == null || pendingFeedPages.isEmpty()) {
      return response;
    }
    ChangeFeed.Page page = pendingFeedPages.remove(response.streamId);
    if (page == null || !(response.message instanceof Rows)) {
      return response;
    }
    return Frame.forResponse(
        SUPPORTED_VERSION,
        response.streamId,
        response.tracingId,
        response.customPayload,
        response.warnings,
        (Message) ChangeFeed.rows((Rows) response.message, page));
  }

  /** A table's clustering columns may have changed with it (dropped and created again). */
  private void schemaChanged(String target, String keyspace, String object) {
    if ("TABLE".equals(target)) {
      clusteringColumns.invalidate(keyspace, object);
    } else if ("KEYSPACE".equals(target)) {
      clusteringColumns.invalidate(keyspace, null);
    }
  }

  private void toClient(Frame response, RequestCharges.Classified request) {
    rowLocks.release(request);
    Map<String, ByteBuffer> payload = new HashMap<>(response.customPayload);
    if (request != null) {
      lastActivityNanos = System.nanoTime();
      payload.put("RequestCharge", encodeCharge(charges.charge(request, response)));
    }
    write(
        Frame.forResponse(
            SUPPORTED_VERSION,
            response.streamId,
            response.tracingId,
            payload,
            response.warnings,
            response.message));
  }

  static ByteBuffer encodeCharge(double charge) {
    ByteBuffer bytes = ByteBuffer.allocate(8);
    bytes.putDouble(charge);
    bytes.flip();
    return bytes;
  }

  /** The event loop this client's connection runs on; its backend connection shares it. */
  @Override
  public EventLoop eventLoop() {
    return client.eventLoop();
  }

  @Override
  public void backendClosed() {
    if (client != null) {
      client.close();
    }
  }

  private void reply(int streamId, Message message) {
    write(
        Frame.forResponse(
            SUPPORTED_VERSION,
            streamId,
            null,
            Frame.NO_PAYLOAD,
            Collections.<String>emptyList(),
            message));
  }

  private void write(Frame frame) {
    client.writeAndFlush(serverCodec.encode(frame));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
    if (expiryClose != null) {
      expiryClose.cancel(false);
    }
    if (backend != null) {
      backend.close();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.info("Closing a client connection: {}", cause.toString());
    ctx.close();
  }
}

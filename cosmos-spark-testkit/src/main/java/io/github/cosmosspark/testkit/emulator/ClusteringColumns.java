package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.Rows;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each table's clustering columns, for locking a write's row (partition key and clustering columns)
 * rather than its whole partition: read from the Cassandra behind the emulator ({@code
 * system_schema.columns}, kind {@code clustering}) the first time a write to the table is prepared,
 * over a backend connection of the emulator's own, and kept until a schema change to the table (or
 * its keyspace) passes through the emulator. Executions never wait for it: the answer is turned
 * into bound-value indices once, when the statement is prepared. Shared by every client connection;
 * the connection and the look-ups in progress are touched on its event loop only.
 */
final class ClusteringColumns implements Backend.Peer {

  private static final Logger LOG = LoggerFactory.getLogger(ClusteringColumns.class);

  /** How long a PREPARE's answer waits for a look-up before the statement locks by partition. */
  static final long LOOKUP_TIMEOUT_MILLIS = 5_000;

  private final BackendEndpoint endpoint;
  private final EventLoop eventLoop;
  // By exact "keyspace.table" (as system_schema spells them): the clustering columns in order.
  private final Map<String, List<String>> byTable = new ConcurrentHashMap<>();
  // Bumped by every invalidation, so that a look-up that raced a schema change is not kept.
  private final AtomicLong generation = new AtomicLong();
  // On the event loop only: look-ups in progress by table, and by stream id once sent.
  private final Map<String, Lookup> waiting = new HashMap<>();
  private final Map<Integer, Lookup> inFlight = new HashMap<>();
  private Backend connection;
  private boolean connecting;
  private int lastStreamId;

  /** One look-up of a table, with everyone waiting for it. */
  private static final class Lookup {
    final String keyspace;
    final String table;
    final long generation;
    final List<Consumer<List<String>>> waiters = new ArrayList<>();
    ScheduledFuture<?> timeout;

    Lookup(String keyspace, String table, long generation) {
      this.keyspace = keyspace;
      this.table = table;
      this.generation = generation;
    }

    String name() {
      return keyspace + "." + table;
    }
  }

  ClusteringColumns(BackendEndpoint endpoint, EventLoop eventLoop) {
    this.endpoint = endpoint;
    this.eventLoop = eventLoop;
  }

  /** The table's clustering columns if known now, else null. */
  List<String> cached(String keyspace, String table) {
    return byTable.get(keyspace + "." + table);
  }

  /**
   * Reads the table's clustering columns and gives them to {@code then} on {@code callbackLoop}: in
   * clustering order, empty for a table without any, null if Cassandra could not say in time (the
   * statement then locks its whole partition, the stricter choice).
   */
  void lookup(String keyspace, String table, EventLoop callbackLoop, Consumer<List<String>> then) {
    Consumer<List<String>> onCallbackLoop =
        columns -> {
          try {
            callbackLoop.execute(() -> then.accept(columns));
          } catch (RejectedExecutionException shuttingDown) {
            // The emulator is closing: nobody waits for the answer.
          }
        };
    try {
      eventLoop.execute(() -> start(keyspace, table, onCallbackLoop));
    } catch (RejectedExecutionException shuttingDown) {
      // The emulator is closing.
    }
  }

  /** Forgets a table's columns after a schema change to it; a null table forgets its keyspace's. */
  void invalidate(String keyspace, String table) {
    generation.incrementAndGet();
    if (table != null) {
      byTable.remove(keyspace + "." + table);
    } else {
      byTable.keySet().removeIf(name -> name.startsWith(keyspace + "."));
    }
  }

  private void start(String keyspace, String table, Consumer<List<String>> then) {
    String name = keyspace + "." + table;
    List<String> known = byTable.get(name);
    if (known != null) {
      then.accept(known);
      return;
    }
    Lookup lookup = waiting.get(name);
    if (lookup != null) {
      lookup.waiters.add(then);
      return;
    }
    Lookup started = new Lookup(keyspace, table, generation.get());
    started.waiters.add(then);
    waiting.put(name, started);
    started.timeout =
        eventLoop.schedule(
            () -> finish(started, null), LOOKUP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    if (connection != null) {
      send(started);
    } else if (!connecting) {
      connect();
    }
  }

  private void connect() {
    connecting = true;
    Backend.connect(
        endpoint,
        this,
        connected -> {
          connecting = false;
          connection = connected;
          for (Lookup lookup : new ArrayList<>(waiting.values())) {
            send(lookup);
          }
        },
        failure -> {
          connecting = false;
          LOG.info(
              "Could not read clustering columns from the emulator's Cassandra ({}); writes lock"
                  + " their whole partition",
              failure.toString());
          failAll();
        });
  }

  private void send(Lookup lookup) {
    String cql =
        "SELECT column_name, kind, position FROM system_schema.columns WHERE keyspace_name = "
            + literal(lookup.keyspace)
            + " AND table_name = "
            + literal(lookup.table);
    int streamId = nextStreamId();
    inFlight.put(streamId, lookup);
    connection.send(
        streamId,
        connection.encode(Frame.forRequest(4, streamId, false, Frame.NO_PAYLOAD, new Query(cql))),
        null);
  }

  private int nextStreamId() {
    do {
      lastStreamId = lastStreamId >= Short.MAX_VALUE ? 1 : lastStreamId + 1;
    } while (inFlight.containsKey(lastStreamId));
    return lastStreamId;
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  @Override
  public EventLoop eventLoop() {
    return eventLoop;
  }

  @Override
  public void fromBackend(Frame response, RequestCharges.Classified request) {
    Lookup lookup = response.streamId < 0 ? null : inFlight.remove(response.streamId);
    if (lookup == null) {
      return; // an event (this connection registers for none), or a look-up already given up
    }
    if (!(response.message instanceof Rows)) {
      LOG.info(
          "Could not read the clustering columns of {} ({}); its writes lock their whole partition",
          lookup.name(),
          response.message);
      finish(lookup, null);
      return;
    }
    // Ordered by position; a table's clustering positions are 0 to n - 1.
    TreeMap<Integer, String> clustering = new TreeMap<>();
    for (List<ByteBuffer> row : ((Rows) response.message).getData()) {
      String kind = text(row.get(1));
      if ("clustering".equals(kind) && row.get(0) != null && row.get(2) != null) {
        clustering.put(row.get(2).getInt(row.get(2).position()), text(row.get(0)));
      }
    }
    List<String> columns = Collections.unmodifiableList(new ArrayList<>(clustering.values()));
    if (lookup.generation == generation.get()) {
      byTable.put(lookup.name(), columns);
    }
    finish(lookup, columns);
  }

  private static String text(ByteBuffer bytes) {
    if (bytes == null) {
      return null;
    }
    ByteBuffer copy = bytes.duplicate();
    byte[] array = new byte[copy.remaining()];
    copy.get(array);
    return new String(array, StandardCharsets.UTF_8);
  }

  /** Answers everyone waiting for {@code lookup}, once: a later answer (or timeout) finds none. */
  private void finish(Lookup lookup, List<String> columns) {
    if (!waiting.remove(lookup.name(), lookup)) {
      return;
    }
    lookup.timeout.cancel(false);
    for (Consumer<List<String>> then : lookup.waiters) {
      then.accept(columns);
    }
  }

  private void failAll() {
    for (Lookup lookup : new ArrayList<>(waiting.values())) {
      finish(lookup, null);
    }
  }

  @Override
  public void abandoned(RequestCharges.Classified request) {
    // Nothing held: the waiting look-ups are answered when the connection reports it closed.
  }

  @Override
  public void backendClosed() {
    connection = null;
    inFlight.clear();
    failAll();
  }

  /**
   * For each of the table's clustering columns in order, the index of the bound value that sets it
   * in a prepared write; null when the statement does not bind every one by equality (a write to a
   * whole partition, a range or {@code IN} delete, a literal value, a table without clustering
   * columns), which then locks its whole partition.
   *
   * @param clustering the table's clustering columns, null if unknown
   * @param variables the PREPARED answer's bound variables
   * @param cql the statement's text
   */
  static int[] boundIndices(List<String> clustering, List<ColumnSpec> variables, String cql) {
    if (clustering == null || clustering.isEmpty()) {
      return null;
    }
    String statement = RequestCharges.withoutLeadingComments(cql);
    String first = statement.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
    String restrictions;
    if (first.equals("INSERT")) {
      // Every bound value of an INSERT sets its column to it.
      restrictions = null;
    } else if (first.equals("UPDATE") || first.equals("DELETE")) {
      Matcher where = WHERE.matcher(statement);
      if (!where.find()) {
        return null;
      }
      restrictions = statement.substring(where.end());
    } else {
      return null; // a prepared BEGIN BATCH ... APPLY BATCH: its rows are not read
    }
    int[] indices = new int[clustering.size()];
    for (int c = 0; c < indices.length; c++) {
      String column = clustering.get(c);
      int found = -1;
      for (int i = 0; i < variables.size(); i++) {
        if (variables.get(i).name.equals(column)) {
          if (found >= 0) {
            return null; // bound twice: IN (?, ?) or a range
          }
          found = i;
        }
      }
      if (found < 0 || (restrictions != null && !equality(column).matcher(restrictions).find())) {
        return null;
      }
      indices[c] = found;
    }
    return indices;
  }

  private static final Pattern WHERE = Pattern.compile("(?i)\\bWHERE\\b");

  /**
   * {@code column = ?} or {@code column = :marker} as its own relation: a bound value of the same
   * name could otherwise be a range ({@code column > ?}) or an {@code IN (?)}.
   */
  private static Pattern equality(String column) {
    String quoted = Pattern.quote("\"" + column.replace("\"", "\"\"") + "\"");
    String name =
        column.matches("[a-z][a-z0-9_]*")
            ? "(?:" + quoted + "|(?i:" + Pattern.quote(column) + "))"
            : quoted;
    return Pattern.compile("(?:^|[^\\w\"])" + name + "\\s*=\\s*[?:]");
  }
}

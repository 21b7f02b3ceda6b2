package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.response.result.Rows;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulator's request-unit accounting: which table a request is for, whether its budget admits
 * it, and what it costs. Deterministic, from the bytes a request writes or a response returns; the
 * formulas are {@link CostModel}'s, after Microsoft's published figures: each row written charged
 * by its size, each page of a read by the rows it returns, schema changes free.
 */
final class RequestCharges {

  private static final Pattern TABLE =
      Pattern.compile(
          "(?is)^\\s*(?:SELECT\\s.*?\\sFROM|INSERT\\s+INTO|UPDATE|DELETE\\s.*?\\sFROM|DELETE\\s+FROM)"
              + "\\s+([\\w.\"]+).*");

  /** What a request is, for charging: its kind and the table it is for. */
  static final class Classified {
    final String kind;
    final String table;

    /**
     * The bytes of each statement the request carries (one, or a batch's each); writes pay by them.
     */
    final long[] statementBytes;

    // The statements with their partition keys; set by classify for reads and writes.
    List<PartitionKeys.Statement> statements = java.util.Collections.emptyList();
    // Set at admission: the partitions drawn on and what was reserved in each.
    PhysicalPartitions partitions;
    int[] touched;
    double[] reservedIn;
    double[] shareIn;
    long admittedEpochSecond = -1;
    // The rows a write holds while in flight (RowLocks); null when it holds none.
    List<RowLocks.Hold> heldRows;

    Classified(String kind, String table, long[] statementBytes) {
      this.kind = kind;
      this.table = table;
      this.statementBytes = statementBytes;
    }

    /** Drawn from its table's budget. */
    boolean limited() {
      return table != null && (kind.equals("READ") || kind.equals("WRITE"));
    }

    /**
     * The application's own request, which injected faults may answer: reads and writes of user
     * tables, and schema changes (which Cosmos can rate-limit too), never the driver's metadata
     * queries.
     */
    boolean faultable() {
      return limited() || kind.equals("SCHEMA");
    }

    /** A write to a user table. */
    boolean isWrite() {
      return table != null && kind.equals("WRITE");
    }

    /** The bytes of the largest row the request writes (its values), 0 when it writes none. */
    long largestRowBytes() {
      long largest = 0;
      for (PartitionKeys.Statement statement : statements) {
        largest = Math.max(largest, statement.bytes);
      }
      return largest;
    }
  }

  private static final java.util.Set<String> SCHEMA_CHANGES =
      new java.util.HashSet<>(java.util.Arrays.asList("CREATE", "ALTER", "DROP", "TRUNCATE"));

  private static final java.util.Set<String> SYSTEM_KEYSPACES =
      new java.util.HashSet<>(
          java.util.Arrays.asList(
              "system",
              "system_schema",
              "system_auth",
              "system_distributed",
              "system_traces",
              "system_views",
              "system_virtual_schema"));

  private final PreparedStatements preparedStatements;
  private final Provisioning provisioning;

  private final ServerSideRetry serverSideRetry;

  RequestCharges(
      PreparedStatements preparedStatements,
      Provisioning provisioning,
      ServerSideRetry serverSideRetry) {
    this.serverSideRetry = serverSideRetry;
    this.preparedStatements = preparedStatements;
    this.provisioning = provisioning;
  }

  Classified classify(Frame request, String connectionKeyspace) {
    Classified classified = classifyStatement(request, connectionKeyspace);
    if (classified.limited()) {
      classified.statements = PartitionKeys.of(request, preparedStatements);
    }
    return classified;
  }

  private Classified classifyStatement(Frame request, String connectionKeyspace) {
    if (request.message instanceof Query) {
      String[] kindAndTable = kindAndTable(((Query) request.message).query, connectionKeyspace);
      return new Classified(kindAndTable[0], kindAndTable[1], statementBytes(request));
    }
    PreparedStatements.Statement prepared = null;
    String text = null;
    if (request.message instanceof Execute) {
      prepared = preparedStatements.lookup(((Execute) request.message).queryId);
    } else if (request.message instanceof Batch
        && !((Batch) request.message).queriesOrIds.isEmpty()) {
      Object first = ((Batch) request.message).queriesOrIds.get(0);
      if (first instanceof String) {
        text = (String) first;
      } else {
        prepared = preparedStatements.lookup((byte[]) first);
      }
    }
    String kind;
    String table;
    if (prepared != null) {
      // Worked out once, when the statement was prepared: executions are the hot path.
      kind = prepared.kind;
      table = prepared.table;
    } else if (text != null) {
      String[] kindAndTable = kindAndTable(text, connectionKeyspace);
      kind = kindAndTable[0];
      table = kindAndTable[1];
    } else {
      return new Classified("OTHER", null, new long[0]);
    }
    return new Classified(
        request.message instanceof Batch ? "WRITE" : kind, table, statementBytes(request));
  }

  /**
   * A statement's kind (READ, WRITE, SCHEMA, OTHER) and qualified table, or null for no user table.
   */
  static String[] kindAndTable(String cql, String keyspace) {
    String statement = withoutLeadingComments(cql);
    String first = statement.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
    String kind =
        first.equals("BEGIN")
                || first.equals("INSERT")
                || first.equals("UPDATE")
                || first.equals("DELETE")
            ? "WRITE"
            : first.equals("SELECT") ? "READ" : SCHEMA_CHANGES.contains(first) ? "SCHEMA" : "OTHER";
    return new String[] {kind, tableOf(statement, keyspace)};
  }

  private static String tableOf(String cql, String keyspace) {
    String statement = cql.replaceFirst("(?is)^BEGIN\\s+(UNLOGGED\\s+|COUNTER\\s+)?BATCH\\s+", "");
    Matcher matcher = TABLE.matcher(statement);
    if (!matcher.matches()) {
      return null;
    }
    String name = matcher.group(1).replace("\"", "").toLowerCase(Locale.ROOT);
    if (!name.contains(".")) {
      if (keyspace == null) {
        return null;
      }
      name = keyspace.toLowerCase(Locale.ROOT) + "." + name;
    }
    // The driver's and SCC's own metadata queries are not the application's requests.
    return SYSTEM_KEYSPACES.contains(name.substring(0, name.indexOf('.'))) ? null : name;
  }

  /** A statement's text without the comments a client may put before it. */
  static String withoutLeadingComments(String cql) {
    String text = cql.trim();
    while (true) {
      if (text.startsWith("--") || text.startsWith("//")) {
        int end = text.indexOf('\n');
        text = end < 0 ? "" : text.substring(end + 1).trim();
      } else if (text.startsWith("/*")) {
        int end = text.indexOf("*/");
        text = end < 0 ? "" : text.substring(end + 2).trim();
      } else {
        return text;
      }
    }
  }

  /**
   * 0 when the request may run now, else the milliseconds the busiest physical partition it needs
   * must wait first. A write draws on the partitions of its rows' keys, a read with a key on that
   * key's partition, a read without one (a scan page, an {@code IN}) on every partition, since its
   * rows may be anywhere.
   */
  long admit(Classified request) {
    return admit(request, true);
  }

  /**
   * As {@link #admit(Classified)}; {@code countRefusal} false for a request server-side retry
   * holds, which no client sees refused.
   */
  long admit(Classified request, boolean countRefusal) {
    if (!request.limited()) {
      return 0;
    }
    boolean write = request.kind.equals("WRITE");
    PhysicalPartitions partitions = provisioning.partitions(request.table);
    int count = partitions.count();
    double[] share = new double[count];
    boolean keyed = write;
    for (PartitionKeys.Statement statement : request.statements) {
      keyed |= statement.keyKnown;
    }
    if (!keyed || request.statements.isEmpty()) {
      java.util.Arrays.fill(share, 1.0 / count);
    } else {
      // Each partition's part of the charge is what its statements would cost alone.
      double total = 0;
      double[] costs = new double[request.statements.size()];
      for (int i = 0; i < costs.length; i++) {
        costs[i] = CostModel.writeRow(request.statements.get(i).bytes);
        total += costs[i];
      }
      for (int i = 0; i < costs.length; i++) {
        share[partitions.partitionOf(request.statements.get(i).key)] += costs[i] / total;
      }
    }
    int touchedCount = 0;
    for (double part : share) {
      touchedCount += part > 0 ? 1 : 0;
    }
    int[] touched = new int[touchedCount];
    for (int i = 0, next = 0; i < count; i++) {
      if (share[i] > 0) {
        touched[next++] = i;
      }
    }
    long now = System.nanoTime();
    long wait = 0;
    for (int index : touched) {
      long partitionWait = partitions.budget(index).waitMillis(now);
      if (partitionWait > 0) {
        if (countRefusal) {
          partitions.budget(index).countRefusal();
        }
        wait = Math.max(wait, partitionWait);
      }
    }
    if (wait > 0) {
      if (countRefusal) {
        partitions.countRefusal();
      }
      return wait;
    }
    // A write's whole cost is known before it runs; a read's only after, so it reserves the least
    // a read costs.
    double reserve = write ? CostModel.write(request.statementBytes) : CostModel.readRow(0);
    double[] reservedIn = new double[count];
    for (int index : touched) {
      reservedIn[index] = reserve * share[index];
      partitions.budget(index).take(reservedIn[index]);
    }
    request.partitions = partitions;
    request.touched = touched;
    request.reservedIn = reservedIn;
    request.shareIn = share;
    request.admittedEpochSecond = System.currentTimeMillis() / 1000;
    return 0;
  }

  /** Counts a write refused with Cosmos status {@code status} at its table. */
  void countWriteFailure(Classified write, int status) {
    provisioning.partitions(write.table).countWriteFailure(status);
  }

  ServerSideRetry serverSideRetry() {
    return serverSideRetry;
  }

  double charge(Classified request, Frame response) {
    double charge = 0;
    if (request.kind.equals("READ")) {
      charge = CostModel.readPage(rowBytes(response));
    } else if (request.kind.equals("WRITE")) {
      charge = CostModel.write(request.statementBytes);
    }
    if (request.limited() && request.partitions != null) {
      // Filed under the second the request was let in, which the client's pacing decides; the
      // second of its answer would move a stalled backend's delay into the client's figures.
      long second = request.admittedEpochSecond;
      long now = System.nanoTime();
      for (int index : request.touched) {
        request
            .partitions
            .budget(index)
            .charge(charge * request.shareIn[index], request.reservedIn[index], now, second);
      }
      request.partitions.countCharge(charge, second);
    }
    return charge;
  }

  /** The bytes of each row a response returns: the sum of its values. */
  static long[] rowBytes(Frame response) {
    if (!(response.message instanceof Rows)) {
      return new long[0];
    }
    return rowBytes((Rows) response.message);
  }

  /** The bytes of each row: the sum of its values. */
  static long[] rowBytes(Rows rows) {
    Queue<List<ByteBuffer>> data = rows.getData();
    long[] sizes = new long[data.size()];
    int row = 0;
    for (List<ByteBuffer> values : data) {
      sizes[row++] = bytes(values);
    }
    return sizes;
  }

  /**
   * The bytes of each statement a request carries: a query's text and values (its literals are in
   * its text), a prepared statement's values, each of a batch's statements. A text batch ({@code
   * BEGIN BATCH ... APPLY BATCH} in one query string) is one statement here: its rows are not
   * counted.
   */
  static long[] statementBytes(Frame request) {
    if (request.message instanceof Query) {
      Query query = (Query) request.message;
      return new long[] {query.query.length() + bytes(query.options.positionalValues)};
    }
    if (request.message instanceof Execute) {
      return new long[] {bytes(((Execute) request.message).options.positionalValues)};
    }
    if (request.message instanceof Batch) {
      Batch batch = (Batch) request.message;
      long[] sizes = new long[batch.queriesOrIds.size()];
      for (int i = 0; i < sizes.length; i++) {
        Object statement = batch.queriesOrIds.get(i);
        long text = statement instanceof String ? ((String) statement).length() : 0;
        sizes[i] = text + (i < batch.values.size() ? bytes(batch.values.get(i)) : 0);
      }
      return sizes;
    }
    return new long[0];
  }

  private static long bytes(List<ByteBuffer> values) {
    long total = 0;
    for (ByteBuffer value : values) {
      total += value == null ? 0 : value.remaining();
    }
    return total;
  }
}

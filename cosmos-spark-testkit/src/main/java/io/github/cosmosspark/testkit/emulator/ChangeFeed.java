package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.DefaultRows;
import com.datastax.oss.protocol.internal.response.result.RawType;
import com.datastax.oss.protocol.internal.response.result.Rows;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cosmos's change feed for the Cassandra API (docs/cosmos-behaviour.md, "Change feed"): a bounded
 * log per table of the partition keys written through the emulator, and the answer to {@code SELECT
 * ... WHERE COSMOS_CHANGEFEED_START_TIME() = '...'} built from it.
 *
 * <p>The log keeps only each partition key's latest change, moved to the end on every write, so the
 * feed lists changed partitions in modification order, each once. The rows themselves are read back
 * from Cassandra when the feed is read: the latest version of each, and nothing for a partition
 * deleted since (Cosmos's feed returns no deletes, and a deleted row must not come back). Recording
 * a write costs a map update on the write's answer, no request to Cassandra.
 *
 * <p>The unit is the partition: a page returns every live row of the partitions it lists, including
 * rows of those partitions not changed since the start time. Only writes whose partition key the
 * emulator can read are logged: prepared statements that bind every partition-key column, alone or
 * in batches (what drivers and the Spark Cassandra Connector send), not literal values in CQL text.
 */
final class ChangeFeed {

  /** Entries kept per table by default; the oldest are dropped beyond it. */
  static final int DEFAULT_MAX_ENTRIES = 1_000_000;

  /** Page size when the request asks for none (driver 4's default). */
  private static final int DEFAULT_PAGE_SIZE = 5000;

  /** The whole placement hash space of a feed range: the top 31 bits of the emulator's hash. */
  static final long HASH_SPACE = 1L << 31;

  private static final int STATE_MAGIC = 0xC0_5F_EE_D1;
  private static final int STATE_BYTES = 4 + 8 + 8 + 8 + 8 + 8;

  private static final Pattern FEED_SELECT =
      Pattern.compile(
          "(?is)\\s*SELECT\\s+(.+?)\\s+FROM\\s+(\\S+?)\\s+WHERE\\s+(.*?COSMOS_CHANGEFEED_.*?)\\s*;?\\s*");
  private static final Pattern AND = Pattern.compile("(?i)\\s+AND\\s+");
  private static final Pattern START_TIME =
      Pattern.compile("(?is)COSMOS_CHANGEFEED_START_TIME\\s*\\(\\s*\\)\\s*=\\s*'([^']*)'");
  private static final Pattern FROM_START =
      Pattern.compile("(?is)COSMOS_CHANGEFEED_FROM_START\\s*\\(\\s*\\)\\s*=\\s*true");
  private static final Pattern FEED_RANGE =
      Pattern.compile("(?is)COSMOS_FEEDRANGE\\s*\\(\\s*\\)\\s*=\\s*'([^']*)'");
  private static final Pattern RANGE_TEXT = Pattern.compile("\\[(\\d+),(\\d+)\\)");
  private static final Pattern FEED_RANGES_SELECT =
      Pattern.compile(
          "(?is)\\s*SELECT\\s+(.+?)\\s+FROM\\s+system_cosmos\\s*\\.\\s*feedranges\\s+WHERE\\s+"
              + "keyspace_name\\s*=\\s*'([^']*)'\\s+AND\\s+table_name\\s*=\\s*'([^']*)'\\s*;?\\s*");

  private static final DateTimeFormatter NO_ZONE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd[ ]['T']HH:mm:ss[.SSS][.SS][.S]", Locale.ROOT);

  /** One changed partition: its serialized key, when it last changed and its place in the log. */
  private static final class Entry {
    final ByteBuffer key;
    final long sequence;
    final long epochMillis;

    Entry(ByteBuffer key, long sequence, long epochMillis) {
      this.key = key;
      this.sequence = sequence;
      this.epochMillis = epochMillis;
    }
  }

  /** One incarnation of a table (created again, it gets a new log and a new number). */
  private static final class TableLog {
    final long incarnation;
    final TreeMap<Long, Entry> bySequence = new TreeMap<>();
    final Map<ByteBuffer, Entry> byKey = new HashMap<>();
    // The table's partition-key columns in key order, learnt when a write to it is prepared.
    volatile List<String> keyColumns;
    long lastMillis;
    long lastSequence;

    TableLog(long incarnation) {
      this.incarnation = incarnation;
    }
  }

  /** A parsed feed query. */
  static final class Request {
    final String table;
    final String selection;
    final long startMillis;
    final long rangeLow;
    final long rangeHigh;

    Request(String table, String selection, long startMillis, long rangeLow, long rangeHigh) {
      this.table = table;
      this.selection = selection;
      this.startMillis = startMillis;
      this.rangeLow = rangeLow;
      this.rangeHigh = rangeHigh;
    }
  }

  /** A page being read back from Cassandra: the keys it lists, in feed order, and its state. */
  static final class Page {
    final List<ByteBuffer> keys;
    final List<String> keyColumns;
    final ByteBuffer pagingState;

    Page(List<ByteBuffer> keys, List<String> keyColumns, ByteBuffer pagingState) {
      this.keys = keys;
      this.keyColumns = keyColumns;
      this.pagingState = pagingState;
    }

    /** A page listing no partition, at {@code pagingState}. */
    static Page empty(ByteBuffer pagingState) {
      return new Page(Collections.<ByteBuffer>emptyList(), null, pagingState);
    }
  }

  /**
   * A feed query or a {@code system_cosmos.feedranges} read prepared through the emulator: its
   * text, the connection's keyspace, and the type of each {@code ?} in order.
   */
  static final class PreparedFeed {
    final String cql;
    final String keyspace;
    final List<RawType> markers;

    PreparedFeed(String cql, String keyspace, List<RawType> markers) {
      this.cql = cql;
      this.keyspace = keyspace;
      this.markers = markers;
    }

    /** The statement with its bound values written in as literals, or null if one is missing. */
    String bind(List<ByteBuffer> values) {
      StringBuilder out = new StringBuilder();
      boolean quoted = false;
      int next = 0;
      for (int i = 0; i < cql.length(); i++) {
        char c = cql.charAt(i);
        if (c == '\'') {
          quoted = !quoted;
        }
        if (c != '?' || quoted) {
          out.append(c);
          continue;
        }
        if (next >= values.size() || values.get(next) == null) {
          return null;
        }
        ByteBuffer value = values.get(next).duplicate();
        String literal;
        if (markers.get(next) == TIMESTAMP) {
          literal = Instant.ofEpochMilli(value.getLong()).toString();
        } else {
          byte[] bytes = new byte[value.remaining()];
          value.get(bytes);
          literal = new String(bytes, StandardCharsets.UTF_8).replace("'", "''");
        }
        out.append('\'').append(literal).append('\'');
        next++;
      }
      return out.toString();
    }
  }

  private static final RawType TEXT = RawType.PRIMITIVES.get(ProtocolConstants.DataType.VARCHAR);
  private static final RawType TIMESTAMP =
      RawType.PRIMITIVES.get(ProtocolConstants.DataType.TIMESTAMP);
  private static final Pattern MARKER =
      Pattern.compile(
          "(?is)(COSMOS_CHANGEFEED_START_TIME\\s*\\(\\s*\\)|COSMOS_FEEDRANGE\\s*\\(\\s*\\)"
              + "|keyspace_name|table_name)\\s*=\\s*\\?");

  private final Map<String, PreparedFeed> prepared = new ConcurrentHashMap<>();
  private final Provisioning provisioning;
  private final int maxEntries;
  private final Map<String, TableLog> tables = new ConcurrentHashMap<>();
  private final AtomicLong incarnations = new AtomicLong();

  ChangeFeed(Provisioning provisioning, int maxEntries) {
    this.provisioning = provisioning;
    this.maxEntries = maxEntries;
  }

  private TableLog log(String table) {
    return tables.computeIfAbsent(table, t -> new TableLog(incarnations.incrementAndGet()));
  }

  /** The table was created (again): a paging state from before no longer applies. */
  void tableCreated(String table) {
    tables.put(table, new TableLog(incarnations.incrementAndGet()));
  }

  void tableDropped(String table) {
    tables.remove(table);
  }

  void keyspaceDropped(String keyspace) {
    tables.keySet().removeIf(name -> name.startsWith(keyspace + "."));
  }

  /** Remembers a table's partition-key columns from a prepared write's bound variables. */
  void learnKeyColumns(String table, List<ColumnSpec> variables, int[] keyIndices) {
    if (table == null || keyIndices == null || keyIndices.length == 0) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (int index : keyIndices) {
      names.add(variables.get(index).name);
    }
    TableLog log = log(table);
    if (log.keyColumns == null) {
      log.keyColumns = Collections.unmodifiableList(names);
    }
  }

  /** A write Cassandra applied: each statement's partition becomes the newest change. */
  void written(RequestCharges.Classified write) {
    TableLog log = null;
    long now = System.currentTimeMillis();
    for (PartitionKeys.Statement statement : write.statements) {
      if (!statement.keyKnown) {
        continue;
      }
      if (log == null) {
        log = log(write.table);
      }
      ByteBuffer key = copy(statement.key);
      synchronized (log) {
        // Never backwards, so that the log is in time order as well as in sequence order.
        log.lastMillis = Math.max(log.lastMillis, now);
        Entry previous = log.byKey.remove(key);
        if (previous != null) {
          log.bySequence.remove(previous.sequence);
        }
        long sequence = ++log.lastSequence;
        Entry entry = new Entry(key, sequence, log.lastMillis);
        log.byKey.put(key, entry);
        log.bySequence.put(sequence, entry);
        while (log.bySequence.size() > maxEntries) {
          Entry oldest = log.bySequence.pollFirstEntry().getValue();
          log.byKey.remove(oldest.key);
        }
      }
    }
  }

  /** The entries a table's log holds now. */
  int entries(String table) {
    TableLog log = tables.get(table);
    if (log == null) {
      return 0;
    }
    synchronized (log) {
      return log.bySequence.size();
    }
  }

  /** Whether {@code cql} is a change-feed read: a SELECT with a COSMOS_CHANGEFEED_ predicate. */
  static boolean isFeedQuery(String cql) {
    return cql.regionMatches(true, cql.indexOf(cql.trim()), "SELECT", 0, 6)
        && cql.toUpperCase(Locale.ROOT).contains("COSMOS_CHANGEFEED_");
  }

  /**
   * The answer to preparing {@code cql} when it is a feed query or a read of {@code
   * system_cosmos.feedranges}, or null for another statement. A start time binds as a {@code
   * timestamp} (as Microsoft's feed-range sample binds it), a feed range and names as text.
   */
  com.datastax.oss.protocol.internal.Message prepare(String cql, String keyspace) {
    boolean ranges = cql.toLowerCase(Locale.ROOT).contains("system_cosmos");
    if (!ranges && !isFeedQuery(cql)) {
      return null;
    }
    List<RawType> markers = new ArrayList<>();
    List<ColumnSpec> variables = new ArrayList<>();
    Matcher marker = MARKER.matcher(cql);
    while (marker.find()) {
      String name = marker.group(1).toLowerCase(Locale.ROOT);
      RawType type = name.startsWith("cosmos_changefeed_start_time") ? TIMESTAMP : TEXT;
      String column = name.replaceAll("[^a-z_]", "");
      variables.add(new ColumnSpec("system_cosmos", "changefeed", column, markers.size(), type));
      markers.add(type);
    }
    byte[] id;
    try {
      java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
      md5.update("cosmos-emulator/change-feed/".getBytes(StandardCharsets.UTF_8));
      md5.update(String.valueOf(keyspace).getBytes(StandardCharsets.UTF_8));
      id = md5.digest(cql.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JVM", e);
    }
    prepared.put(
        java.util.Base64.getEncoder().encodeToString(id), new PreparedFeed(cql, keyspace, markers));
    // No result columns: the driver then asks for them with every page (they depend on the table).
    return new com.datastax.oss.protocol.internal.response.result.Prepared(
        id,
        null,
        new RowsMetadata(variables, null, new int[0], null),
        new RowsMetadata(Collections.<ColumnSpec>emptyList(), null, new int[0], null));
  }

  /** A statement prepared by {@link #prepare}, or null. */
  PreparedFeed prepared(byte[] id) {
    return prepared.get(java.util.Base64.getEncoder().encodeToString(id));
  }

  /** A feed query parsed, or an {@link Error} answering it. */
  Object parse(String cql, String keyspace) {
    Matcher matcher = FEED_SELECT.matcher(cql);
    if (!matcher.matches()) {
      return invalid(
          "The Cosmos emulator reads a change feed only from SELECT ... FROM table WHERE"
              + " COSMOS_CHANGEFEED_START_TIME() = '<time>' [AND COSMOS_FEEDRANGE() = '<range>']");
    }
    String table = RequestCharges.kindAndTable("SELECT * FROM " + matcher.group(2), keyspace)[1];
    if (table == null) {
      return invalid("No keyspace has been specified for the change feed's table");
    }
    Long start = null;
    long low = 0;
    long high = HASH_SPACE;
    for (String condition : AND.split(matcher.group(3))) {
      Matcher startTime = START_TIME.matcher(condition);
      Matcher range = FEED_RANGE.matcher(condition);
      if (startTime.matches()) {
        start = parseTime(startTime.group(1));
        if (start == null) {
          return invalid(
              "Invalid COSMOS_CHANGEFEED_START_TIME() value '"
                  + startTime.group(1)
                  + "': expected yyyy-MM-dd HH:mm:ss (read as UTC) or an ISO-8601 instant");
        }
      } else if (FROM_START.matcher(condition).matches()) {
        start = Long.MIN_VALUE;
      } else if (range.matches()) {
        long[] bounds = parseRange(range.group(1));
        if (bounds == null) {
          return invalid("Invalid COSMOS_FEEDRANGE() value '" + range.group(1) + "'");
        }
        low = bounds[0];
        high = bounds[1];
      } else {
        return invalid(
            "The Cosmos emulator's change feed reads no condition other than"
                + " COSMOS_CHANGEFEED_START_TIME(), COSMOS_CHANGEFEED_FROM_START() and"
                + " COSMOS_FEEDRANGE(), got: "
                + condition.trim());
      }
    }
    if (start == null) {
      return invalid("A change feed query needs COSMOS_CHANGEFEED_START_TIME() = '<time>'");
    }
    return new Request(table, matcher.group(1).trim(), start, low, high);
  }

  /**
   * The next page of {@code request}: the keys to read back, or an {@link Error}. The page lists up
   * to {@code pageSize} changed partitions after the paging state's position (or from the start
   * time), and carries a paging state even when it lists none, so that the client polls again.
   */
  Object nextPage(Request request, int pageSize, ByteBuffer pagingState) {
    TableLog log = tables.get(request.table);
    if (log == null) {
      log = log(request.table);
    }
    long after = 0;
    long startMillis = request.startMillis;
    long low = request.rangeLow;
    long high = request.rangeHigh;
    if (pagingState != null) {
      ByteBuffer state = pagingState.duplicate();
      if (state.remaining() != STATE_BYTES || state.getInt() != STATE_MAGIC) {
        return new Error(
            ProtocolConstants.ErrorCode.PROTOCOL_ERROR, "Invalid value for the paging state");
      }
      long incarnation = state.getLong();
      after = state.getLong();
      startMillis = state.getLong();
      low = state.getLong();
      high = state.getLong();
      if (incarnation != log.incarnation) {
        // Cosmos refuses it too (Learn, cassandra/change-feed); its text is not published.
        return invalid(
            "The paging state is from a change feed of an earlier table named "
                + request.table
                + " (dropped and created again): start again without a paging state");
      }
      if (low != request.rangeLow || high != request.rangeHigh) {
        return invalid("The paging state is from another feed range of " + request.table);
      }
    }
    List<String> keyColumns = log.keyColumns;
    PhysicalPartitions partitions = provisioning.partitions(request.table);
    int size = pageSize > 0 ? pageSize : DEFAULT_PAGE_SIZE;
    List<ByteBuffer> keys = new ArrayList<>();
    long position = after;
    synchronized (log) {
      for (Entry entry : log.bySequence.tailMap(after, false).values()) {
        if (keys.size() >= size) {
          break;
        }
        position = entry.sequence;
        if (entry.epochMillis < startMillis) {
          continue;
        }
        long place = partitions.hashPosition(entry.key);
        if (place < low || place >= high) {
          continue;
        }
        keys.add(entry.key);
      }
    }
    if (!keys.isEmpty() && keyColumns == null) {
      return invalid("The Cosmos emulator does not know the partition key of " + request.table);
    }
    return new Page(keys, keyColumns, state(log.incarnation, position, startMillis, low, high));
  }

  /** The paging state of a feed not read yet: before the first change after its start time. */
  ByteBuffer startState(Request request) {
    return state(
        log(request.table).incarnation,
        0,
        request.startMillis,
        request.rangeLow,
        request.rangeHigh);
  }

  private static ByteBuffer state(
      long incarnation, long position, long startMillis, long low, long high) {
    ByteBuffer state = ByteBuffer.allocate(STATE_BYTES);
    state.putInt(STATE_MAGIC).putLong(incarnation).putLong(position).putLong(startMillis);
    state.putLong(low).putLong(high).flip();
    return state;
  }

  /** Keeps the logs in step with the schema: a created table starts a new incarnation. */
  void schemaChanged(String changeType, String target, String keyspace, String object) {
    if ("TABLE".equals(target) && "CREATED".equals(changeType)) {
      tableCreated(keyspace + "." + object);
    } else if ("TABLE".equals(target) && "DROPPED".equals(changeType)) {
      tableDropped(keyspace + "." + object);
    } else if ("KEYSPACE".equals(target) && "DROPPED".equals(changeType)) {
      keyspaceDropped(keyspace);
    }
  }

  /**
   * The query that reads a page's partitions back from Cassandra: an {@code IN} on each partition
   * key column (a superset for a composite key, filtered in {@link #rows}).
   */
  static Query readBack(Request request, Page page, QueryOptions client) {
    StringBuilder cql = new StringBuilder("SELECT ").append(request.selection).append(" FROM ");
    String[] name = request.table.split("\\.", 2);
    cql.append('"').append(name[0]).append("\".\"").append(name[1]).append('"');
    List<ByteBuffer> values = new ArrayList<>();
    List<String> columns = page.keyColumns;
    if (page.keys.isEmpty()) {
      // No partition to read: one row at most, read for the columns the driver needs even on an
      // empty page, and dropped.
      return new Query(
          cql.append(" LIMIT 1").toString(), options(client, Collections.<ByteBuffer>emptyList()));
    }
    for (int c = 0; c < columns.size(); c++) {
      Set<ByteBuffer> distinct = new LinkedHashSet<>();
      for (ByteBuffer key : page.keys) {
        distinct.add(columns.size() == 1 ? key : component(key, c));
      }
      cql.append(c == 0 ? " WHERE " : " AND ").append('"').append(columns.get(c)).append("\" IN (");
      int i = 0;
      for (ByteBuffer value : distinct) {
        cql.append(i++ == 0 ? "?" : ", ?");
        values.add(value);
      }
      cql.append(')');
    }
    return new Query(cql.toString(), options(client, values));
  }

  /** The client's consistency, with metadata, unpaged, and none of its feed's paging state. */
  private static QueryOptions options(QueryOptions client, List<ByteBuffer> values) {
    return new QueryOptions(
        client.consistency,
        values,
        Collections.<String, ByteBuffer>emptyMap(),
        false,
        -1,
        null,
        client.serialConsistency,
        Long.MIN_VALUE,
        null,
        Integer.MIN_VALUE);
  }

  /**
   * The page the client gets from Cassandra's rows: each listed partition's rows in feed order,
   * with the feed's paging state; or an error when the key columns are not selected.
   */
  static Object rows(Rows fromCassandra, Page page) {
    RowsMetadata metadata = fromCassandra.getMetadata();
    List<ColumnSpec> specs = metadata.columnSpecs;
    Map<ByteBuffer, List<List<ByteBuffer>>> byKey = new LinkedHashMap<>();
    if (!page.keys.isEmpty()) {
      int[] keyIndices = new int[page.keyColumns.size()];
      for (int k = 0; k < keyIndices.length; k++) {
        keyIndices[k] = -1;
        for (ColumnSpec spec : specs) {
          if (spec.name.equals(page.keyColumns.get(k))) {
            keyIndices[k] = spec.index;
          }
        }
        if (keyIndices[k] < 0) {
          return invalid(
              "The Cosmos emulator's change feed needs the partition key columns "
                  + page.keyColumns
                  + " among those selected");
        }
      }
      for (List<ByteBuffer> row : fromCassandra.getData()) {
        ByteBuffer key = PartitionKeys.compose(row, keyIndices);
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
      }
    }
    Queue<List<ByteBuffer>> data = new ArrayDeque<>();
    for (ByteBuffer key : page.keys) {
      List<List<ByteBuffer>> rows = byKey.get(key);
      if (rows != null) {
        data.addAll(rows);
      }
    }
    // The read-back always asks for metadata; the client's request may not have, which only
    // costs it bytes.
    RowsMetadata answer = new RowsMetadata(specs, page.pagingState, new int[0], null);
    return new DefaultRows(answer, data);
  }

  /**
   * The answer to a read of {@code system_cosmos.feedranges} in its simple form, or null for
   * another statement: one range per physical partition of the table, as an opaque string.
   */
  Object feedRanges(String cql) {
    Matcher matcher = FEED_RANGES_SELECT.matcher(cql);
    if (!matcher.matches()) {
      if (cql.toLowerCase(Locale.ROOT).contains("system_cosmos")) {
        return invalid(
            "The Cosmos emulator answers system_cosmos.feedranges only as SELECT range"
                + " FROM system_cosmos.feedranges WHERE keyspace_name = '<ks>' AND table_name = '<t>'");
      }
      return null;
    }
    if (!matcher.group(1).trim().equalsIgnoreCase("range")) {
      return invalid("system_cosmos.feedranges has only the column range in the emulator");
    }
    String table = (matcher.group(2) + "." + matcher.group(3)).toLowerCase(Locale.ROOT);
    int count = provisioning.partitions(table).count();
    Queue<List<ByteBuffer>> data = new ArrayDeque<>();
    for (String range : ranges(count)) {
      data.add(Collections.singletonList(ByteBuffer.wrap(range.getBytes(StandardCharsets.UTF_8))));
    }
    RawType text = RawType.PRIMITIVES.get(ProtocolConstants.DataType.VARCHAR);
    RowsMetadata metadata =
        new RowsMetadata(
            Collections.singletonList(
                new ColumnSpec("system_cosmos", "feedranges", "range", 0, text)),
            null,
            new int[0],
            null);
    return new DefaultRows(metadata, data);
  }

  /**
   * The emulator's feed ranges for {@code count} physical partitions: the ranges of the placement
   * hash each partition owns ({@link PhysicalPartitions#indexOf}), written {@code [low,high)}.
   */
  static List<String> ranges(int count) {
    List<String> ranges = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ranges.add("[" + lowBound(i, count) + "," + lowBound(i + 1, count) + ")");
    }
    return ranges;
  }

  /** The least hash position partition {@code i} of {@code count} owns. */
  private static long lowBound(int i, int count) {
    // indexOf gives floor(position * count / 2^31): partition i starts at ceil(i * 2^31 / count).
    return (i * HASH_SPACE + count - 1) / count;
  }

  private static long[] parseRange(String text) {
    Matcher matcher = RANGE_TEXT.matcher(text.trim());
    if (!matcher.matches()) {
      return null;
    }
    try {
      long low = Long.parseLong(matcher.group(1));
      long high = Long.parseLong(matcher.group(2));
      return low < high && high <= HASH_SPACE ? new long[] {low, high} : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * A start time: an ISO-8601 instant ({@code 2024-01-01T00:00:00.000Z}, as Microsoft's C# code
   * sends), or a time without a zone ({@code yyyy-MM-dd HH:mm:ss}, as its Java code sends), read as
   * UTC: how Cosmos reads a time without a zone is not documented.
   */
  static Long parseTime(String text) {
    try {
      return Instant.parse(text.trim()).toEpochMilli();
    } catch (DateTimeParseException notAnInstant) {
      try {
        return LocalDateTime.parse(text.trim(), NO_ZONE).toInstant(ZoneOffset.UTC).toEpochMilli();
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }

  /** Component {@code c} of a composite key (length, bytes, 0 for each). */
  private static ByteBuffer component(ByteBuffer key, int c) {
    ByteBuffer buffer = key.duplicate();
    for (int i = 0; ; i++) {
      int length = buffer.getShort() & 0xFFFF;
      if (i == c) {
        ByteBuffer value = buffer.slice();
        value.limit(length);
        return value;
      }
      buffer.position(buffer.position() + length + 1);
    }
  }

  private static ByteBuffer copy(ByteBuffer value) {
    ByteBuffer source = value.duplicate();
    byte[] bytes = new byte[source.remaining()];
    source.get(bytes);
    return ByteBuffer.wrap(bytes);
  }

  private static Error invalid(String message) {
    return new Error(ProtocolConstants.ErrorCode.INVALID, message);
  }
}

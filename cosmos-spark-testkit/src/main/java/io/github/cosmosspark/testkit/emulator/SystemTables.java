package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.DefaultRows;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.RawType;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers the queries clients send about the cluster ({@code system.local}, {@code system.peers},
 * {@code system.size_estimates}) the way Cosmos answers them, from {@link Topology}, instead of
 * passing on the single-node view of the Cassandra behind the emulator: as simple queries and as
 * prepared statements. The tables have Cassandra 3.11's columns, the release Cosmos reports; a
 * table 3.11 does not have and that would show the backend's topology ({@code system.peers_v2},
 * {@code system.table_estimates}) is refused as 3.11 refuses it, with {@code Invalid} "unconfigured
 * table", which makes driver 4 fall back to {@code system.peers}. Other system tables pass through.
 *
 * <p>Only what drivers, the Spark Cassandra Connector and cqlsh send is understood: {@code SELECT}
 * of {@code *} or of columns, with {@code column = value} conditions joined by {@code AND} (a
 * literal, {@code ?} or {@code :name}), {@code LIMIT} and {@code ALLOW FILTERING}. Anything else on
 * these tables is refused with {@code Invalid}, never passed on, so the backend's topology cannot
 * leak.
 */
final class SystemTables {

  private static final ProtocolVersion V4 = ProtocolVersion.V4;
  private static final String SYSTEM = "system";

  private static final Pattern SELECT =
      Pattern.compile(
          "(?is)SELECT\\s+(.+?)\\s+FROM\\s+((?:\"[^\"]+\"|\\w+)(?:\\s*\\.\\s*(?:\"[^\"]+\"|\\w+))?)"
              + "(?:\\s+WHERE\\s+(.+?))?(?:\\s+LIMIT\\s+(\\d+))?(?:\\s+ALLOW\\s+FILTERING)?\\s*;?\\s*");
  private static final Pattern CONDITION =
      Pattern.compile("(?s)\\s*(\"[^\"]+\"|\\w+)\\s*=\\s*(.+?)\\s*");
  private static final Pattern AND = Pattern.compile("(?i)\\s+AND\\s+");
  private static final Pattern IDENTIFIER = Pattern.compile("\\s*(\"[^\"]+\"|\\w+)\\s*");

  /** One column: its name, its type on the wire and the driver's codec for its values. */
  private static final class Column {
    final String name;
    final RawType rawType;
    final TypeCodec<Object> codec;

    @SuppressWarnings("unchecked")
    Column(String name, RawType rawType, TypeCodec<?> codec) {
      this.name = name;
      this.rawType = rawType;
      this.codec = (TypeCodec<Object>) codec;
    }
  }

  /** A table's columns in the order Cassandra 3.11 returns them for {@code SELECT *}. */
  private static final class Table {
    final String name;
    final List<Column> columns;
    final int partitionKeyColumns;

    Table(String name, int partitionKeyColumns, Column... columns) {
      this.name = name;
      this.partitionKeyColumns = partitionKeyColumns;
      this.columns = Collections.unmodifiableList(Arrays.asList(columns));
    }

    Column column(String name) {
      for (Column column : columns) {
        if (column.name.equals(name)) {
          return column;
        }
      }
      return null;
    }
  }

  private static final RawType TEXT = primitive(ProtocolConstants.DataType.VARCHAR);
  private static final RawType INET = primitive(ProtocolConstants.DataType.INET);
  private static final RawType UUID_TYPE = primitive(ProtocolConstants.DataType.UUID);
  private static final RawType INT = primitive(ProtocolConstants.DataType.INT);
  private static final RawType BIGINT = primitive(ProtocolConstants.DataType.BIGINT);
  private static final RawType BLOB = primitive(ProtocolConstants.DataType.BLOB);

  // Cassandra 3.11's system.local (SystemKeyspace.LocalMetadata): key first, then by name.
  private static final Table LOCAL =
      new Table(
          "local",
          1,
          new Column("key", TEXT, TypeCodecs.TEXT),
          new Column("bootstrapped", TEXT, TypeCodecs.TEXT),
          new Column("broadcast_address", INET, TypeCodecs.INET),
          new Column("cluster_name", TEXT, TypeCodecs.TEXT),
          new Column("cql_version", TEXT, TypeCodecs.TEXT),
          new Column("data_center", TEXT, TypeCodecs.TEXT),
          new Column("gossip_generation", INT, TypeCodecs.INT),
          new Column("host_id", UUID_TYPE, TypeCodecs.UUID),
          new Column("listen_address", INET, TypeCodecs.INET),
          new Column("native_protocol_version", TEXT, TypeCodecs.TEXT),
          new Column("partitioner", TEXT, TypeCodecs.TEXT),
          new Column("rack", TEXT, TypeCodecs.TEXT),
          new Column("release_version", TEXT, TypeCodecs.TEXT),
          new Column("rpc_address", INET, TypeCodecs.INET),
          new Column("schema_version", UUID_TYPE, TypeCodecs.UUID),
          new Column("thrift_version", TEXT, TypeCodecs.TEXT),
          new Column("tokens", new RawType.RawSet(TEXT), TypeCodecs.setOf(TypeCodecs.TEXT)),
          new Column(
              "truncated_at",
              new RawType.RawMap(UUID_TYPE, BLOB),
              TypeCodecs.mapOf(TypeCodecs.UUID, TypeCodecs.BLOB)));

  // Cassandra 3.11's system.peers (SystemKeyspace.PeersMetadata).
  private static final Table PEERS =
      new Table(
          "peers",
          1,
          new Column("peer", INET, TypeCodecs.INET),
          new Column("data_center", TEXT, TypeCodecs.TEXT),
          new Column("host_id", UUID_TYPE, TypeCodecs.UUID),
          new Column("preferred_ip", INET, TypeCodecs.INET),
          new Column("rack", TEXT, TypeCodecs.TEXT),
          new Column("release_version", TEXT, TypeCodecs.TEXT),
          new Column("rpc_address", INET, TypeCodecs.INET),
          new Column("schema_version", UUID_TYPE, TypeCodecs.UUID),
          new Column("tokens", new RawType.RawSet(TEXT), TypeCodecs.setOf(TypeCodecs.TEXT)));

  // Cassandra 3.11's system.size_estimates (SystemKeyspace.SizeEstimates).
  private static final Table SIZE_ESTIMATES =
      new Table(
          "size_estimates",
          1,
          new Column("keyspace_name", TEXT, TypeCodecs.TEXT),
          new Column("table_name", TEXT, TypeCodecs.TEXT),
          new Column("range_start", TEXT, TypeCodecs.TEXT),
          new Column("range_end", TEXT, TypeCodecs.TEXT),
          new Column("mean_partition_size", BIGINT, TypeCodecs.BIGINT),
          new Column("partitions_count", BIGINT, TypeCodecs.BIGINT));

  private static final Map<String, Table> TABLES = new HashMap<>();

  static {
    for (Table table : Arrays.asList(LOCAL, PEERS, SIZE_ESTIMATES)) {
      TABLES.put(table.name, table);
    }
  }

  /** Tables of Cassandra 4 and later that Cassandra 3.11 lacks and that show the topology. */
  private static final List<String> ABSENT = Arrays.asList("peers_v2", "table_estimates");

  /** A {@code column = value} condition; the value a literal's bytes or a bind marker. */
  private static final class Condition {
    final Column column;
    final ByteBuffer literal;
    final String marker; // the name of a named marker, null for ? or a literal
    final boolean bound;

    Condition(Column column, ByteBuffer literal, String marker, boolean bound) {
      this.column = column;
      this.literal = literal;
      this.marker = marker;
      this.bound = bound;
    }
  }

  /** A parsed {@code SELECT} on one of the emulator's system tables. */
  private static final class Select {
    final Table table;
    final List<Column> selected;
    final List<Condition> conditions;
    final int limit;

    Select(Table table, List<Column> selected, List<Condition> conditions, int limit) {
      this.table = table;
      this.selected = selected;
      this.conditions = conditions;
      this.limit = limit;
    }

    List<Condition> markers() {
      List<Condition> markers = new ArrayList<>();
      for (Condition condition : conditions) {
        if (condition.bound) {
          markers.add(condition);
        }
      }
      return markers;
    }
  }

  /** What parsing found: a statement to run, an error to answer, or neither (pass it on). */
  private static final class Parsed {
    final Select select;
    final Error error;

    Parsed(Select select, Error error) {
      this.select = select;
      this.error = error;
    }
  }

  private final Topology topology;
  // Statements prepared on these tables, by id: shared by every connection, as Cassandra's are.
  private final Map<String, Select> prepared = new ConcurrentHashMap<>();

  SystemTables(Topology topology) {
    this.topology = topology;
  }

  /**
   * The answer to {@code request} when it is about one of the tables the emulator answers itself,
   * or null to pass it on.
   *
   * @param keyspace the connection's {@code USE} keyspace, or null
   * @param endpoint the address the client connected to: the node's address in its answers
   */
  Message answer(Message request, String keyspace, InetAddress endpoint) {
    if (request instanceof Query) {
      Parsed parsed = parse(((Query) request).query, keyspace);
      if (parsed == null) {
        return null;
      }
      if (parsed.error != null) {
        return parsed.error;
      }
      return run(parsed.select, ((Query) request).options, endpoint);
    }
    if (request instanceof Prepare) {
      Prepare prepare = (Prepare) request;
      String statementKeyspace = prepare.keyspace != null ? prepare.keyspace : keyspace;
      Parsed parsed = parse(prepare.cqlQuery, statementKeyspace);
      if (parsed == null) {
        return null;
      }
      if (parsed.error != null) {
        return parsed.error;
      }
      byte[] id = preparedId(prepare.cqlQuery, statementKeyspace);
      prepared.put(Base64.getEncoder().encodeToString(id), parsed.select);
      return prepared(id, parsed.select);
    }
    if (request instanceof Execute) {
      Execute execute = (Execute) request;
      Select select = prepared.get(Base64.getEncoder().encodeToString(execute.queryId));
      return select == null ? null : run(select, execute.options, endpoint);
    }
    return null;
  }

  /** Null when the statement is not a read of one of the emulator's system tables. */
  private static Parsed parse(String cql, String keyspace) {
    String text = RequestCharges.withoutLeadingComments(cql);
    if (!text.regionMatches(true, 0, "SELECT", 0, 6)) {
      return null;
    }
    Matcher matcher = SELECT.matcher(text);
    String[] name;
    if (matcher.matches()) {
      name = qualifiedName(matcher.group(2), keyspace);
    } else {
      // Not a shape the emulator reads, but it may still name one of its tables.
      Matcher from = Pattern.compile("(?is).*?\\sFROM\\s+(\\S+).*").matcher(text);
      if (!from.matches()) {
        return null;
      }
      name = qualifiedName(from.group(1), keyspace);
    }
    if (name == null || !SYSTEM.equals(name[0])) {
      return null;
    }
    if (ABSENT.contains(name[1])) {
      // Cassandra 3.11's answer for a table it does not have.
      return new Parsed(
          null, new Error(ProtocolConstants.ErrorCode.INVALID, "unconfigured table " + name[1]));
    }
    Table table = TABLES.get(name[1]);
    if (table == null) {
      return null;
    }
    if (!matcher.matches()) {
      return unsupported(table);
    }
    List<Column> selected = new ArrayList<>();
    String selection = matcher.group(1).trim();
    if (selection.equals("*")) {
      selected.addAll(table.columns);
    } else {
      for (String item : selection.split(",")) {
        Matcher identifier = IDENTIFIER.matcher(item);
        if (!identifier.matches()) {
          return unsupported(table);
        }
        Column column = table.column(identifierName(identifier.group(1)));
        if (column == null) {
          return undefinedColumn(identifier.group(1));
        }
        selected.add(column);
      }
    }
    List<Condition> conditions = new ArrayList<>();
    if (matcher.group(3) != null) {
      for (String part : AND.split(matcher.group(3).trim())) {
        Matcher condition = CONDITION.matcher(part);
        if (!condition.matches()) {
          return unsupported(table);
        }
        Column column = table.column(identifierName(condition.group(1)));
        if (column == null) {
          return undefinedColumn(condition.group(1));
        }
        String value = condition.group(2);
        if (value.equals("?")) {
          conditions.add(new Condition(column, null, column.name, true));
        } else if (value.startsWith(":")) {
          conditions.add(new Condition(column, null, identifierName(value.substring(1)), true));
        } else {
          Object parsedValue;
          try {
            parsedValue = column.codec.parse(value);
          } catch (RuntimeException e) {
            return new Parsed(
                null,
                new Error(
                    ProtocolConstants.ErrorCode.INVALID,
                    "Invalid value " + value + " for column " + column.name));
          }
          conditions.add(new Condition(column, column.codec.encode(parsedValue, V4), null, false));
        }
      }
    }
    int limit = matcher.group(4) == null ? Integer.MAX_VALUE : Integer.parseInt(matcher.group(4));
    return new Parsed(new Select(table, selected, conditions, limit), null);
  }

  /** {keyspace, table} in lower case unless quoted, or null without a keyspace. */
  private static String[] qualifiedName(String text, String keyspace) {
    String[] parts = text.split("\\s*\\.\\s*", 2);
    if (parts.length == 1) {
      return keyspace == null ? null : new String[] {keyspace, identifierName(parts[0])};
    }
    return new String[] {identifierName(parts[0]), identifierName(parts[1])};
  }

  private static String identifierName(String text) {
    String trimmed = text.trim();
    if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
      return trimmed.substring(1, trimmed.length() - 1);
    }
    return trimmed.toLowerCase(Locale.ROOT);
  }

  private static Parsed unsupported(Table table) {
    return new Parsed(
        null,
        new Error(
            ProtocolConstants.ErrorCode.INVALID,
            "The Cosmos emulator answers system."
                + table.name
                + " itself and reads only SELECT * or a list of its columns, with column = value"
                + " conditions joined by AND, LIMIT and ALLOW FILTERING"));
  }

  private static Parsed undefinedColumn(String name) {
    // Cassandra 3.11's text.
    return new Parsed(
        null,
        new Error(
            ProtocolConstants.ErrorCode.INVALID, "Undefined column name " + identifierName(name)));
  }

  private static byte[] preparedId(String cql, String keyspace) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update("cosmos-emulator/system-tables/".getBytes(StandardCharsets.UTF_8));
      if (keyspace != null) {
        md5.update(keyspace.getBytes(StandardCharsets.UTF_8));
      }
      return md5.digest(cql.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JVM", e);
    }
  }

  private static Prepared prepared(byte[] id, Select select) {
    List<Condition> markers = select.markers();
    List<ColumnSpec> variables = new ArrayList<>();
    int[] keyIndices = new int[select.table.partitionKeyColumns];
    Arrays.fill(keyIndices, -1);
    for (int i = 0; i < markers.size(); i++) {
      Condition marker = markers.get(i);
      variables.add(
          new ColumnSpec(SYSTEM, select.table.name, marker.marker, i, marker.column.rawType));
      int column = select.table.columns.indexOf(marker.column);
      if (column < keyIndices.length) {
        keyIndices[column] = i;
      }
    }
    for (int index : keyIndices) {
      if (index < 0) {
        keyIndices = new int[0];
        break;
      }
    }
    return new Prepared(
        id,
        null,
        new RowsMetadata(variables, null, keyIndices, null),
        new RowsMetadata(columnSpecs(select), null, new int[0], null));
  }

  private static List<ColumnSpec> columnSpecs(Select select) {
    List<ColumnSpec> specs = new ArrayList<>();
    for (int i = 0; i < select.selected.size(); i++) {
      Column column = select.selected.get(i);
      specs.add(new ColumnSpec(SYSTEM, select.table.name, column.name, i, column.rawType));
    }
    return specs;
  }

  private Message run(Select select, QueryOptions options, InetAddress endpoint) {
    List<ByteBuffer> boundValues = new ArrayList<>();
    List<Condition> markers = select.markers();
    for (int i = 0; i < markers.size(); i++) {
      Condition marker = markers.get(i);
      if (options.positionalValues.size() > i) {
        boundValues.add(options.positionalValues.get(i));
      } else if (options.namedValues.containsKey(marker.marker)) {
        boundValues.add(options.namedValues.get(marker.marker));
      } else {
        return new Error(
            ProtocolConstants.ErrorCode.INVALID,
            "Invalid amount of bind variables: expected "
                + markers.size()
                + ", got "
                + Math.max(options.positionalValues.size(), options.namedValues.size()));
      }
    }
    Queue<List<ByteBuffer>> data = new ArrayDeque<>();
    for (Map<String, Object> row : rows(select.table, endpoint)) {
      if (data.size() >= select.limit) {
        break;
      }
      if (matches(select, row, boundValues)) {
        List<ByteBuffer> values = new ArrayList<>();
        for (Column column : select.selected) {
          Object value = row.get(column.name);
          values.add(value == null ? null : column.codec.encode(value, V4));
        }
        data.add(values);
      }
    }
    RowsMetadata metadata =
        options.skipMetadata
            ? new RowsMetadata(select.selected.size(), null, new int[0], null)
            : new RowsMetadata(columnSpecs(select), null, new int[0], null);
    return new DefaultRows(metadata, data);
  }

  private static boolean matches(
      Select select, Map<String, Object> row, List<ByteBuffer> boundValues) {
    int marker = 0;
    for (Condition condition : select.conditions) {
      ByteBuffer wanted = condition.bound ? boundValues.get(marker++) : condition.literal;
      Object value = row.get(condition.column.name);
      ByteBuffer actual = value == null ? null : condition.column.codec.encode(value, V4);
      if (wanted == null || actual == null || !wanted.equals(actual)) {
        return false;
      }
    }
    return true;
  }

  /** The table's rows as the node on {@code endpoint} shows them. */
  private List<Map<String, Object>> rows(Table table, InetAddress endpoint) {
    Topology.Region self = topology.regionAt(endpoint);
    if (table == LOCAL) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("key", "local");
      row.put("bootstrapped", Topology.BOOTSTRAPPED);
      // The address the client reached: the driver must never learn the backend's.
      row.put("broadcast_address", endpoint);
      row.put("cluster_name", Topology.CLUSTER_NAME);
      row.put("cql_version", Topology.CQL_VERSION);
      row.put("data_center", self.name);
      row.put("host_id", self.hostId);
      row.put("listen_address", endpoint);
      row.put("native_protocol_version", Topology.NATIVE_PROTOCOL_VERSION);
      row.put("partitioner", Topology.PARTITIONER);
      row.put("rack", Topology.RACK);
      row.put("release_version", Topology.RELEASE_VERSION);
      row.put("rpc_address", endpoint);
      row.put("schema_version", topology.schemaVersion());
      row.put("tokens", new java.util.LinkedHashSet<>(Topology.TOKENS));
      return Collections.singletonList(row);
    }
    if (table == PEERS) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Topology.Region region : topology.regions()) {
        if (region == self) {
          continue;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("peer", region.address);
        row.put("data_center", region.name);
        row.put("host_id", region.hostId);
        row.put("rack", Topology.RACK);
        row.put("release_version", Topology.RELEASE_VERSION);
        row.put("rpc_address", region.address);
        row.put("schema_version", topology.schemaVersion());
        row.put("tokens", new java.util.LinkedHashSet<>(Topology.TOKENS));
        rows.add(row);
      }
      return rows;
    }
    // system.size_estimates: Cosmos keeps none (not confirmed; the safer assumption).
    return Collections.emptyList();
  }

  private static RawType primitive(int id) {
    return RawType.PRIMITIVES.get(id);
  }
}

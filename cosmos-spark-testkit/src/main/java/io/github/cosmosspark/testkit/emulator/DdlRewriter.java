package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.result.Void;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes Cosmos's throughput and cell-level options out of keyspace and table DDL before it reaches
 * Cassandra, and records them. Accepts the forms Microsoft documents and uses in its samples:
 * {@code AND cosmosdb_provisioned_throughput=N}, repeated {@code WITH} clauses, and {@code WITH a=1
 * , WITH b=2}. Replication settings are replaced by what a single test node can serve, since Cosmos
 * ignores them.
 */
final class DdlRewriter {

  private static final Pattern DDL =
      Pattern.compile(
          "(?is)^\\s*(CREATE|ALTER)\\s+(KEYSPACE|TABLE|COLUMNFAMILY)\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"
              + "([\\w.\"]+).*");
  private static final String PROVISIONED = "cosmosdb_provisioned_throughput";
  private static final String AUTOSCALE = "cosmosdb_autoscale_max_throughput";

  /**
   * Cosmos's per-cell timestamp and TTL options, which Microsoft's migration and Kafka Connect
   * articles set on {@code CREATE TABLE}; Cassandra refuses them as unknown properties.
   */
  static final List<String> CELL_LEVEL_OPTIONS =
      Collections.unmodifiableList(
          Arrays.asList(
              "cosmosdb_cell_level_timestamp",
              "cosmosdb_cell_level_timestamp_tombstones",
              "cosmosdb_cell_level_timetolive"));

  private static final String SINGLE_NODE_REPLICATION =
      "replication = {'class': 'SimpleStrategy', 'replication_factor': 1}";

  private final Provisioning provisioning;
  // keyspace.table -> the cell-level options it was given, each "true" or "false".
  private final Map<String, Map<String, String>> cellLevel = new ConcurrentHashMap<>();

  /** Records the throughput options it takes out of DDL in {@code provisioning}. */
  DdlRewriter(Provisioning provisioning) {
    this.provisioning = provisioning;
  }

  /**
   * The frame to forward: the same one, one with a rewritten query, or one whose message is a
   * response (an error, or a result for a statement that only changed throughput) to answer
   * locally.
   */
  Frame rewrite(Frame frame, String connectionKeyspace) {
    if (!(frame.message instanceof Query)) {
      return frame;
    }
    Query query = (Query) frame.message;
    Matcher ddl = DDL.matcher(query.query);
    if (!ddl.matches()) {
      return frame;
    }
    boolean create = ddl.group(1).equalsIgnoreCase("CREATE");
    boolean keyspace = ddl.group(2).equalsIgnoreCase("KEYSPACE");
    boolean ifNotExists = ddl.group(3) != null;
    String name = ddl.group(4).replace("\"", "").toLowerCase(Locale.ROOT);
    if (!keyspace && !name.contains(".") && connectionKeyspace != null) {
      name = connectionKeyspace.toLowerCase(Locale.ROOT) + "." + name;
    }
    String statement = query.query.trim();
    if (statement.endsWith(";")) {
      statement = statement.substring(0, statement.length() - 1);
    }
    int with = topLevelKeyword(statement, "WITH", 0);
    String head = with < 0 ? statement : statement.substring(0, with).trim();
    List<String> options = with < 0 ? new ArrayList<String>() : splitOptions(statement, with);

    Integer provisioned = null;
    Integer autoscale = null;
    boolean replicationDropped = false;
    Map<String, String> cellOptions = new LinkedHashMap<>();
    List<String> kept = new ArrayList<>();
    for (String option : options) {
      int equals = option.indexOf('=');
      String optionName =
          equals < 0 ? option.trim() : option.substring(0, equals).trim().toLowerCase(Locale.ROOT);
      String value = equals < 0 ? "" : option.substring(equals + 1).trim();
      if (optionName.equals(PROVISIONED) || optionName.equals(AUTOSCALE)) {
        Integer ru = parseThroughput(optionName, value, optionName.equals(AUTOSCALE) ? 1000 : 400);
        if (ru == null) {
          return error(
              frame,
              optionName
                  + " must be a whole number of RU/s of at least "
                  + (optionName.equals(AUTOSCALE) ? 1000 : 400)
                  + ", got '"
                  + value
                  + "'");
        }
        if (optionName.equals(PROVISIONED)) {
          provisioned = ru;
        } else {
          autoscale = ru;
        }
      } else if (!keyspace && CELL_LEVEL_OPTIONS.contains(optionName)) {
        String flag = value.replace("'", "").trim();
        if (!flag.equalsIgnoreCase("true") && !flag.equalsIgnoreCase("false")) {
          return error(frame, optionName + " must be true or false, got '" + flag + "'");
        }
        cellOptions.put(optionName, flag.toLowerCase(Locale.ROOT));
      } else if (keyspace && optionName.equals("replication")) {
        replicationDropped = true;
      } else {
        kept.add(option.trim());
      }
    }
    if (provisioned != null && autoscale != null) {
      return error(frame, "Set either " + PROVISIONED + " or " + AUTOSCALE + ", not both");
    }
    Throughput throughput =
        provisioned != null
            ? new Throughput(provisioned, false)
            : autoscale != null ? new Throughput(autoscale, true) : null;
    // IF NOT EXISTS on an existing table changes nothing, its throughput included. Only the name's
    // own throughput counts: a new table in a keyspace with shared throughput has none yet.
    boolean record = !(create && ifNotExists && provisioning.hasOwnThroughput(name));
    if (throughput != null && record) {
      provisioning.provision(name, throughput, create);
    } else if (create && !keyspace && record) {
      provisioning.provisionTableDefault(name);
    }
    if (create && !keyspace && !(ifNotExists && cellLevel.containsKey(name))) {
      // A new table starts with what its CREATE says, not what a dropped namesake had.
      cellLevel.remove(name);
    }
    if (!cellOptions.isEmpty() && !(create && ifNotExists && cellLevel.containsKey(name))) {
      Map<String, String> table =
          create ? new LinkedHashMap<String, String>() : cellLevelOptions(name);
      table.putAll(cellOptions);
      cellLevel.put(name, Collections.unmodifiableMap(table));
    }
    if (throughput == null
        && cellOptions.isEmpty()
        && !replicationDropped
        && !(keyspace && create)) {
      // Nothing Cosmos-specific: ALTER ... ADD, DROP, RENAME, plain table options.
      return frame;
    }
    if (keyspace && create) {
      kept.add(0, SINGLE_NODE_REPLICATION);
    }
    if (kept.isEmpty() && !create) {
      return Frame.forResponse(
          frame.protocolVersion,
          frame.streamId,
          null,
          Frame.NO_PAYLOAD,
          frame.warnings,
          Void.INSTANCE);
    }
    String rewritten = kept.isEmpty() ? head : head + " WITH " + String.join(" AND ", kept);
    return Frame.forRequest(
        frame.protocolVersion,
        frame.streamId,
        frame.tracing,
        frame.customPayload,
        new Query(rewritten, query.options));
  }

  /** The cell-level options a table was created or altered with; empty if none. */
  Map<String, String> cellLevelOptions(String keyspaceAndTable) {
    Map<String, String> options = cellLevel.get(keyspaceAndTable.toLowerCase(Locale.ROOT));
    return options == null
        ? new LinkedHashMap<String, String>()
        : new LinkedHashMap<String, String>(options);
  }

  private static Integer parseThroughput(String name, String value, int minimum) {
    try {
      int ru = Integer.parseInt(value.replace("'", "").trim());
      return ru >= minimum ? ru : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Frame error(Frame frame, String message) {
    return Frame.forResponse(
        frame.protocolVersion,
        frame.streamId,
        null,
        Frame.NO_PAYLOAD,
        frame.warnings,
        new Error(ProtocolConstants.ErrorCode.INVALID, message));
  }

  /** The options after the first top-level WITH, split on top-level AND, WITH and commas. */
  private static List<String> splitOptions(String statement, int firstWith) {
    boolean[] topLevel = topLevel(statement);
    List<String> options = new ArrayList<>();
    int start = firstWith + "WITH".length();
    for (int i = start; i < statement.length(); i++) {
      int separator = topLevel[i] ? separatorLength(statement, i) : 0;
      if (separator > 0) {
        addIfPresent(options, statement.substring(start, i));
        start = i + separator;
        i = start - 1;
      }
    }
    addIfPresent(options, statement.substring(start));
    return options;
  }

  private static void addIfPresent(List<String> options, String option) {
    if (!option.trim().isEmpty()) {
      options.add(option.trim());
    }
  }

  private static int separatorLength(String statement, int at) {
    if (statement.charAt(at) == ',') {
      return 1;
    }
    for (String keyword : new String[] {"AND", "WITH"}) {
      if (isKeywordAt(statement, keyword, at)) {
        return keyword.length();
      }
    }
    return 0;
  }

  private static int topLevelKeyword(String statement, String keyword, int from) {
    boolean[] topLevel = topLevel(statement);
    for (int i = from; i < statement.length(); i++) {
      if (topLevel[i] && isKeywordAt(statement, keyword, i)) {
        return i;
      }
    }
    return -1;
  }

  /** Which characters stand outside quotes and brackets, where keywords and separators count. */
  private static boolean[] topLevel(String statement) {
    boolean[] topLevel = new boolean[statement.length()];
    int depth = 0;
    boolean quoted = false;
    for (int i = 0; i < statement.length(); i++) {
      char c = statement.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && (c == '(' || c == '{' || c == '[')) {
        depth++;
      } else if (!quoted && (c == ')' || c == '}' || c == ']')) {
        depth--;
      } else {
        topLevel[i] = !quoted && depth == 0;
      }
    }
    return topLevel;
  }

  private static boolean isKeywordAt(String statement, String keyword, int at) {
    int end = at + keyword.length();
    return end <= statement.length()
        && statement.regionMatches(true, at, keyword, 0, keyword.length())
        && (at == 0 || !isWordCharacter(statement.charAt(at - 1)))
        && (end == statement.length() || !isWordCharacter(statement.charAt(end)));
  }

  private static boolean isWordCharacter(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '"';
  }
}

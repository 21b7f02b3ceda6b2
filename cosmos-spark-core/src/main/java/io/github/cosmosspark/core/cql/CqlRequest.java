package io.github.cosmosspark.core.cql;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PrepareRequest;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.session.Request;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one request is, worked out once when it is first sent and carried with its pages and
 * resends: the table it is for (so that counts, budgets and errors can say {@code keyspace.table}),
 * whether it changes data (and is charged as a write), and whether sending it twice is harmless.
 */
public final class CqlRequest {
  /** The table name of a request whose table cannot be told. */
  public static final String UNKNOWN_TABLE = "(unknown table)";

  private static final String NAME = "(\"(?:[^\"]|\"\")+\"|[A-Za-z0-9_]+)";
  private static final Pattern TABLE_IN_QUERY =
      Pattern.compile(
          "(?is)\\b(?:FROM|INTO|UPDATE|TABLE(?:\\s+IF\\s+(?:NOT\\s+)?EXISTS)?)\\s+"
              + NAME
              + "(?:\\s*\\.\\s*"
              + NAME
              + ")?");
  private static final Pattern KEYSPACE_DDL =
      Pattern.compile(
          "(?is)^\\s*(?:CREATE|ALTER)\\s+KEYSPACE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?" + NAME);

  /**
   * A lightweight transaction: {@code IF NOT EXISTS}, {@code IF EXISTS} or {@code IF} conditions
   * after an INSERT, UPDATE or DELETE. A match inside a string literal only makes a statement
   * counted as unsafe to run twice, the safe side.
   */
  private static final Pattern CONDITIONAL =
      Pattern.compile(
          "(?is)^\\s*(?:INSERT|UPDATE|DELETE)\\b.*\\bIF\\s+(?:NOT\\s+EXISTS\\b|EXISTS\\b|"
              + NAME
              + "\\s*(?:\\[[^\\]]*\\]\\s*)?(?:=|!=|<|>|IN\\b|CONTAINS\\b))");

  private static final Pattern PROVISIONED =
      Pattern.compile("(?i)cosmosdb_(provisioned|autoscale_max)_throughput\\s*=\\s*'?(\\d+)");

  private final String table;
  private final boolean write;
  private final boolean runsTwiceSafely;
  private final ProvisionedByDdl provisioned;

  private CqlRequest(
      String table, boolean write, boolean runsTwiceSafely, ProvisionedByDdl provisioned) {
    this.table = table;
    this.write = write;
    this.runsTwiceSafely = runsTwiceSafely;
    this.provisioned = provisioned;
  }

  /** What {@code request} is. */
  public static CqlRequest of(Request request) {
    boolean write = isWrite(request);
    boolean idempotent = isIdempotent(request) && !isConditional(request);
    return new CqlRequest(tableOf(request), write, !write || idempotent, provisionedBy(request));
  }

  /**
   * The throughput the statement provisions for its keyspace or table, when it is a CREATE or ALTER
   * with {@code cosmosdb_provisioned_throughput} or {@code cosmosdb_autoscale_max_throughput}; null
   * otherwise.
   */
  public ProvisionedByDdl provisioned() {
    return provisioned;
  }

  /** {@code keyspace.table} of the request, as well as the request shows it. */
  public String table() {
    return table;
  }

  /** Whether the statement changes data (and is charged as a write). */
  public boolean isWrite() {
    return write;
  }

  /**
   * Whether the request may be sent again when it is not known whether it ran (a lost connection, a
   * timeout, a write failure): reads and prepares change nothing; a write when it is marked
   * idempotent, or is a batch whose statements all are, and is not a lightweight transaction.
   *
   * <p>SCC marks its inserts and updates idempotent except counter updates and list appends and
   * prepends (run twice, they count or append twice). It also marks {@code IF NOT EXISTS} inserts
   * ({@code output.ifNotExists}), which this does not follow: run twice, the second run answers
   * "not applied" for the row the first one wrote, and a condition on values ({@code IF col = x})
   * can hold again after the first run changed the row. Setting a collection, adding to a set or a
   * map, removing from a collection and deletes are safe (docs/reliability.md).
   */
  public boolean runsTwiceSafely() {
    return runsTwiceSafely;
  }

  /**
   * {@code statement} marked as this says it may run twice, so that the driver's retry policy,
   * which asks only about statements marked idempotent, agrees with the resends of the session: an
   * {@code IF NOT EXISTS} insert SCC marked is unmarked, a batch of upserts SCC left unmarked is
   * marked. Other statements are returned as they are.
   */
  public Statement<?> markedForDriver(Statement<?> statement) {
    if (!write || Boolean.valueOf(runsTwiceSafely).equals(statement.isIdempotent())) {
      return statement;
    }
    return statement.setIdempotent(runsTwiceSafely);
  }

  private static ProvisionedByDdl provisionedBy(Request request) {
    String query =
        request instanceof SimpleStatement ? ((SimpleStatement) request).getQuery() : null;
    if (query == null) {
      return null;
    }
    Matcher throughput = PROVISIONED.matcher(query);
    if (!throughput.find()) {
      return null;
    }
    boolean autoscale = throughput.group(1).equalsIgnoreCase("autoscale_max");
    long ruPerSecond = Long.parseLong(throughput.group(2));
    Matcher keyspace = KEYSPACE_DDL.matcher(query);
    if (keyspace.find()) {
      return new ProvisionedByDdl(unquote(keyspace.group(1)), ruPerSecond, autoscale);
    }
    String table = tableInQuery(query, request.getKeyspace());
    return table.equals(UNKNOWN_TABLE) ? null : new ProvisionedByDdl(table, ruPerSecond, autoscale);
  }

  /** A keyspace or table name as the server stores it: lower case unless double-quoted. */
  public static String internalName(String name) {
    return unquote(name.trim());
  }

  /**
   * Marked idempotent; a batch also when every statement in it is (SCC marks its upserts, not the
   * batches it groups them in) and it is not a counter batch: an unlogged batch of upserts run
   * twice leaves what it left once.
   */
  private static boolean isIdempotent(Request request) {
    if (!(request instanceof Statement)) {
      return false;
    }
    Boolean marked = ((Statement<?>) request).isIdempotent();
    if (marked != null || !(request instanceof BatchStatement)) {
      return Boolean.TRUE.equals(marked);
    }
    BatchStatement batch = (BatchStatement) request;
    if (batch.getBatchType() == DefaultBatchType.COUNTER || batch.size() == 0) {
      return false;
    }
    for (BatchableStatement<?> statement : batch) {
      if (!Boolean.TRUE.equals(statement.isIdempotent())) {
        return false;
      }
    }
    return true;
  }

  private static boolean isConditional(Request request) {
    if (request instanceof BatchStatement) {
      for (BatchableStatement<?> statement : (BatchStatement) request) {
        if (isConditional(statement)) {
          return true;
        }
      }
      return false;
    }
    String query = queryOf(request);
    return query != null && CONDITIONAL.matcher(query).find();
  }

  private static String queryOf(Request request) {
    if (request instanceof BoundStatement) {
      return ((BoundStatement) request).getPreparedStatement().getQuery();
    }
    if (request instanceof SimpleStatement) {
      return ((SimpleStatement) request).getQuery();
    }
    return null;
  }

  private static String tableOf(Request request) {
    if (request instanceof BatchStatement) {
      // A batch is charged to its table when all its statements name the same one.
      String table = null;
      for (BatchableStatement<?> statement : (BatchStatement) request) {
        String own = tableOf(statement);
        if (table != null && !table.equals(own)) {
          return UNKNOWN_TABLE;
        }
        table = own;
      }
      return table == null ? UNKNOWN_TABLE : table;
    }
    if (request instanceof BoundStatement) {
      BoundStatement bound = (BoundStatement) request;
      String fromVariables = tableOf(bound.getPreparedStatement().getVariableDefinitions());
      if (fromVariables != null) {
        return fromVariables;
      }
      String fromResults = tableOf(bound.getPreparedStatement().getResultSetDefinitions());
      if (fromResults != null) {
        return fromResults;
      }
      return tableInQuery(bound.getPreparedStatement().getQuery(), request.getKeyspace());
    }
    if (request instanceof SimpleStatement) {
      return tableInQuery(((SimpleStatement) request).getQuery(), request.getKeyspace());
    }
    if (request instanceof PrepareRequest) {
      return tableInQuery(((PrepareRequest) request).getQuery(), request.getKeyspace());
    }
    return UNKNOWN_TABLE;
  }

  /**
   * Whether {@code request} changes data, without the rest of what {@link #of} works out: cheap
   * enough for the driver's load-balancing policy, which asks it of every request it routes. A
   * prepare counts as what it prepares.
   */
  public static boolean changesData(Request request) {
    if (request instanceof PrepareRequest) {
      return isWriteQuery(((PrepareRequest) request).getQuery());
    }
    return isWrite(request);
  }

  private static boolean isWrite(Request request) {
    if (request instanceof BatchStatement) {
      return true;
    }
    return isWriteQuery(queryOf(request));
  }

  private static boolean isWriteQuery(String query) {
    return query != null
        && (startsWithWord(query, "INSERT")
            || startsWithWord(query, "UPDATE")
            || startsWithWord(query, "DELETE"));
  }

  /** Whether the query's first word is {@code word}, ignoring case; no copy of the query. */
  private static boolean startsWithWord(String query, String word) {
    int start = 0;
    while (start < query.length() && Character.isWhitespace(query.charAt(start))) {
      start++;
    }
    int end = start + word.length();
    return query.regionMatches(true, start, word, 0, word.length())
        && (end == query.length() || Character.isWhitespace(query.charAt(end)));
  }

  private static String tableOf(ColumnDefinitions columns) {
    if (columns.size() == 0) {
      return null;
    }
    return columns.get(0).getKeyspace().asInternal() + "." + columns.get(0).getTable().asInternal();
  }

  private static String tableInQuery(String query, CqlIdentifier keyspace) {
    Matcher matcher = TABLE_IN_QUERY.matcher(query);
    if (!matcher.find()) {
      return UNKNOWN_TABLE;
    }
    if (matcher.group(2) != null) {
      return unquote(matcher.group(1)) + "." + unquote(matcher.group(2));
    }
    String table = unquote(matcher.group(1));
    return keyspace != null ? keyspace.asInternal() + "." + table : table;
  }

  private static String unquote(String name) {
    if (name.startsWith("\"")) {
      return name.substring(1, name.length() - 1).replace("\"\"", "\"");
    }
    return name.toLowerCase(Locale.ROOT);
  }

  /** The throughput one DDL statement provisions. */
  public static final class ProvisionedByDdl {
    private final String name;
    private final long ruPerSecond;
    private final boolean autoscale;

    ProvisionedByDdl(String name, long ruPerSecond, boolean autoscale) {
      this.name = name;
      this.ruPerSecond = ruPerSecond;
      this.autoscale = autoscale;
    }

    /** The keyspace, or {@code keyspace.table}, as the server stores the names. */
    public String name() {
      return name;
    }

    /** RU/s: manual throughput, or the autoscale maximum. */
    public long ruPerSecond() {
      return ruPerSecond;
    }

    public boolean autoscale() {
      return autoscale;
    }
  }
}

package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.PrepareRequest;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.session.Request;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the table a request is for, so that counts and errors can say {@code keyspace.table}, and
 * remembers the throughput this JVM has seen DDL provision for a table: Cosmos has no CQL query
 * that reads it back.
 */
public final class RequestTables {
  static final String UNKNOWN = "(unknown table)";

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
  private static final Pattern PROVISIONED =
      Pattern.compile("(?i)cosmosdb_(?:provisioned|autoscale_max)_throughput\\s*=\\s*'?(\\d+)");

  private static final Map<String, Long> PROVISIONED_BY_NAME = new ConcurrentHashMap<>();

  private RequestTables() {}

  /** {@code keyspace.table} of the request, as well as the request shows it. */
  static String tableOf(Request request) {
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
    return UNKNOWN;
  }

  /** Whether the statement changes data (and is charged as a write). */
  static boolean isWrite(Request request) {
    String query = null;
    if (request instanceof BoundStatement) {
      query = ((BoundStatement) request).getPreparedStatement().getQuery();
    } else if (request instanceof SimpleStatement) {
      query = ((SimpleStatement) request).getQuery();
    } else if (request instanceof com.datastax.oss.driver.api.core.cql.BatchStatement) {
      return true;
    }
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

  /** Remembers the throughput a CREATE or ALTER statement provisions. */
  static void noteProvisionedThroughput(Request request) {
    String query =
        request instanceof SimpleStatement ? ((SimpleStatement) request).getQuery() : null;
    if (query == null) {
      return;
    }
    Matcher throughput = PROVISIONED.matcher(query);
    if (!throughput.find()) {
      return;
    }
    long ruPerSecond = Long.parseLong(throughput.group(1));
    Matcher keyspace = KEYSPACE_DDL.matcher(query);
    if (keyspace.find()) {
      PROVISIONED_BY_NAME.put(unquote(keyspace.group(1)), ruPerSecond);
      return;
    }
    String table = tableInQuery(query, request.getKeyspace());
    if (!table.equals(UNKNOWN)) {
      PROVISIONED_BY_NAME.put(table, ruPerSecond);
    }
  }

  /**
   * Throughput this JVM saw provisioned for the table (or its keyspace, which shares its throughput
   * among tables without their own), or -1.
   */
  public static long provisionedThroughput(String table) {
    Long own = PROVISIONED_BY_NAME.get(table);
    if (own != null) {
      return own;
    }
    int dot = table.indexOf('.');
    Long shared = dot > 0 ? PROVISIONED_BY_NAME.get(table.substring(0, dot)) : null;
    return shared != null ? shared : -1;
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
      return UNKNOWN;
    }
    if (matcher.group(2) != null) {
      return unquote(matcher.group(1)) + "." + unquote(matcher.group(2));
    }
    String table = unquote(matcher.group(1));
    return keyspace != null ? keyspace.asInternal() + "." + table : table;
  }

  /** A keyspace or table name as the server stores it: lower case unless double-quoted. */
  public static String internalName(String name) {
    return unquote(name.trim());
  }

  private static String unquote(String name) {
    if (name.startsWith("\"")) {
      return name.substring(1, name.length() - 1).replace("\"\"", "\"");
    }
    return name.toLowerCase(Locale.ROOT);
  }
}

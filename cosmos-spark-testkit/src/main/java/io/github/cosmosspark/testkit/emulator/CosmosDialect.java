package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.response.Error;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The statements Cosmos refuses although Cassandra runs them: logged batches, and the statements
 * and functions Microsoft's feature-support page lists as not supported. Sources and what is not
 * confirmed: docs/cosmos-behaviour.md, "CQL dialect". Off with {@link
 * CosmosEmulator.Builder#cassandraDialect()}, which lets every statement through to Cassandra.
 */
final class CosmosDialect {

  /**
   * Cosmos's answer to a logged batch, as a Python driver user quoted it ("[Server error]
   * message=...", MicrosoftDocs/azure-docs issue 15767): a {@code ServerError} (0x0000).
   */
  static final String LOGGED_BATCH_REFUSED =
      "Logged batches are not supported by the service yet. Please use unlogged batches instead.";

  // The feature-support page's "No" rows that are statements, by how they begin once comments
  // and extra spaces are gone. Role, user and permission statements are one family on the page.
  private static final Pattern UNSUPPORTED_STATEMENT =
      Pattern.compile(
          "(?is)^(CREATE\\s+(OR\\s+REPLACE\\s+)?(FUNCTION|AGGREGATE)"
              + "|DROP\\s+(FUNCTION|AGGREGATE)"
              + "|(CREATE|DROP)\\s+TRIGGER"
              + "|CREATE\\s+CUSTOM\\s+INDEX"
              + "|(CREATE|ALTER|DROP)\\s+(ROLE|USER)"
              + "|ALTER\\s+TYPE"
              + "|GRANT|REVOKE|LIST)\\b.*");
  // A secondary index with an index class is a custom index, as CREATE CUSTOM INDEX is.
  private static final Pattern INDEX_WITH_CLASS =
      Pattern.compile("(?is)^CREATE\\s+INDEX\\b.*\\bUSING\\s*'.*");
  private static final Pattern DISTINCT = Pattern.compile("(?is)^SELECT\\s+DISTINCT\\b.*");
  private static final Pattern JSON_FUNCTION = Pattern.compile("(?i)\\b(toJson|fromJson)\\s*\\(");
  private static final Pattern LOGGED_TEXT_BATCH = Pattern.compile("(?is)^BEGIN\\s+BATCH\\b.*");

  private final boolean enabled;
  private final long idleTimeoutMillis;

  /**
   * @param enabled false for Cassandra's dialect: nothing is refused, no connection closed for
   *     idling
   * @param idleTimeout how long a client connection may go without a request (other than the
   *     driver's heartbeat, {@code OPTIONS}) before it is closed; zero for never
   */
  CosmosDialect(boolean enabled, java.time.Duration idleTimeout) {
    this.enabled = enabled;
    this.idleTimeoutMillis = enabled ? idleTimeout.toMillis() : 0;
  }

  boolean enabled() {
    return enabled;
  }

  /** Client connections closed for idling, counted for tests. */
  final java.util.concurrent.atomic.AtomicLong idleClosed =
      new java.util.concurrent.atomic.AtomicLong();

  /** How long a connection may idle before it is closed, in milliseconds; 0 for never. */
  long idleTimeoutMillis() {
    return idleTimeoutMillis;
  }

  /** Cosmos's refusal of {@code request}, or null when Cosmos runs it. */
  Message refusal(Message request) {
    if (!enabled) {
      return null;
    }
    if (request instanceof Batch) {
      Batch batch = (Batch) request;
      if (batch.type == ProtocolConstants.BatchType.LOGGED) {
        return new Error(ProtocolConstants.ErrorCode.SERVER_ERROR, LOGGED_BATCH_REFUSED);
      }
      for (Object statement : batch.queriesOrIds) {
        if (statement instanceof String) {
          Message refused = refusal((String) statement);
          if (refused != null) {
            return refused;
          }
        }
      }
      return null;
    }
    if (request instanceof Query) {
      return refusal(((Query) request).query);
    }
    if (request instanceof Prepare) {
      return refusal(((Prepare) request).cqlQuery);
    }
    return null;
  }

  private static Message refusal(String cql) {
    String statement = RequestCharges.withoutLeadingComments(cql);
    if (LOGGED_TEXT_BATCH.matcher(statement).matches()) {
      // Not confirmed for a batch in one query string; a BEGIN BATCH is as logged as a protocol
      // batch of type LOGGED, so the same answer is the likely one.
      return new Error(ProtocolConstants.ErrorCode.SERVER_ERROR, LOGGED_BATCH_REFUSED);
    }
    String unsupported = null;
    if (UNSUPPORTED_STATEMENT.matcher(statement).matches()) {
      unsupported = leadingWords(statement);
    } else if (INDEX_WITH_CLASS.matcher(statement).matches()) {
      unsupported = "CREATE CUSTOM INDEX (an index with an index class)";
    } else if (DISTINCT.matcher(statement).matches()) {
      unsupported = "SELECT DISTINCT";
    } else if (statement.toLowerCase(Locale.ROOT).contains("json")
        && JSON_FUNCTION.matcher(withoutLiterals(statement)).find()) {
      unsupported = "toJson() and fromJson()";
    }
    return unsupported == null
        ? null
        // Cosmos's own text for these is not documented: an Invalid error that says what and why.
        : new Error(
            ProtocolConstants.ErrorCode.INVALID,
            unsupported + " is not supported by Azure Cosmos DB for Apache Cassandra");
  }

  /** The statement's keywords up to the first name, for the error: "CREATE FUNCTION", "GRANT". */
  private static String leadingWords(String statement) {
    StringBuilder words = new StringBuilder();
    for (String word : statement.split("\\s+")) {
      String upper = word.toUpperCase(Locale.ROOT);
      if (!upper.matches(
          "CREATE|OR|REPLACE|DROP|ALTER|FUNCTION|AGGREGATE|TRIGGER|CUSTOM|INDEX|ROLE|USER|TYPE"
              + "|GRANT|REVOKE|LIST|ROLES|USERS|ALL|PERMISSIONS")) {
        break;
      }
      words.append(words.length() == 0 ? "" : " ").append(upper);
    }
    return words.toString();
  }

  /** The statement with its string literals emptied, so text inside quotes matches nothing. */
  private static String withoutLiterals(String statement) {
    return statement.replaceAll("'([^']|'')*'", "''");
  }
}

package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.response.error.WriteFailure;
import java.util.Collections;
import java.util.Locale;
import java.util.UUID;

/**
 * Cosmos's write failures: the HTTP-style status codes Cosmos answers a write with as the CQL
 * protocol's {@code WRITE_FAILURE} error (0x1500, 5376), after Microsoft's table "Server
 * diagnostics for Azure Cosmos DB for Apache Cassandra" (learn.microsoft.com,
 * azure/cosmos-db/cassandra/error-codes-solution): 404, 412, 413, 423 and 449 all carry error code
 * 5376.
 *
 * <p>The fields Cosmos fills in (consistency, received, block-for, failures) and the exact text of
 * its message are not published; the emulator answers with the request's consistency, 0 received of
 * 1 required, 1 failure, and a message of its own in the shape of Cosmos's 429 text, naming the
 * status code. The Java driver 4 does not show the message to its users (its {@code
 * WriteFailureException} is built from the fields alone), so a client cannot tell the codes apart.
 */
final class WriteFailures {

  /** Cosmos's limit on one row (item): 2 MB ("Azure Cosmos DB service quotas", per-item limits). */
  static final long MAX_ROW_BYTES = 2L * 1024 * 1024;

  private WriteFailures() {}

  /** The answer to {@code request} for Cosmos status {@code status}, with {@code reason}. */
  static WriteFailure answer(Frame request, int status, String reason) {
    String activity = UUID.randomUUID().toString();
    return new WriteFailure(
        String.format(
            Locale.ROOT,
            "Write failure: ActivityID=%s, Additional details='Response status code does not"
                + " indicate success: %s (%d); Substatus: 0; ActivityId: %s; Reason: (%s)'",
            activity,
            statusName(status),
            status,
            activity,
            reason),
        consistency(request),
        0,
        1,
        1,
        Collections.emptyMap(),
        writeType(request));
  }

  /** Cosmos's 449: another write to the same row is in flight. */
  static WriteFailure concurrentWrite(Frame request) {
    return answer(
        request,
        449,
        "Another write to this row is being executed; one write at a time is allowed per row."
            + " The write was not executed: send it again.");
  }

  /** Cosmos's 413: a row over 2 MB. */
  static WriteFailure tooLarge(Frame request, long rowBytes) {
    return answer(
        request,
        413,
        String.format(
            Locale.ROOT,
            "The row is %,d bytes; a row holds at most %,d bytes (2 MB). The write was not"
                + " executed.",
            rowBytes,
            MAX_ROW_BYTES));
  }

  static String statusName(int status) {
    switch (status) {
      case 404:
        return "NotFound";
      case 412:
        return "PreconditionFailed";
      case 413:
        return "RequestEntityTooLarge";
      case 423:
        return "Locked";
      case 449:
        return "RetryWith";
      default:
        return "Status";
    }
  }

  private static int consistency(Frame request) {
    if (request.message instanceof Query) {
      return ((Query) request.message).options.consistency;
    }
    if (request.message instanceof Execute) {
      return ((Execute) request.message).options.consistency;
    }
    if (request.message instanceof Batch) {
      return ((Batch) request.message).consistency;
    }
    return ProtocolConstants.ConsistencyLevel.LOCAL_QUORUM;
  }

  private static String writeType(Frame request) {
    if (request.message instanceof Batch) {
      byte type = ((Batch) request.message).type;
      return type == ProtocolConstants.BatchType.LOGGED
          ? "BATCH"
          : type == ProtocolConstants.BatchType.COUNTER ? "COUNTER" : "UNLOGGED_BATCH";
    }
    return "SIMPLE";
  }
}

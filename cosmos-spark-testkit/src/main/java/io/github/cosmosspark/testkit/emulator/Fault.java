package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.error.ReadTimeout;
import com.datastax.oss.protocol.internal.response.error.Unavailable;
import com.datastax.oss.protocol.internal.response.error.WriteTimeout;

/**
 * An error the emulator can answer requests with instead of running them, for fault tests. The
 * {@code WRITE_FAILURE_*} faults are Cosmos's write failures: CQL {@code WRITE_FAILURE} (0x1500)
 * carrying the HTTP-style status in its message, as Microsoft's error table lists them for the
 * Cassandra API; give them to {@link CosmosEmulator#failNextWrites} so that reads are not touched.
 */
public enum Fault {
  /** Cosmos's 429: Overloaded with {@code RetryAfterMs}. */
  OVERLOADED {
    @Override
    Message error(Frame request) {
      return ClientConnection.rateLimited(100);
    }
  },
  /** A write that timed out waiting for replicas. */
  WRITE_TIMEOUT {
    @Override
    Message error(Frame request) {
      return new WriteTimeout(
          "Operation timed out - received only 0 responses.",
          ProtocolConstants.ConsistencyLevel.LOCAL_QUORUM,
          0,
          2,
          "SIMPLE");
    }
  },
  /** A read that timed out waiting for replicas. */
  READ_TIMEOUT {
    @Override
    Message error(Frame request) {
      return new ReadTimeout(
          "Operation timed out - received only 0 responses.",
          ProtocolConstants.ConsistencyLevel.LOCAL_QUORUM,
          0,
          2,
          false);
    }
  },
  /** Not enough replicas alive. */
  UNAVAILABLE {
    @Override
    Message error(Frame request) {
      return new Unavailable(
          "Cannot achieve consistency level LOCAL_QUORUM",
          ProtocolConstants.ConsistencyLevel.LOCAL_QUORUM,
          2,
          0);
    }
  },
  /** An internal server error. */
  SERVER_ERROR {
    @Override
    Message error(Frame request) {
      return new Error(ProtocolConstants.ErrorCode.SERVER_ERROR, "Injected server error");
    }
  },
  /** Cosmos's 404 as a write failure: "not found" during a write. */
  WRITE_FAILURE_404 {
    @Override
    Message error(Frame request) {
      return WriteFailures.answer(request, 404, "Injected: not found during the write.");
    }
  },
  /** Cosmos's 412: a precondition of the write failed. */
  WRITE_FAILURE_412 {
    @Override
    Message error(Frame request) {
      return WriteFailures.answer(request, 412, "Injected: a precondition of the write failed.");
    }
  },
  /** Cosmos's 413: the row is too large (the emulator also answers it for rows over 2 MB). */
  WRITE_FAILURE_413 {
    @Override
    Message error(Frame request) {
      return WriteFailures.answer(request, 413, "Injected: the row is too large.");
    }
  },
  /** Cosmos's 423: the row is locked by a write being processed. */
  WRITE_FAILURE_423 {
    @Override
    Message error(Frame request) {
      return WriteFailures.answer(
          request, 423, "Injected: the row is locked by a write being processed.");
    }
  },
  /** Cosmos's 449 (the emulator also answers it to overlapping writes to one row). */
  WRITE_FAILURE_449 {
    @Override
    Message error(Frame request) {
      return WriteFailures.concurrentWrite(request);
    }
  };

  abstract Message error(Frame request);

  /** The Cosmos status code a write-failure fault carries, or 0 for the other faults. */
  public int cosmosStatus() {
    String name = name();
    return name.startsWith("WRITE_FAILURE_") ? Integer.parseInt(name.substring(14)) : 0;
  }
}

package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.error.ReadTimeout;
import com.datastax.oss.protocol.internal.response.error.Unavailable;
import com.datastax.oss.protocol.internal.response.error.WriteTimeout;

/** An error the emulator can answer requests with instead of running them, for fault tests. */
public enum Fault {
  /** Cosmos's 429: Overloaded with {@code RetryAfterMs}. */
  OVERLOADED {
    @Override
    Message error() {
      return ClientConnection.rateLimited(100);
    }
  },
  /** A write that timed out waiting for replicas. */
  WRITE_TIMEOUT {
    @Override
    Message error() {
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
    Message error() {
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
    Message error() {
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
    Message error() {
      return new Error(ProtocolConstants.ErrorCode.SERVER_ERROR, "Injected server error");
    }
  };

  abstract Message error();
}

package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.NodeUnavailableException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.cql.ExecutionInfo;
import com.datastax.oss.driver.api.core.servererrors.CoordinatorException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.WriteFailureException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Cosmos's rate-limit answers and decides how long to wait before resending. */
public final class RateLimits {
  private static final Pattern RETRY_AFTER = Pattern.compile("RetryAfterMs=(\\d+)");
  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private RateLimits() {}

  /**
   * The rate-limit error behind {@code error}, or null. Cosmos answers every over-budget request
   * with Overloaded, and an Overloaded request was not executed, so it is safe to resend whatever
   * the statement does.
   */
  static OverloadedException rateLimitError(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof OverloadedException ? (OverloadedException) cause : null;
  }

  /**
   * The write failure behind {@code error}, or null. Cosmos answers CQL {@code WRITE_FAILURE} with
   * an HTTP-style status in the message (449: another write to the row is in flight; 413: the row
   * is over 2 MB; 412, 423, 404: see docs/retries.md), which driver 4 does not keep.
   */
  static WriteFailureException writeFailure(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof WriteFailureException ? (WriteFailureException) cause : null;
  }

  /**
   * Whether the driver failed the request before sending it because every connection to the
   * endpoint had as many requests in flight as it can carry: safe to send again once some answer.
   */
  static boolean notSentConnectionsBusy(Throwable error) {
    return everyNodeFailed(error, RateLimits::notSent);
  }

  /**
   * Whether the request's connection closed, or stopped answering heartbeats, before its answer
   * came: the request may or may not have run, so only a request that can run twice may be resent.
   */
  static boolean connectionLost(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof ClosedConnectionException || cause instanceof HeartbeatException) {
      return true;
    }
    return everyNodeFailed(
        error,
        nodeError ->
            nodeError instanceof ClosedConnectionException
                || nodeError instanceof HeartbeatException);
  }

  /**
   * Whether the driver found its connection closed as it began to write the request (a drop it had
   * not yet noticed), so that nothing was sent: safe to send again, whatever the statement does.
   */
  static boolean notSentChannelClosed(Throwable error) {
    return everyNodeFailed(error, nodeError -> nodeError instanceof ClosedChannelException);
  }

  /**
   * Whether the driver gave up on every node, each with errors of {@code kind} or errors that mean
   * the request was not sent there, and at least one of {@code kind}.
   */
  private static boolean everyNodeFailed(Throwable error, Predicate<Throwable> kind) {
    Throwable cause = unwrap(error);
    if (!(cause instanceof AllNodesFailedException)) {
      return false;
    }
    boolean any = false;
    for (List<Throwable> errors : ((AllNodesFailedException) cause).getAllErrors().values()) {
      for (Throwable nodeError : errors) {
        if (kind.test(nodeError)) {
          any = true;
        } else if (!notSent(nodeError)) {
          return false;
        }
      }
    }
    return any;
  }

  /** A node's error that means the driver did not send the request to it. */
  private static boolean notSent(Throwable nodeError) {
    return nodeError instanceof NodeUnavailableException
        || nodeError instanceof BusyConnectionException
        || nodeError instanceof ClosedChannelException;
  }

  /**
   * Whether the driver sent nothing because it holds every endpoint for down: it learned that the
   * endpoint restarted or became unreachable, and reconnects on its own schedule.
   */
  static boolean notSentEndpointDown(Throwable error) {
    return unwrap(error) instanceof NoNodeAvailableException;
  }

  /** Whether no answer came within the driver's request timeout; the request may have run. */
  static boolean timedOut(Throwable error) {
    return unwrap(error) instanceof DriverTimeoutException;
  }

  /**
   * Whether the server answered with a read or write timeout: what Cosmos answers after holding a
   * request over budget for 60 s on an account with server-side retry. The driver's own request
   * timeout is not one: it also comes from an endpoint that is down, which says nothing of the
   * budget.
   */
  public static boolean serverTimedOut(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof ReadTimeoutException || cause instanceof WriteTimeoutException;
  }

  /**
   * How many times the driver sent the request that failed with {@code error}: its execution info
   * lists the errors of the attempts before the last.
   */
  static int sends(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof CoordinatorException) {
      ExecutionInfo info = ((CoordinatorException) cause).getExecutionInfo();
      if (info != null) {
        return info.getErrors().size() + 1;
      }
    }
    return 1;
  }

  /** The driver's own error, without the wrappers of the future that carried it. */
  static Throwable cause(Throwable error) {
    return unwrap(error);
  }

  /** The error behind the future wrappers a completion stage adds. */
  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Exponential backoff from 50–100 ms to 2.5–5 s, for waits nobody named. */
  static long backoffMillis(int failuresSoFar) {
    long ceiling =
        Math.min(
            MAX_BACKOFF_MILLIS,
            FIRST_BACKOFF_MILLIS << Math.min(Math.max(failuresSoFar - 1, 0), 16));
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  /** The wait Cosmos asked for, or -1 when the message names none. */
  static long retryAfterMillis(String message) {
    if (message == null) {
      return -1;
    }
    Matcher matcher = RETRY_AFTER.matcher(message);
    if (!matcher.find()) {
      return -1;
    }
    try {
      return Long.parseLong(matcher.group(1));
    } catch (NumberFormatException tooLong) {
      return -1;
    }
  }

  /**
   * Cosmos's wait plus up to a quarter more, so that requests refused together do not all come back
   * in the same millisecond; with no wait named, exponential backoff from 100 ms to 5 s with the
   * upper half jittered.
   */
  static long delayMillis(OverloadedException error, int rateLimitedSoFar) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long asked = retryAfterMillis(error.getMessage());
    if (asked >= 0) {
      return asked + random.nextLong(Math.max(5, asked / 4) + 1);
    }
    return backoffMillis(rateLimitedSoFar);
  }
}

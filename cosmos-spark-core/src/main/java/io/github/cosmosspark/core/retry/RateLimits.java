package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Cosmos's rate-limit answers and decides how long to wait before resending. */
final class RateLimits {
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
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof OverloadedException ? (OverloadedException) cause : null;
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
    long ceiling =
        Math.min(
            MAX_BACKOFF_MILLIS,
            FIRST_BACKOFF_MILLIS << Math.min(Math.max(rateLimitedSoFar - 1, 0), 16));
    return ceiling / 2 + random.nextLong(ceiling / 2 + 1);
  }
}

package io.github.cosmosspark.core.retry;

import java.util.function.Supplier;

/**
 * Told of every 429 the resend loop receives. Throughput control listens, to slow the table's
 * admission down; the retry layer knows nothing of it beyond this interface.
 */
@FunctionalInterface
public interface RateLimitListener {

  /**
   * Cosmos refused a request to {@code table} (keyspace.table) that was sent at {@code sentNanos}
   * ({@link System#nanoTime()}). Called on a driver I/O thread: must not block.
   */
  void onRateLimited(String table, long sentNanos);

  /**
   * As {@link #onRateLimited(String, long)}, with the request's partition key for a listener that
   * tells hot keys; says whether the table was throttled while well under its budget (a hot
   * physical partition rather than a full table).
   *
   * @param key the request's partition key, readable (e.g. {@code id=42}); computed when asked,
   *     null when the request has none
   */
  default boolean onRateLimited(String table, long sentNanos, Supplier<String> key) {
    onRateLimited(table, sentNanos);
    return false;
  }
}

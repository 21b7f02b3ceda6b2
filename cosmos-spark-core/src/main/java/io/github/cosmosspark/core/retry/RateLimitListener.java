package io.github.cosmosspark.core.retry;

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
}

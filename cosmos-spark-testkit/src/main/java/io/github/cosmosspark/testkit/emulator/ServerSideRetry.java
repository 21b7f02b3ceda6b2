package io.github.cosmosspark.testkit.emulator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cosmos's server-side retry, an account option (the capability {@code
 * DisableRateLimitingResponses}): a request over its table's throughput is not refused with a 429
 * but held and tried again until it fits, for up to 60 seconds, after which the client gets a read
 * or write timeout
 * (https://learn.microsoft.com/azure/cosmos-db/cassandra/prevent-rate-limiting-errors). How often
 * Cosmos tries a held request again is not published; the emulator tries again when the busiest
 * partition the request needs has repaid its debt, which is as soon as it could fit.
 */
final class ServerSideRetry {

  /** Cosmos's limit on how long a request is held. */
  static final long COSMOS_LIMIT_MILLIS = 60_000;

  private final boolean enabled;
  private final long limitMillis;
  private final Map<String, Counters> perTable = new ConcurrentHashMap<>();

  ServerSideRetry(boolean enabled, long limitMillis) {
    this.enabled = enabled;
    this.limitMillis = limitMillis;
  }

  boolean enabled() {
    return enabled;
  }

  long limitMillis() {
    return limitMillis;
  }

  /** A held request ran after {@code heldMillis}. */
  void ran(String table, long heldMillis) {
    Counters counters = counters(table);
    counters.held.incrementAndGet();
    counters.heldMillis.addAndGet(heldMillis);
  }

  /** A held request was answered with a timeout after {@code heldMillis}, never having run. */
  void timedOut(String table, long heldMillis) {
    Counters counters = counters(table);
    counters.timedOut.incrementAndGet();
    counters.heldMillis.addAndGet(heldMillis);
  }

  HeldRequests statistics(String table) {
    Counters counters = perTable.get(table);
    return counters == null
        ? new HeldRequests(0, 0, 0)
        : new HeldRequests(counters.held.get(), counters.timedOut.get(), counters.heldMillis.get());
  }

  private Counters counters(String table) {
    return perTable.computeIfAbsent(table, ignored -> new Counters());
  }

  private static final class Counters {
    final AtomicLong held = new AtomicLong();
    final AtomicLong timedOut = new AtomicLong();
    final AtomicLong heldMillis = new AtomicLong();
  }
}

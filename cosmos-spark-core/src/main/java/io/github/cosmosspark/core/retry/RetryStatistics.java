package io.github.cosmosspark.core.retry;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What retrying cost in one JVM (one executor, or the driver), per {@code keyspace.table}, since
 * the JVM started. The JVM's one instance is held by the session layer's runtime; programs and
 * tests read it to report what a job cost, and each session logs its own share when it closes.
 */
public final class RetryStatistics {
  private final ConcurrentMap<String, Counters> byTable = new ConcurrentHashMap<>();

  /** Every table with a count, by name. */
  public Map<String, Snapshot> snapshot() {
    Map<String, Snapshot> snapshot = new TreeMap<>();
    for (Map.Entry<String, Counters> entry : byTable.entrySet()) {
      snapshot.put(entry.getKey(), entry.getValue().snapshot());
    }
    return Collections.unmodifiableMap(snapshot);
  }

  /** One table's counts; all zero when it has none. */
  public Snapshot of(String table) {
    Counters counters = byTable.get(table);
    return counters == null ? Snapshot.ZERO : counters.snapshot();
  }

  /** The counters of one table, made on first use. */
  public Counters forTable(String table) {
    // get first: on Java 8 computeIfAbsent locks its bin even when the key is there, once per
    // request.
    Counters counters = byTable.get(table);
    return counters != null ? counters : byTable.computeIfAbsent(table, name -> new Counters());
  }

  /** One table's counters, which the resend loop and the driver's retry policy add to. */
  public static final class Counters {
    final LongAdder rateLimited = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder backoffMillis = new LongAdder();
    final LongAdder exhausted = new LongAdder();
    final LongAdder immediateRetries = new LongAdder();
    final LongAdder connectionsBusy = new LongAdder();
    final LongAdder connectionsLost = new LongAdder();
    final LongAdder endpointDown = new LongAdder();
    final LongAdder requestTimeouts = new LongAdder();
    final LongAdder writeFailures = new LongAdder();

    Snapshot snapshot() {
      return new Snapshot(
          rateLimited.sum(),
          retries.sum(),
          backoffMillis.sum(),
          exhausted.sum(),
          immediateRetries.sum(),
          connectionsBusy.sum(),
          connectionsLost.sum(),
          endpointDown.sum(),
          requestTimeouts.sum(),
          writeFailures.sum());
    }
  }

  /** Counts at one moment. */
  public static final class Snapshot {
    static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final long rateLimited;
    private final long retries;
    private final long backoffMillis;
    private final long exhausted;
    private final long immediateRetries;
    private final long connectionsBusy;
    private final long connectionsLost;
    private final long endpointDown;
    private final long requestTimeouts;
    private final long writeFailures;

    Snapshot(
        long rateLimited,
        long retries,
        long backoffMillis,
        long exhausted,
        long immediateRetries,
        long connectionsBusy,
        long connectionsLost,
        long endpointDown,
        long requestTimeouts,
        long writeFailures) {
      this.rateLimited = rateLimited;
      this.retries = retries;
      this.backoffMillis = backoffMillis;
      this.exhausted = exhausted;
      this.immediateRetries = immediateRetries;
      this.connectionsBusy = connectionsBusy;
      this.connectionsLost = connectionsLost;
      this.endpointDown = endpointDown;
      this.requestTimeouts = requestTimeouts;
      this.writeFailures = writeFailures;
    }

    /** Rate-limited (429) answers received. */
    public long rateLimited() {
      return rateLimited;
    }

    /**
     * Requests the driver could not send because every connection was full, sent again after a
     * scheduled wait.
     */
    public long connectionsBusy() {
      return connectionsBusy;
    }

    /**
     * Requests whose connection closed before the answer came (a network failure, a restarted
     * endpoint), sent again after a scheduled wait because sending them twice changes nothing.
     */
    public long connectionsLost() {
      return connectionsLost;
    }

    /**
     * Requests the driver could not send because it held the endpoint for down (restarting,
     * unreachable), sent again after a scheduled wait while the driver reconnects.
     */
    public long endpointDown() {
      return endpointDown;
    }

    /**
     * Requests that got no answer within the request timeout, sent again after a scheduled wait
     * because sending them twice changes nothing; at most {@code retry.timeoutRetries} times each.
     */
    public long requestTimeouts() {
      return requestTimeouts;
    }

    /**
     * Write failures received (CQL {@code WRITE_FAILURE}: on Cosmos mostly 449, another write to
     * the same row in flight), each resent after a scheduled wait unless the row was over 2 MB or
     * the write cannot run twice safely.
     */
    public long writeFailures() {
      return writeFailures;
    }

    /**
     * Requests resent after a rate-limit answer, full connections, a lost connection, an endpoint
     * held for down, a request timeout or a write failure, each after a scheduled wait.
     */
    public long retries() {
      return retries;
    }

    /** Total of those waits. Waits of concurrent requests overlap, so this exceeds wall time. */
    public long backoffMillis() {
      return backoffMillis;
    }

    /** Requests given up on after {@code retry.maxAttempts} or {@code retry.maxTimeMs}. */
    public long exhausted() {
      return exhausted;
    }

    /** Idempotent requests resent at once after a timeout or a transient server error. */
    public long immediateRetries() {
      return immediateRetries;
    }

    /** The counts since {@code earlier}. */
    public Snapshot minus(Snapshot earlier) {
      return new Snapshot(
          rateLimited - earlier.rateLimited,
          retries - earlier.retries,
          backoffMillis - earlier.backoffMillis,
          exhausted - earlier.exhausted,
          immediateRetries - earlier.immediateRetries,
          connectionsBusy - earlier.connectionsBusy,
          connectionsLost - earlier.connectionsLost,
          endpointDown - earlier.endpointDown,
          requestTimeouts - earlier.requestTimeouts,
          writeFailures - earlier.writeFailures);
    }

    /** Whether nothing was counted. */
    public boolean isZero() {
      return rateLimited == 0
          && retries == 0
          && exhausted == 0
          && immediateRetries == 0
          && connectionsBusy == 0
          && connectionsLost == 0
          && endpointDown == 0
          && requestTimeouts == 0
          && writeFailures == 0;
    }

    @Override
    public String toString() {
      return String.format(
          "%,d rate-limited (429), %,d unsent (connections full), %,d on lost connections, %,d"
              + " unsent (endpoint down), %,d timed out, %,d write failures (449 and others), %,d"
              + " resent after %,d ms of waits, %,d given up, %,d resent at once after timeouts",
          rateLimited,
          connectionsBusy,
          connectionsLost,
          endpointDown,
          requestTimeouts,
          writeFailures,
          retries,
          backoffMillis,
          exhausted,
          immediateRetries);
    }
  }
}

package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.Message;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults a test has asked for: latency added to every request, errors for the next requests,
 * connections refused for a while, and schema-change events withheld. Set from the test's thread
 * and read on the event loops, hence volatile.
 */
final class Faults {

  private final AtomicInteger faultsLeft = new AtomicInteger();
  private final AtomicInteger writeFaultsLeft = new AtomicInteger();
  private volatile Fault fault;
  private volatile Fault writeFault;
  private volatile String writeFaultTable;
  private volatile long latencyMillis;
  private volatile long refuseConnectionsUntilNanos;
  private volatile boolean withholdSchemaEvents;

  /** See {@link CosmosEmulator#injectLatency(Duration)}. */
  void injectLatency(Duration latency) {
    latencyMillis = latency.toMillis();
  }

  /** See {@link CosmosEmulator#failNext(int, Fault)}. */
  void failNext(int count, Fault fault) {
    this.fault = fault;
    faultsLeft.set(count);
  }

  /** See {@link CosmosEmulator#failNextWrites(String, int, Fault)}; {@code table} null for any. */
  void failNextWrites(String table, int count, Fault fault) {
    this.writeFault = fault;
    this.writeFaultTable = table == null ? null : table.toLowerCase(Locale.ROOT);
    writeFaultsLeft.set(count);
  }

  /** See {@link CosmosEmulator#refuseConnections(Duration)}. */
  void refuseConnections(Duration duration) {
    refuseConnectionsUntilNanos = System.nanoTime() + duration.toNanos();
  }

  /** See {@link CosmosEmulator#withholdSchemaEvents()}. */
  void withholdSchemaEvents() {
    withholdSchemaEvents = true;
  }

  /** Takes back injected latency, failures, connection refusal and withheld schema events. */
  void clear() {
    latencyMillis = 0;
    faultsLeft.set(0);
    writeFaultsLeft.set(0);
    refuseConnectionsUntilNanos = 0;
    withholdSchemaEvents = false;
  }

  /** Whether a connection accepted now is to be closed at once. */
  boolean refusingConnections() {
    return System.nanoTime() < refuseConnectionsUntilNanos;
  }

  boolean withholdingSchemaEvents() {
    return withholdSchemaEvents;
  }

  long latencyMillis() {
    return latencyMillis;
  }

  /** The injected error for the next application request, or null; counts it off. */
  Message nextFault(Frame request) {
    Fault current = fault;
    return current != null && faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0
        ? current.error(request)
        : null;
  }

  /** The fault injected for the next write to {@code table}, or null; counts it off. */
  Fault nextWriteFault(String table) {
    Fault current = writeFault;
    String only = writeFaultTable;
    if (current == null || (only != null && !only.equals(table))) {
      return null;
    }
    return writeFaultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? current : null;
  }
}

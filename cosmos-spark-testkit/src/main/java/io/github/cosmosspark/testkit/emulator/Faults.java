package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Message;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults a test has asked for: latency added to every request, errors for the next requests,
 * connections refused for a while, and schema-change events withheld. Set from the test's thread
 * and read on the event loops, hence volatile.
 */
final class Faults {

  private final AtomicInteger faultsLeft = new AtomicInteger();
  private volatile Fault fault;
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
  Message nextFault() {
    Fault current = fault;
    return current != null && faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0
        ? current.error()
        : null;
  }
}

package io.github.cosmosspark.testkit.emulator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rows that have a write in flight, for Cosmos's 449: Cosmos lets one write at a time update a
 * row and answers a write that overlaps another with a write failure carrying 449 (Microsoft's
 * error table for the Cassandra API, "Server diagnostics for Azure Cosmos DB for Apache
 * Cassandra"). A write holds its rows from admission until its answer leaves Cassandra, injected
 * latency included (Cosmos's time on the request).
 *
 * <p>A row is known here by its table and partition key: the emulator reads only the partition key
 * from the wire (the prepared statement's key indices), not the clustering columns. In a table with
 * clustering columns two writes to different rows of one partition therefore also conflict, which
 * is stricter than Cosmos's "one row": a client that survives the emulator survives Cosmos. Touched
 * by every client connection's event loop, hence concurrent.
 */
final class RowLocks {

  private final Set<RowKey> held = ConcurrentHashMap.newKeySet();
  private volatile boolean enabled = true;

  /** See {@link CosmosEmulator#concurrentWriteConflicts(boolean)}. */
  void enable(boolean on) {
    enabled = on;
  }

  /**
   * Takes the rows of {@code request} (a write), or none of them if another write holds one.
   *
   * @return whether the request holds its rows now
   */
  boolean tryHold(RequestCharges.Classified request) {
    if (!enabled) {
      return true;
    }
    List<RowKey> taken = new ArrayList<>(request.statements.size());
    for (PartitionKeys.Statement statement : request.statements) {
      RowKey row = new RowKey(request.table, statement.key);
      if (taken.contains(row)) {
        // A batch may write one row twice; it does not conflict with itself.
        continue;
      }
      if (!held.add(row)) {
        for (RowKey mine : taken) {
          held.remove(mine);
        }
        return false;
      }
      taken.add(row);
    }
    request.heldRows = taken;
    return true;
  }

  /** Lets go of what {@code request} holds; harmless when it holds nothing. */
  void release(RequestCharges.Classified request) {
    if (request == null) {
      return;
    }
    List<RowKey> rows = request.heldRows;
    request.heldRows = null;
    if (rows != null) {
      for (RowKey row : rows) {
        held.remove(row);
      }
    }
  }

  /** A table's row, by its partition key's serialized bytes. */
  static final class RowKey {
    private final String table;
    private final ByteBuffer key;

    RowKey(String table, ByteBuffer key) {
      this.table = table;
      this.key = key.duplicate();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof RowKey
          && ((RowKey) other).table.equals(table)
          && ((RowKey) other).key.equals(key);
    }

    @Override
    public int hashCode() {
      return table.hashCode() * 31 + key.hashCode();
    }
  }
}

package io.github.cosmosspark.testkit.emulator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rows that have a write in flight, for Cosmos's 449: Cosmos lets one write at a time update a
 * row and answers a write that overlaps another with a write failure carrying 449 (Microsoft's
 * error table for the Cassandra API, "Server diagnostics for Azure Cosmos DB for Apache
 * Cassandra"). A write holds its rows from admission until its answer leaves Cassandra, injected
 * latency included (Cosmos's time on the request).
 *
 * <p>A row is its table, partition key and clustering key (its primary key). A write whose
 * clustering key the emulator does not know (one that writes a whole partition, such as a partition
 * delete or a static column's update, a range or {@code IN} delete, a statement with literal
 * clustering values, a table without clustering columns, or a table whose clustering columns could
 * not be read) holds its whole partition: it conflicts with any write to a row of it. Whether
 * Cosmos locks a partition-wide write against the partition's rows is not confirmed; this is the
 * stricter choice. Touched by every client connection's event loop, hence concurrent: each
 * partition's holds change atomically.
 */
final class RowLocks {

  private final Map<PartitionKey, Holds> held = new ConcurrentHashMap<>();
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
    // A batch may write one row twice, or a row and its whole partition: it does not conflict
    // with itself, so its statements are gathered by partition first.
    Map<PartitionKey, Set<ByteBuffer>> wanted = new LinkedHashMap<>();
    for (PartitionKeys.Statement statement : request.statements) {
      PartitionKey partition = new PartitionKey(request.table, statement.key);
      if (statement.clustering == null) {
        wanted.put(partition, WHOLE_PARTITION);
      } else {
        Set<ByteBuffer> rows = wanted.get(partition);
        if (rows == null) {
          rows = new HashSet<>();
          wanted.put(partition, rows);
        }
        if (rows != WHOLE_PARTITION) {
          rows.add(statement.clustering.duplicate());
        }
      }
    }
    List<Hold> taken = new ArrayList<>(wanted.size());
    for (Map.Entry<PartitionKey, Set<ByteBuffer>> entry : wanted.entrySet()) {
      Hold hold =
          new Hold(entry.getKey(), entry.getValue() == WHOLE_PARTITION ? null : entry.getValue());
      if (!take(hold)) {
        for (Hold mine : taken) {
          give(mine);
        }
        return false;
      }
      taken.add(hold);
    }
    request.heldRows = taken;
    return true;
  }

  /** Lets go of what {@code request} holds; harmless when it holds nothing. */
  void release(RequestCharges.Classified request) {
    if (request == null) {
      return;
    }
    List<Hold> holds = request.heldRows;
    request.heldRows = null;
    if (holds != null) {
      for (Hold hold : holds) {
        give(hold);
      }
    }
  }

  private boolean take(Hold hold) {
    boolean[] taken = {false};
    held.compute(
        hold.partition,
        (partition, current) -> {
          if (current == null) {
            taken[0] = true;
            return new Holds(hold.rows);
          }
          if (hold.rows == null || current.wholePartition) {
            return current;
          }
          for (ByteBuffer row : hold.rows) {
            if (current.rows.contains(row)) {
              return current;
            }
          }
          current.rows.addAll(hold.rows);
          taken[0] = true;
          return current;
        });
    return taken[0];
  }

  private void give(Hold hold) {
    held.computeIfPresent(
        hold.partition,
        (partition, current) -> {
          if (hold.rows == null) {
            return null; // the whole partition: its only holder
          }
          current.rows.removeAll(hold.rows);
          return current.rows.isEmpty() ? null : current;
        });
  }

  // Marks a partition a request writes as a whole, among the row sets of tryHold.
  private static final Set<ByteBuffer> WHOLE_PARTITION = Collections.emptySet();

  /** What one request holds in one partition: some of its rows, or all of it (rows null). */
  static final class Hold {
    private final PartitionKey partition;
    private final Set<ByteBuffer> rows;

    Hold(PartitionKey partition, Set<ByteBuffer> rows) {
      this.partition = partition;
      this.rows = rows;
    }
  }

  /**
   * What all requests hold in one partition: the whole of it (one request), or the rows of one or
   * more. Changed only inside the map's atomic compute.
   */
  private static final class Holds {
    private final boolean wholePartition;
    private final Set<ByteBuffer> rows;

    Holds(Set<ByteBuffer> rows) {
      this.wholePartition = rows == null;
      this.rows = rows == null ? Collections.<ByteBuffer>emptySet() : new HashSet<>(rows);
    }
  }

  /** A table's partition, by its partition key's serialized bytes. */
  static final class PartitionKey {
    private final String table;
    private final ByteBuffer key;

    PartitionKey(String table, ByteBuffer key) {
      this.table = table;
      this.key = key.duplicate();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof PartitionKey
          && ((PartitionKey) other).table.equals(table)
          && ((PartitionKey) other).key.equals(key);
    }

    @Override
    public int hashCode() {
      return table.hashCode() * 31 + key.hashCode();
    }
  }
}

package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.RawType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which bound values of a prepared write name its row, and what a write holds: a row by its primary
 * key, or its whole partition when it does not bind every clustering column by equality.
 */
class ClusteringColumnsTest {

  private static final List<String> CLUSTERING = Arrays.asList("a", "b");

  @Test
  void anInsertBindsItsRowByTheVariablesNamedAfterTheClusteringColumns() {
    assertArrayEquals(
        new int[] {2, 1},
        ClusteringColumns.boundIndices(
            CLUSTERING,
            variables("pk", "b", "a", "v"),
            "INSERT INTO ks.t (pk, b, a, v) VALUES (?, ?, ?, ?)"));
  }

  @Test
  void anUpdateOrDeleteBindsItsRowOnlyWithEqualities() {
    assertArrayEquals(
        new int[] {2, 3},
        ClusteringColumns.boundIndices(
            CLUSTERING,
            variables("v", "pk", "a", "b"),
            "UPDATE ks.t SET v = ? WHERE pk = ? AND A=? AND \"b\" = :b"));
    assertArrayEquals(
        new int[] {1, 2},
        ClusteringColumns.boundIndices(
            CLUSTERING,
            variables("pk", "a", "b"),
            "/* a comment */ DELETE v FROM ks.t WHERE pk = ? AND a = ? AND b = ? IF EXISTS"));
  }

  @Test
  void aWriteThatDoesNotBindEveryClusteringColumnByEqualityHoldsItsPartition() {
    assertNull(
        ClusteringColumns.boundIndices(
            CLUSTERING, variables("pk"), "DELETE FROM ks.t WHERE pk = ?"),
        "a partition delete");
    assertNull(
        ClusteringColumns.boundIndices(
            CLUSTERING, variables("pk", "a"), "DELETE FROM ks.t WHERE pk = ? AND a = ?"),
        "a delete of a prefix");
    assertNull(
        ClusteringColumns.boundIndices(
            CLUSTERING,
            variables("pk", "a", "b"),
            "DELETE FROM ks.t WHERE pk = ? AND a = ? AND b > ?"),
        "a range delete");
    assertNull(
        ClusteringColumns.boundIndices(
            CLUSTERING,
            variables("pk", "a", "b", "b"),
            "DELETE FROM ks.t WHERE pk = ? AND a = ? AND b IN (?, ?)"),
        "IN with two values");
    assertNull(
        ClusteringColumns.boundIndices(
            CLUSTERING,
            variables("pk", "a", "b"),
            "DELETE FROM ks.t WHERE pk = ? AND a = ? AND b IN (?)"),
        "IN with one value");
    assertNull(
        ClusteringColumns.boundIndices(
            CLUSTERING,
            variables("pk", "a", "v"),
            "INSERT INTO ks.t (pk, a, b, v) VALUES (?, ?, 1, ?)"),
        "a literal clustering value");
    assertNull(
        ClusteringColumns.boundIndices(
            CLUSTERING, variables("v", "pk"), "UPDATE ks.t SET s = ? WHERE pk = ?"),
        "a static column's update");
    assertNull(
        ClusteringColumns.boundIndices(
            Collections.<String>emptyList(),
            variables("pk", "v"),
            "INSERT INTO ks.t (pk, v) VALUES (?, ?)"),
        "a table without clustering columns");
    assertNull(
        ClusteringColumns.boundIndices(
            null, variables("pk", "a", "b"), "INSERT INTO ks.t (pk, a, b) VALUES (?, ?, ?)"),
        "clustering columns unknown");
  }

  @Test
  void rowWritesToOnePartitionConflictOnlyOnTheSameRowAndAPartitionWriteWithAny() {
    RowLocks locks = new RowLocks();
    RequestCharges.Classified row1 = write(row(1, 1));
    RequestCharges.Classified row2 = write(row(1, 2));
    RequestCharges.Classified row1Again = write(row(1, 1));
    RequestCharges.Classified partition1 = write(partition(1));
    RequestCharges.Classified partition2 = write(partition(2));
    assertTrue(locks.tryHold(row1));
    assertTrue(locks.tryHold(row2));
    assertFalse(locks.tryHold(row1Again));
    assertFalse(locks.tryHold(partition1));
    assertTrue(locks.tryHold(partition2));

    locks.release(row1);
    assertTrue(locks.tryHold(row1Again));
    locks.release(row1Again);
    locks.release(row2);
    assertTrue(locks.tryHold(partition1));
    assertFalse(locks.tryHold(write(row(1, 3))));
    locks.release(partition1);
    assertTrue(locks.tryHold(write(row(1, 3))));
  }

  @Test
  void aBatchHoldsEachOfItsRowsAndDoesNotConflictWithItself() {
    RowLocks locks = new RowLocks();
    RequestCharges.Classified batch = write(row(1, 1), row(1, 1), partition(2), row(2, 5));
    assertTrue(locks.tryHold(batch));
    assertFalse(locks.tryHold(write(row(2, 7))), "the batch writes partition 2 as a whole");
    assertTrue(locks.tryHold(write(row(1, 2))));
    RequestCharges.Classified refused = write(row(1, 3), row(1, 1));
    assertFalse(locks.tryHold(refused));
    // A refused batch holds none of its rows.
    assertTrue(locks.tryHold(write(row(1, 3))));
  }

  private static List<ColumnSpec> variables(String... names) {
    List<ColumnSpec> specs = new ArrayList<>();
    RawType type = RawType.PRIMITIVES.get(ProtocolConstants.DataType.INT);
    for (int i = 0; i < names.length; i++) {
      specs.add(new ColumnSpec("ks", "t", names[i], i, type));
    }
    return specs;
  }

  private static PartitionKeys.Statement row(int partition, int row) {
    return new PartitionKeys.Statement(bytes(partition), true, bytes(row), 8);
  }

  private static PartitionKeys.Statement partition(int partition) {
    return new PartitionKeys.Statement(bytes(partition), true, 4);
  }

  private static RequestCharges.Classified write(PartitionKeys.Statement... statements) {
    RequestCharges.Classified write =
        new RequestCharges.Classified("WRITE", "ks.t", new long[statements.length]);
    write.statements = Arrays.asList(statements);
    return write;
  }

  private static ByteBuffer bytes(int value) {
    return ByteBuffer.allocate(4).putInt(0, value);
  }
}

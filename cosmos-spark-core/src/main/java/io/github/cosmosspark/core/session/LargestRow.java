package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.github.cosmosspark.core.retry.RowSize;
import java.nio.ByteBuffer;

/**
 * The largest row a statement writes, with its partition key: the bytes of a bound statement's
 * values as the driver sends them (the measure Cosmos's 2 MB row limit is checked by here, in the
 * write check and in the emulator), the largest of a batch's. Statements with their values in the
 * text are not measured.
 */
final class LargestRow {

  private LargestRow() {}

  static RowSize of(Statement<?> statement) {
    if (statement instanceof BatchStatement) {
      BoundStatement largest = null;
      long largestBytes = -1;
      for (BatchableStatement<?> inner : (BatchStatement) statement) {
        if (inner instanceof BoundStatement) {
          long bytes = bytes((BoundStatement) inner);
          if (bytes > largestBytes) {
            largest = (BoundStatement) inner;
            largestBytes = bytes;
          }
        }
      }
      return largest == null
          ? RowSize.UNKNOWN
          : new RowSize(PartitionKeyText.of(largest), largestBytes);
    }
    if (statement instanceof BoundStatement) {
      return new RowSize(PartitionKeyText.of(statement), bytes((BoundStatement) statement));
    }
    return RowSize.UNKNOWN;
  }

  private static long bytes(BoundStatement bound) {
    long total = 0;
    for (int i = 0; i < bound.size(); i++) {
      ByteBuffer value = bound.getBytesUnsafe(i);
      total += value == null ? 0 : value.remaining();
    }
    return total;
  }
}

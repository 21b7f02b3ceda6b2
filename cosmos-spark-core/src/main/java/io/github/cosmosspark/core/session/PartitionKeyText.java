package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A statement's partition key as a person reads it ({@code id=42}, {@code (tenant='a', day=3)}),
 * for telling the user which keys Cosmos throttled most. Only bound statements carry a key the
 * driver knows (from the prepared statement's partition-key indices); a batch shows its first.
 */
final class PartitionKeyText {
  private static final int LONGEST_VALUE = 64;

  private PartitionKeyText() {}

  /** The key, or null when the statement has none the driver knows. */
  static String of(Statement<?> statement) {
    if (statement instanceof BatchStatement) {
      for (BatchableStatement<?> inner : (BatchStatement) statement) {
        return of(inner);
      }
      return null;
    }
    if (!(statement instanceof BoundStatement)) {
      return null;
    }
    BoundStatement bound = (BoundStatement) statement;
    List<Integer> indices = bound.getPreparedStatement().getPartitionKeyIndices();
    if (indices.isEmpty()) {
      return null;
    }
    StringBuilder text = new StringBuilder(indices.size() > 1 ? "(" : "");
    for (int i = 0; i < indices.size(); i++) {
      int index = indices.get(i);
      ColumnDefinition column = bound.getPreparedStatement().getVariableDefinitions().get(index);
      text.append(i == 0 ? "" : ", ")
          .append(column.getName().asCql(true))
          .append('=')
          .append(value(bound, index, column));
    }
    return text.append(indices.size() > 1 ? ")" : "").toString();
  }

  private static String value(BoundStatement bound, int index, ColumnDefinition column) {
    ByteBuffer bytes = bound.getBytesUnsafe(index);
    if (bytes == null) {
      return "null";
    }
    String shown;
    try {
      TypeCodec<Object> codec = bound.codecRegistry().codecFor(column.getType());
      shown = codec.format(codec.decode(bytes.duplicate(), bound.protocolVersion()));
    } catch (RuntimeException undecodable) {
      shown = "<" + bytes.remaining() + " bytes>";
    }
    return shown.length() > LONGEST_VALUE ? shown.substring(0, LONGEST_VALUE) + "…" : shown;
  }
}

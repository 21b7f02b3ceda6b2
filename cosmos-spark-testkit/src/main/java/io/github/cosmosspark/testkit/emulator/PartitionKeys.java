package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Query;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The partition keys a request touches, as the bytes Cosmos would hash: for a prepared statement,
 * the values bound to its partition-key columns (Cassandra says which they are when it prepares it,
 * as it does for the driver's token-aware routing). A statement whose key the emulator cannot read
 * (literal values in the text, or a statement prepared without every key column bound) is placed by
 * a stand-in key made of its text and values for a write, so that the same write lands on the same
 * partition; a read without a key may read anywhere. A prepared write also carries its row's
 * clustering key when it binds every clustering column ({@link ClusteringColumns}), for {@link
 * RowLocks}.
 */
final class PartitionKeys {

  /**
   * One statement of a request: its key (a stand-in when unknown), its row's clustering key (null
   * when it writes the whole partition, or the emulator cannot tell which rows) and the bytes it
   * carries.
   */
  static final class Statement {
    final ByteBuffer key;
    final boolean keyKnown;
    final ByteBuffer clustering;
    final long bytes;

    Statement(ByteBuffer key, boolean keyKnown, long bytes) {
      this(key, keyKnown, null, bytes);
    }

    Statement(ByteBuffer key, boolean keyKnown, ByteBuffer clustering, long bytes) {
      this.key = key;
      this.keyKnown = keyKnown;
      this.clustering = clustering;
      this.bytes = bytes;
    }
  }

  private PartitionKeys() {}

  /** The statements of {@code request}, each with its key. */
  static List<Statement> of(Frame request, PreparedStatements prepared) {
    List<Statement> statements = new ArrayList<>();
    if (request.message instanceof Query) {
      Query query = (Query) request.message;
      statements.add(
          standIn(query.query.getBytes(StandardCharsets.UTF_8), query.options.positionalValues));
    } else if (request.message instanceof Execute) {
      Execute execute = (Execute) request.message;
      statements.add(
          statement(
              prepared.lookup(execute.queryId), execute.queryId, execute.options.positionalValues));
    } else if (request.message instanceof Batch) {
      Batch batch = (Batch) request.message;
      for (int i = 0; i < batch.queriesOrIds.size(); i++) {
        Object statement = batch.queriesOrIds.get(i);
        List<ByteBuffer> values = batch.values.get(i);
        statements.add(
            statement instanceof String
                ? standIn(((String) statement).getBytes(StandardCharsets.UTF_8), values)
                : statement(prepared.lookup((byte[]) statement), (byte[]) statement, values));
      }
    }
    return statements;
  }

  private static Statement statement(
      PreparedStatements.Statement statement, byte[] id, List<ByteBuffer> values) {
    int[] keyIndices = statement == null ? null : statement.partitionKeyIndices();
    if (keyIndices == null || keyIndices.length == 0) {
      return standIn(id, values);
    }
    ByteBuffer key = compose(values, keyIndices);
    if (key == null) {
      return standIn(id, values);
    }
    int[] clusteringIndices = statement.clusteringIndices();
    // Composed as a partition key is, so that no two rows share bytes.
    ByteBuffer clustering = clusteringIndices == null ? null : compose(values, clusteringIndices);
    return new Statement(key, true, clustering, bytes(values));
  }

  /**
   * One component as it is; several in Cassandra's composite form (length, bytes, 0 for each), the
   * bytes the driver hashes for routing too.
   */
  static ByteBuffer compose(List<ByteBuffer> values, int[] keyIndices) {
    if (keyIndices.length == 1) {
      ByteBuffer only = keyIndices[0] < values.size() ? values.get(keyIndices[0]) : null;
      return only == null ? null : only.duplicate();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int index : keyIndices) {
      ByteBuffer component = index < values.size() ? values.get(index) : null;
      if (component == null) {
        return null;
      }
      ByteBuffer copy = component.duplicate();
      out.write((copy.remaining() >> 8) & 0xFF);
      out.write(copy.remaining() & 0xFF);
      while (copy.hasRemaining()) {
        out.write(copy.get());
      }
      out.write(0);
    }
    return ByteBuffer.wrap(out.toByteArray());
  }

  private static Statement standIn(byte[] text, List<ByteBuffer> values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(text, 0, text.length);
    for (ByteBuffer value : values) {
      if (value != null) {
        ByteBuffer copy = value.duplicate();
        while (copy.hasRemaining()) {
          out.write(copy.get());
        }
      }
      out.write(0);
    }
    return new Statement(ByteBuffer.wrap(out.toByteArray()), false, bytes(values));
  }

  private static long bytes(List<ByteBuffer> values) {
    long total = 0;
    for (ByteBuffer value : values) {
      total += value == null ? 0 : value.remaining();
    }
    return total;
  }
}

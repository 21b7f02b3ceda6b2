package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.response.result.Rows;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/**
 * The emulator's request-unit model: deterministic, from the bytes a request writes or a response
 * returns, after Microsoft's published guidance (a point read of 1 KB about 1 RU, a write of 1 KB
 * about 5-6 RU, both growing with size; schema changes not charged).
 */
final class RequestCharges {

  static final double READ_RU_PER_KB = 1.0;
  static final double WRITE_RU_PER_KB = 5.71;

  private final CosmosEmulator emulator;

  RequestCharges(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  void beforeRequest(Frame request) {
    // Rate limiting hooks in here.
  }

  double charge(Frame request, Frame response) {
    String kind = kind(request);
    if (kind.equals("READ")) {
      return Math.max(1, kilobytes(rowBytes(response))) * READ_RU_PER_KB;
    }
    if (kind.equals("WRITE")) {
      return Math.max(1, kilobytes(valueBytes(request))) * WRITE_RU_PER_KB;
    }
    return 0;
  }

  private String kind(Frame request) {
    String cql = null;
    if (request.message instanceof Batch) {
      return "WRITE";
    } else if (request.message instanceof Query) {
      cql = ((Query) request.message).query;
    } else if (request.message instanceof Execute) {
      cql = emulator.preparedQuery(((Execute) request.message).queryId);
    }
    if (cql == null) {
      return "OTHER";
    }
    String first = cql.trim().split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
    if (first.equals("SELECT")) {
      return "READ";
    }
    if (first.equals("INSERT") || first.equals("UPDATE") || first.equals("DELETE")) {
      return "WRITE";
    }
    return "OTHER";
  }

  private static double kilobytes(long bytes) {
    return Math.ceil(bytes / 1024.0);
  }

  private static long rowBytes(Frame response) {
    if (!(response.message instanceof Rows)) {
      return 0;
    }
    long total = 0;
    for (List<ByteBuffer> row : ((Rows) response.message).getData()) {
      for (ByteBuffer value : row) {
        total += value == null ? 0 : value.remaining();
      }
    }
    return total;
  }

  private static long valueBytes(Frame request) {
    long total = 0;
    if (request.message instanceof Query) {
      total += ((Query) request.message).query.length();
      for (ByteBuffer value : ((Query) request.message).options.positionalValues) {
        total += value == null ? 0 : value.remaining();
      }
    } else if (request.message instanceof Execute) {
      for (ByteBuffer value : ((Execute) request.message).options.positionalValues) {
        total += value == null ? 0 : value.remaining();
      }
    } else if (request.message instanceof Batch) {
      for (List<ByteBuffer> values : ((Batch) request.message).values) {
        for (ByteBuffer value : values) {
          total += value == null ? 0 : value.remaining();
        }
      }
    }
    return total;
  }
}

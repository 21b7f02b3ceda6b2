package io.github.cosmosspark.core.datasource.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What each task of a micro-batch reached, kept beside the query's checkpoint: the paging state it
 * stopped at, whether it caught up, and what it read. A batch's end on the feed is known only once
 * its tasks have read (Cosmos's paging states are opaque and cannot be computed ahead), so each
 * task writes its record before it finishes, and the next batch's offset is made from them. Written
 * to the checkpoint's file system, so a restarted query finds them as the offset log's entries.
 */
final class ChangeFeedRecords implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String directory;
  private transient Configuration hadoop;

  ChangeFeedRecords(String checkpointLocation, Configuration hadoop) {
    this.directory = new Path(checkpointLocation, "cosmos-change-feed").toString();
    this.hadoop = hadoop;
  }

  /** What one task of one micro-batch reached on its feed range. */
  static final class Record {
    final String pagingState;
    final boolean caughtUp;
    final long rows;
    final double requestUnits;

    /** The newest write time (µs since the epoch) among the rows read, or null. */
    final Long newestWriteMicros;

    final long readAtMillis;

    Record(
        String pagingState,
        boolean caughtUp,
        long rows,
        double requestUnits,
        Long newestWriteMicros,
        long readAtMillis) {
      this.pagingState = pagingState;
      this.caughtUp = caughtUp;
      this.rows = rows;
      this.requestUnits = requestUnits;
      this.newestWriteMicros = newestWriteMicros;
      this.readAtMillis = readAtMillis;
    }

    /** How far behind the newest change read was when it was read; null with none. */
    Long lagMillis() {
      return newestWriteMicros == null
          ? null
          : Math.max(0, readAtMillis - newestWriteMicros / 1_000);
    }
  }

  void write(long batch, int range, Record record) {
    ObjectNode node = JSON.createObjectNode();
    node.put("state", record.pagingState);
    node.put("caughtUp", record.caughtUp);
    node.put("rows", record.rows);
    node.put("requestUnits", record.requestUnits);
    node.put("newestWriteMicros", record.newestWriteMicros);
    node.put("readAtMillis", record.readAtMillis);
    Path path = path(batch, range);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      // A task run again (a retry, or the batch replayed after a restart) replaces its record.
      try (FSDataOutputStream out = fs.create(path, true)) {
        out.write(node.toString().getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not record where the change feed's micro-batch "
              + batch
              + " stopped, in "
              + path
              + "; the checkpoint location must be writable from the executors",
          e);
    }
  }

  /** The record of {@code range} in {@code batch}, or null when there is none. */
  Record read(long batch, int range) {
    Path path = path(batch, range);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      if (!fs.exists(path)) {
        return null;
      }
      JsonNode node;
      try (FSDataInputStream in = fs.open(path)) {
        node = JSON.readTree(in);
      }
      return new Record(
          node.path("state").isNull() ? null : node.path("state").asText(),
          node.path("caughtUp").asBoolean(),
          node.path("rows").asLong(),
          node.path("requestUnits").asDouble(),
          node.path("newestWriteMicros").isNull() ? null : node.path("newestWriteMicros").asLong(),
          node.path("readAtMillis").asLong());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + path, e);
    }
  }

  /** Removes the records of batches before {@code batch}: their ends are in the offset log. */
  void removeBefore(long batch) {
    Path root = new Path(directory);
    try {
      FileSystem fs = root.getFileSystem(hadoop);
      if (!fs.exists(root)) {
        return;
      }
      for (FileStatus status : fs.listStatus(root)) {
        String name = status.getPath().getName();
        if (name.matches("\\d+") && Long.parseLong(name) < batch) {
          fs.delete(status.getPath(), true);
        }
      }
    } catch (IOException e) {
      // Only space is lost; the query goes on.
    }
  }

  private Path path(long batch, int range) {
    return new Path(new Path(directory, Long.toString(batch)), range + ".json");
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    hadoop.write(out);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    hadoop = new Configuration(false);
    hadoop.readFields(in);
  }
}

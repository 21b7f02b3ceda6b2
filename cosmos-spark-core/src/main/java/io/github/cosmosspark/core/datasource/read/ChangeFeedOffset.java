package io.github.cosmosspark.core.datasource.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.connector.read.streaming.Offset;

/**
 * Where a streaming read of the change feed is, as the checkpoint's offset log keeps it: the table,
 * how the feed was started, and per feed range the paging state micro-batch {@code batch} starts
 * from. A micro-batch ends wherever its tasks stop (a row limit, or caught up), which its tasks
 * record ({@link ChangeFeedRecords}); the next offset is made from those records, so an offset
 * names the batch that starts from it ({@code -1}: none has run yet).
 */
final class ChangeFeedOffset extends Offset {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VERSION = 1;

  final String table;

  /** {@code beginning} or the instant the feed query starts at: its paging states depend on it. */
  final String start;

  final long batch;
  final List<Position> positions;

  ChangeFeedOffset(String table, String start, long batch, List<Position> positions) {
    this.table = table;
    this.start = start;
    this.batch = batch;
    this.positions = Collections.unmodifiableList(new ArrayList<>(positions));
  }

  /** Where one feed range's batch starts: the range (null: the whole table) and paging state. */
  static final class Position {
    final String range;
    final String pagingState;

    Position(String range, String pagingState) {
      this.range = range;
      this.pagingState = pagingState;
    }
  }

  @Override
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    root.put("table", table);
    root.put("start", start);
    root.put("batch", batch);
    ArrayNode ranges = root.putArray("ranges");
    for (Position position : positions) {
      ObjectNode node = ranges.addObject();
      node.put("range", position.range);
      node.put("state", position.pagingState);
    }
    return root.toString();
  }

  /**
   * The offset in {@code json}, checked to be of {@code expectedTable}: a checkpoint of another
   * table's stream is refused before anything is read.
   */
  static ChangeFeedOffset parse(String json, String expectedTable) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new CosmosConfigException(
          "The checkpoint's change-feed offset is not one cosmoscassandra wrote: " + json, e);
    }
    if (root == null || !root.has("table") || root.path("version").asInt() != VERSION) {
      throw new CosmosConfigException(
          "The checkpoint's offset is not a cosmoscassandra change-feed offset (version "
              + VERSION
              + "): "
              + json
              + ". Use a new checkpoint location for this query.");
    }
    String table = root.get("table").asText();
    if (!table.equals(expectedTable)) {
      throw new CosmosConfigException(
          "The checkpoint location holds the change feed of "
              + table
              + ", but this query reads "
              + expectedTable
              + ". A checkpoint belongs to one table's stream: give this query a checkpoint"
              + " location of its own.");
    }
    List<Position> positions = new ArrayList<>();
    for (JsonNode node : root.path("ranges")) {
      positions.add(
          new Position(
              node.path("range").isNull() ? null : node.path("range").asText(),
              node.path("state").isNull() ? null : node.path("state").asText()));
    }
    return new ChangeFeedOffset(
        table, root.get("start").asText(), root.path("batch").asLong(), positions);
  }
}

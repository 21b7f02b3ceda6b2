package io.github.cosmosspark.core.datasource.read;

import io.github.cosmosspark.core.session.ChangeFeed;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The feed query of one table from one start, per feed range. */
final class ChangeFeedQueries implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String keyspace;
  private final String table;
  private final List<String> columns;
  private final List<String> writeTimes;
  private final Instant start;

  /**
   * @param keyspace the keyspace as CQL writes it (quoted if need be), as are the other names
   * @param writeTimes the columns whose write times are selected after {@code columns}
   * @param start the start time; null for the feed's beginning
   */
  ChangeFeedQueries(
      String keyspace, String table, List<String> columns, List<String> writeTimes, Instant start) {
    this.keyspace = keyspace;
    this.table = table;
    this.columns = new ArrayList<>(columns);
    this.writeTimes = new ArrayList<>(writeTimes);
    this.start = start;
  }

  /** The query of {@code range} (null: the whole table). */
  String query(String range) {
    return ChangeFeed.query(keyspace, table, columns, writeTimes, start, range);
  }
}

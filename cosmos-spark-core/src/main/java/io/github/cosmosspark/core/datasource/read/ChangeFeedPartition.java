package io.github.cosmosspark.core.datasource.read;

import org.apache.spark.sql.connector.read.InputPartition;

/** One feed range's share of a read of the change feed. */
final class ChangeFeedPartition implements InputPartition {
  private static final long serialVersionUID = 1L;

  /** The range's place in the offset, which names its record. */
  final int index;

  /** The feed range, or null for the whole table. */
  final String range;

  /** Where to start (Base64 of the paging state), or null for the feed's start. */
  final String pagingState;

  /** Stop once this many rows are read (at the end of a page); {@link Long#MAX_VALUE}: no limit. */
  final long rowLimit;

  /** The micro-batch the task belongs to, which names its record; -1 for a batch read. */
  final long batch;

  /** The feed query of the range, from the read's start: its paging states depend on it. */
  final String cql;

  ChangeFeedPartition(
      int index, String range, String cql, String pagingState, long rowLimit, long batch) {
    this.index = index;
    this.cql = cql;
    this.batch = batch;
    this.range = range;
    this.pagingState = pagingState;
    this.rowLimit = rowLimit;
  }
}

package io.github.cosmosspark.core.datasource.read;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.RelationMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.ListType;
import com.datastax.oss.driver.api.core.type.MapType;
import com.datastax.oss.driver.api.core.type.SetType;
import com.datastax.oss.driver.api.core.type.UserDefinedType;
import com.datastax.spark.connector.cql.CassandraConnector;
import io.github.cosmosspark.core.metrics.CosmosMetrics;
import io.github.cosmosspark.core.session.ChangeFeed;
import io.github.cosmosspark.core.throughput.TableBudget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read of a table's change feed: as a batch (with {@code changeFeed.startFrom}, up to {@code
 * changeFeed.endAt}) or as a micro-batch stream. One input partition per feed range; when the
 * account lists none, one for the whole table (see change-feed.md).
 */
public final class ChangeFeedScan implements Scan, ScanBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedScan.class);

  private final CassandraConnector connector;
  private final RelationMetadata relation;
  private final StructType schema;
  private final ChangeFeedOptions options;
  private final int pageSize;
  private final TableBudget budget;
  private final String table;

  /**
   * @param readOptions the read's own options
   * @param configured the Spark configuration the read sees
   * @param pageSize rows per feed page (the connector's {@code input.fetch.sizeInRows})
   * @param budget the job's budget on the table, registered where each task starts; or null
   */
  public ChangeFeedScan(
      CassandraConnector connector,
      RelationMetadata relation,
      StructType schema,
      Map<String, String> readOptions,
      Map<String, String> configured,
      int pageSize,
      TableBudget budget) {
    this.connector = connector;
    this.relation = relation;
    this.schema = schema;
    this.options = ChangeFeedOptions.of(readOptions, configured);
    this.pageSize = pageSize;
    this.budget = budget;
    this.table = relation.getKeyspace().asInternal() + "." + relation.getName().asInternal();
  }

  /** Whether the read's options make it a read of the change feed. */
  public static boolean wanted(Map<String, String> readOptions) {
    return ChangeFeedOptions.anyIn(readOptions);
  }

  @Override
  public Scan build() {
    return this;
  }

  @Override
  public StructType readSchema() {
    return schema;
  }

  @Override
  public String description() {
    return "change feed of " + table;
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return CosmosMetrics.forReads();
  }

  @Override
  public Batch toBatch() {
    options.checkForBatch();
    Instant now = Instant.now();
    Instant start = options.startTime(now);
    Instant end = options.endTime(start, now);
    ChangeFeedQueries queries = queries(start);
    List<String> ranges = feedRanges();
    InputPartition[] partitions = new InputPartition[ranges.size()];
    for (int i = 0; i < partitions.length; i++) {
      partitions[i] =
          new ChangeFeedPartition(
              i, ranges.get(i), queries.query(ranges.get(i)), null, Long.MAX_VALUE, -1);
    }
    Long endMicros = end == null ? null : end.getEpochSecond() * 1_000_000 + end.getNano() / 1_000;
    PartitionReaderFactory factory =
        new ChangeFeedReaderFactory(
            connector, schema, writeTimeColumns().size(), pageSize, table, budget, null, endMicros);
    return new Batch() {
      @Override
      public InputPartition[] planInputPartitions() {
        return partitions;
      }

      @Override
      public PartitionReaderFactory createReaderFactory() {
        return factory;
      }
    };
  }

  @Override
  public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
    options.checkForStream();
    return new ChangeFeedStream(this, checkpointLocation);
  }

  // What the stream needs of the scan.

  String table() {
    return table;
  }

  ChangeFeedOptions options() {
    return options;
  }

  CassandraConnector connector() {
    return connector;
  }

  StructType schema() {
    return schema;
  }

  int pageSize() {
    return pageSize;
  }

  TableBudget budget() {
    return budget;
  }

  /** The factory of a micro-batch's readers, which record where they stop in {@code records}. */
  PartitionReaderFactory streamReaderFactory(ChangeFeedRecords records) {
    return new ChangeFeedReaderFactory(
        connector, schema, writeTimeColumns().size(), pageSize, table, budget, records, null);
  }

  int writeTimeCount() {
    return writeTimeColumns().size();
  }

  /** The feed query from {@code start} (null: the beginning). */
  ChangeFeedQueries queries(Instant start) {
    List<String> columns = new ArrayList<>();
    for (String name : schema.fieldNames()) {
      columns.add(CqlIdentifier.fromInternal(name).asCql(true));
    }
    return new ChangeFeedQueries(
        relation.getKeyspace().asCql(true),
        relation.getName().asCql(true),
        columns,
        writeTimeColumns(),
        start);
  }

  /** The table's feed ranges; one null range (the whole table) when the account lists none. */
  List<String> feedRanges() {
    ChangeFeed.FeedRanges ranges;
    try (CqlSession session = connector.openSession()) {
      ranges =
          ChangeFeed.feedRanges(
              session, relation.getKeyspace().asInternal(), relation.getName().asInternal());
    }
    if (ranges.ranges().isEmpty()) {
      LOG.info(
          "Reading the change feed of {} as one range: the account lists no feed ranges ({}).",
          table,
          ranges.unavailable());
      return Collections.singletonList(null);
    }
    return ranges.ranges();
  }

  /**
   * The regular columns whose write times give a change's time: those {@code writetime()} takes
   * (not counters, nor collections or types that are not frozen); none when turned off.
   */
  private List<String> writeTimeColumns() {
    List<String> columns = new ArrayList<>();
    if (!options.writeTimes) {
      return columns;
    }
    for (ColumnMetadata column : relation.getColumns().values()) {
      if (relation.getPrimaryKey().contains(column)) {
        continue;
      }
      if (column.isStatic() || !hasWriteTime(column.getType())) {
        continue;
      }
      columns.add(column.getName().asCql(true));
    }
    return columns;
  }

  private static boolean hasWriteTime(DataType type) {
    if (type.equals(DataTypes.COUNTER)) {
      return false;
    }
    if (type instanceof ListType) {
      return ((ListType) type).isFrozen();
    }
    if (type instanceof SetType) {
      return ((SetType) type).isFrozen();
    }
    if (type instanceof MapType) {
      return ((MapType) type).isFrozen();
    }
    if (type instanceof UserDefinedType) {
      return ((UserDefinedType) type).isFrozen();
    }
    return true;
  }
}

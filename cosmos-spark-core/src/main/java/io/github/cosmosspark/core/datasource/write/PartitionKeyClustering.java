package io.github.cosmosspark.core.datasource.write;

import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.RelationMetadata;
import io.github.cosmosspark.core.config.CosmosOptions;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.expressions.FieldReference;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.execution.streaming.continuous.ContinuousExecution;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The columns a write asks Spark to cluster its rows by: the table's partition key, in key order.
 * Spark then hash-partitions the rows with its own Murmur3, which has nothing to do with the hash
 * Cosmos places a key with (no client can compute that one), and so spreads every task's rows
 * evenly over all of the table's physical partitions, whatever order the rows came in.
 *
 * <p>Spark 3.5 honours the request for batch writes (the format's {@code save()}, the catalog's
 * INSERT) and for micro-batch streaming writes, both planned by its {@code V2Writes} rule. A
 * continuous-mode query fails to start if its write requests any distribution, so that write asks
 * for none.
 */
final class PartitionKeyClustering {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionKeyClustering.class);
  private static final NamedReference[] NONE = new NamedReference[0];

  private PartitionKeyClustering() {}

  /**
   * The partition key columns as {@code inputSchema} names them, or none when {@code spread} is
   * false, when the write belongs to a continuous-mode query, or when a key column is missing from
   * the input (a write the schema check refuses anyway).
   */
  static NamedReference[] of(
      RelationMetadata metadata,
      StructType inputSchema,
      boolean spread,
      SparkSession session,
      String queryId) {
    if (!spread) {
      return NONE;
    }
    if (isContinuousQuery(session, queryId)) {
      LOG.info(
          "The continuous-mode write to {}.{} is not spread over its physical partitions ({}):"
              + " Spark starts no continuous query whose sink asks for a distribution.",
          metadata.getKeyspace().asInternal(),
          metadata.getName().asInternal(),
          CosmosOptions.WRITE_SPREAD_OVER_PARTITIONS.key());
      return NONE;
    }
    NamedReference[] clustering = new NamedReference[metadata.getPartitionKey().size()];
    int i = 0;
    for (ColumnMetadata column : metadata.getPartitionKey()) {
      String field = fieldNamed(inputSchema, column.getName().asInternal());
      if (field == null) {
        return NONE;
      }
      clustering[i++] = FieldReference.column(field);
    }
    return clustering;
  }

  /**
   * The columns a clustered write's task sorts its rows by: the table's clustering columns first,
   * then its partition key; none when the write is not clustered (or a clustering column is missing
   * from the input, a write the schema check refuses anyway).
   *
   * <p>Why this order. The shuffle hands a task its rows in the order its input held them, so a
   * copy fed by a scan in Cosmos's hash order would reach one physical partition at a time within
   * each task; any order of the key's values breaks that, since no value order relates to Cosmos's
   * hash. The partition key alone is not enough: it puts all of a key's rows in one run, so a task
   * holding a hot key (a Zipf-skewed write) spends that run on one physical partition at a time,
   * throttled at that partition's share while the others idle (PartitionBenchmark: 1.46 x the
   * floor, 20 % throttled). Sorting by the clustering columns first spreads a partition key's rows
   * across the task, as its rows take each clustering value in turn (an event time, a sequence
   * number), and keeps the rows of each clustering value in partition-key order. Where it stops
   * working: a hot key whose clustering values go on past every other key's (a per-key counter that
   * only the hot key reaches) ends the task alone, and rows with equal primary keys (duplicates)
   * stay together.
   */
  static NamedReference[] ordering(
      RelationMetadata metadata, StructType inputSchema, NamedReference[] clustering) {
    if (clustering.length == 0) {
      return NONE;
    }
    NamedReference[] ordering =
        new NamedReference[metadata.getClusteringColumns().size() + clustering.length];
    int i = 0;
    for (ColumnMetadata column : metadata.getClusteringColumns().keySet()) {
      String field = fieldNamed(inputSchema, column.getName().asInternal());
      if (field == null) {
        return clustering.clone();
      }
      ordering[i++] = FieldReference.column(field);
    }
    for (NamedReference key : clustering) {
      ordering[i++] = key;
    }
    return ordering;
  }

  /**
   * How many tasks a clustered write runs in: one per task slot, so that the write runs in one wave
   * and every task writes from its start to its end with the same mix of keys. Measured on 4
   * physical partitions (PartitionBenchmark, docs/throughput.md): with Spark's 200 shuffle
   * partitions, a Zipf-skewed write put all of a hot key's rows into one task, which ran alone at
   * the end against one partition (1.53 x the floor, 31 % of requests throttled), and 200 short
   * tasks cost a uniform write 18 % over its floor in task start-up. Left to Spark, adaptive
   * execution would merge the shuffle's partitions down to about a megabyte each, fewer tasks than
   * the slots the budget is split over. None (0) when the write is not clustered.
   */
  static int numPartitions(NamedReference[] clustering, SparkSession session) {
    if (clustering.length == 0) {
      return 0;
    }
    return Math.max(1, session.sparkContext().defaultParallelism());
  }

  /** The input's field for {@code column}: the same name, else the one name equal ignoring case. */
  private static String fieldNamed(StructType inputSchema, String column) {
    String ignoringCase = null;
    for (StructField field : inputSchema.fields()) {
      if (field.name().equals(column)) {
        return field.name();
      }
      if (field.name().equalsIgnoreCase(column)) {
        ignoringCase = ignoringCase == null ? field.name() : ignoringCase;
      }
    }
    return ignoringCase;
  }

  /**
   * Whether the write is planned for a continuous-mode query. Spark 3.5 builds that write, and
   * refuses it if it requests a distribution, inside {@link ContinuousExecution}'s constructor, on
   * the thread that starts the query and before the query is registered: the write's id is the
   * query's, but no registered query has it yet, so nothing the write is given tells it apart from
   * a batch write; the thread's stack does. The registered query is checked too, for a Spark that
   * builds the write after registering it.
   */
  private static boolean isContinuousQuery(SparkSession session, String queryId) {
    String continuous = ContinuousExecution.class.getName();
    for (StackTraceElement frame : Thread.currentThread().getStackTrace()) {
      if (frame.getClassName().equals(continuous)) {
        return true;
      }
    }
    UUID id;
    try {
      id = UUID.fromString(queryId);
    } catch (IllegalArgumentException | NullPointerException notAnId) {
      return false;
    }
    return session.sharedState().activeStreamingQueries().get(id) instanceof ContinuousExecution;
  }
}

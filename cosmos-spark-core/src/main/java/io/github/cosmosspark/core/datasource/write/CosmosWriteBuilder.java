package io.github.cosmosspark.core.datasource.write;

import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.RelationMetadata;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.datasource.CassandraWriteBuilder;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.throughput.TableBudget;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.internal.connector.SupportsStreamingUpdateAsAppend;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * SCC's write builder (checks, TTL, truncate); the write it builds also reports Cosmos metrics and
 * asks Spark to spread the rows over the table's physical partitions. Spark 3.5 takes update mode
 * only from a builder that says it writes updates as appends: true of every Cassandra write, which
 * replaces the row with the same key.
 */
public final class CosmosWriteBuilder extends CassandraWriteBuilder
    implements SupportsStreamingUpdateAsAppend {
  private final String table;
  private final String counterColumn;
  private final RowCheck rowCheck;
  private final NamedReference[] clustering;
  private final NamedReference[] ordering;
  private final int numPartitions;
  private final TableBudget budget;

  /**
   * SCC's write builder for a DataFrame of {@code inputSchema}, once the schema is known to fit the
   * table: a schema that does not is refused here, on the driver, before any task runs.
   *
   * @param spreadOverPartitions whether the write asks Spark to cluster its rows by the table's
   *     partition key first (see {@link PartitionKeyClustering})
   * @param budget the job's budget on the table, registered where each task starts; or null
   * @throws io.github.cosmosspark.core.errors.CosmosDataException naming the column at fault
   */
  public static CosmosWriteBuilder checked(
      SparkSession session,
      TableDef tableDef,
      RelationMetadata metadata,
      String catalogName,
      CaseInsensitiveStringMap options,
      LogicalWriteInfo info,
      boolean spreadOverPartitions,
      TableBudget budget) {
    StructType inputSchema = info.schema();
    WriteSchemaCheck.verify(
        metadata,
        inputSchema,
        options,
        SQLConf.get().getConfString(WriteSchemaCheck.STORE_ASSIGNMENT_POLICY, "ANSI"));
    NamedReference[] clustering =
        PartitionKeyClustering.of(
            metadata, inputSchema, spreadOverPartitions, session, info.queryId());
    return new CosmosWriteBuilder(
        session,
        tableDef,
        catalogName,
        options,
        inputSchema,
        counterColumn(metadata),
        RowCheck.of(
            metadata,
            inputSchema,
            options.get("spark.cassandra.auth.username"),
            "entra"
                .equals(
                    options.get(
                        CosmosCassandraConfig.RESOLVED_PREFIX + CosmosOptions.AUTH_TYPE.name()))),
        clustering,
        PartitionKeyClustering.ordering(metadata, inputSchema, clustering),
        PartitionKeyClustering.numPartitions(clustering, session),
        budget);
  }

  /** The table's counter column, or null: a streaming replay would add its writes twice. */
  private static String counterColumn(RelationMetadata metadata) {
    for (ColumnMetadata column : metadata.getColumns().values()) {
      if (DataTypes.COUNTER.equals(column.getType())) {
        return column.getName().asInternal();
      }
    }
    return null;
  }

  private CosmosWriteBuilder(
      SparkSession session,
      TableDef tableDef,
      String catalogName,
      CaseInsensitiveStringMap options,
      StructType inputSchema,
      String counterColumn,
      RowCheck rowCheck,
      NamedReference[] clustering,
      NamedReference[] ordering,
      int numPartitions,
      TableBudget budget) {
    super(session, tableDef, catalogName, options, inputSchema);
    this.table = tableDef.keyspaceName() + "." + tableDef.tableName();
    this.counterColumn = counterColumn;
    this.rowCheck = rowCheck;
    this.clustering = clustering;
    this.ordering = ordering;
    this.numPartitions = numPartitions;
    this.budget = budget;
  }

  @Override
  public Write build() {
    return new MeteredWrite(
        this, table, counterColumn, rowCheck, clustering, ordering, numPartitions, budget);
  }
}

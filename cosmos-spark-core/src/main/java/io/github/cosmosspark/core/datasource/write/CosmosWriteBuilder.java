package io.github.cosmosspark.core.datasource.write;

import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.RelationMetadata;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.datasource.CassandraWriteBuilder;
import io.github.cosmosspark.core.throughput.TableBudget;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.internal.connector.SupportsStreamingUpdateAsAppend;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * SCC's write builder (checks, TTL, truncate); the write it builds also reports Cosmos metrics.
 * Spark 3.5 takes update mode only from a builder that says it writes updates as appends: true of
 * every Cassandra write, which replaces the row with the same key.
 */
public final class CosmosWriteBuilder extends CassandraWriteBuilder
    implements SupportsStreamingUpdateAsAppend {
  private final String table;
  private final String counterColumn;
  private final RowCheck rowCheck;
  private final TableBudget budget;

  /**
   * SCC's write builder for a DataFrame of {@code inputSchema}, once the schema is known to fit the
   * table: a schema that does not is refused here, on the driver, before any task runs.
   *
   * @param budget the job's budget on the table, registered where each task starts; or null
   * @throws io.github.cosmosspark.core.errors.CosmosDataException naming the column at fault
   */
  public static CosmosWriteBuilder checked(
      SparkSession session,
      TableDef tableDef,
      RelationMetadata metadata,
      String catalogName,
      CaseInsensitiveStringMap options,
      StructType inputSchema,
      TableBudget budget) {
    WriteSchemaCheck.verify(
        metadata,
        inputSchema,
        options,
        SQLConf.get().getConfString(WriteSchemaCheck.STORE_ASSIGNMENT_POLICY, "ANSI"));
    return new CosmosWriteBuilder(
        session,
        tableDef,
        catalogName,
        options,
        inputSchema,
        counterColumn(metadata),
        RowCheck.of(metadata, inputSchema, options.get("spark.cassandra.auth.username")),
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
      TableBudget budget) {
    super(session, tableDef, catalogName, options, inputSchema);
    this.table = tableDef.keyspaceName() + "." + tableDef.tableName();
    this.counterColumn = counterColumn;
    this.rowCheck = rowCheck;
    this.budget = budget;
  }

  @Override
  public Write build() {
    return new MeteredWrite(this, table, counterColumn, rowCheck, budget);
  }
}

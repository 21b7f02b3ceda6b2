package io.github.cosmosspark.core.datasource.write;

import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.datasource.CassandraWriteBuilder;
import io.github.cosmosspark.core.throughput.TableBudget;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.write.Write;
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
   * @param budget the job's budget on the table, registered where each task starts; or null
   */
  public CosmosWriteBuilder(
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

package io.github.cosmosspark.core.datasource;

import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.datasource.CassandraWriteBuilder;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** SCC's write builder (checks, TTL, truncate); the write it builds also reports Cosmos metrics. */
final class CosmosWriteBuilder extends CassandraWriteBuilder {
  private final String table;

  CosmosWriteBuilder(
      SparkSession session,
      TableDef tableDef,
      String catalogName,
      CaseInsensitiveStringMap options,
      StructType inputSchema) {
    super(session, tableDef, catalogName, options, inputSchema);
    this.table = tableDef.keyspaceName() + "." + tableDef.tableName();
  }

  @Override
  public Write build() {
    return new MeteredWrite(this, table);
  }
}

package io.github.cosmosspark.core.datasource;

import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.spark.connector.datasource.CassandraTable;
import io.github.cosmosspark.core.config.CosmosConfigException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;
import org.apache.spark.sql.internal.connector.SupportsStreamingUpdateAsAppend;
import scala.Option;

/**
 * SCC's table (so SCC's planner rules, direct joins and pushdowns still recognise it), with the
 * streaming writes Cosmos can take: every row is an upsert, so update mode is written as append,
 * and a replayed micro-batch lands the same rows again; counter tables, whose writes add, are
 * refused.
 */
public final class CosmosCassandraTable extends CassandraTable {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> extraProperties;

  /**
   * SCC's {@code table} under {@code catalogName}, showing {@code extraProperties} beside SCC's own
   * properties.
   */
  public CosmosCassandraTable(
      CassandraTable table, String catalogName, Map<String, String> extraProperties) {
    super(
        table.session(),
        table.catalogConf(),
        table.connector(),
        catalogName,
        table.metadata(),
        Option.empty());
    this.extraProperties = Collections.unmodifiableMap(new HashMap<>(extraProperties));
  }

  @Override
  public Map<String, String> properties() {
    Map<String, String> properties = new HashMap<>(super.properties());
    properties.putAll(extraProperties);
    return properties;
  }

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    return new UpsertWriteBuilder(super.newWriteBuilder(info), counterColumn(), name());
  }

  private String counterColumn() {
    for (ColumnMetadata column : metadata().getColumns().values()) {
      if (DataTypes.COUNTER.equals(column.getType())) {
        return column.getName().asInternal();
      }
    }
    return null;
  }

  /**
   * Spark 3.5 takes update mode only from a builder that says it writes updates as appends: true of
   * every Cassandra write, which replaces the row with the same key.
   */
  private static final class UpsertWriteBuilder
      implements SupportsTruncate, SupportsStreamingUpdateAsAppend {
    private WriteBuilder connectorBuilder;
    private final String counterColumn;
    private final String table;

    UpsertWriteBuilder(WriteBuilder connectorBuilder, String counterColumn, String table) {
      this.connectorBuilder = connectorBuilder;
      this.counterColumn = counterColumn;
      this.table = table;
    }

    @Override
    public WriteBuilder truncate() {
      connectorBuilder = ((SupportsTruncate) connectorBuilder).truncate();
      return this;
    }

    @Override
    public Write build() {
      final Write connectorWrite = connectorBuilder.build();
      return new Write() {
        @Override
        public String description() {
          return connectorWrite.description();
        }

        @Override
        public BatchWrite toBatch() {
          return connectorWrite.toBatch();
        }

        @Override
        public StreamingWrite toStreaming() {
          if (counterColumn != null) {
            throw new CosmosConfigException(
                "Table '"
                    + table
                    + "' has the counter column '"
                    + counterColumn
                    + "'. A streaming query resends a micro-batch that was cut short, and a"
                    + " counter write adds, so the replay would count twice. Write the counts"
                    + " to a table of plain columns (an aggregation in update mode), or use"
                    + " foreachBatch with your own de-duplication.");
          }
          return connectorWrite.toStreaming();
        }
      };
    }
  }
}

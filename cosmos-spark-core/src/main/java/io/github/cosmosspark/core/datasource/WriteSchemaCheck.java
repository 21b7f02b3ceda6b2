package io.github.cosmosspark.core.datasource;

import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.RelationMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.ListType;
import com.datastax.oss.driver.api.core.type.MapType;
import com.datastax.oss.driver.api.core.type.SetType;
import com.datastax.oss.driver.api.core.type.TupleType;
import com.datastax.oss.driver.api.core.type.UserDefinedType;
import io.github.cosmosspark.core.config.CosmosConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Compares a DataFrame's columns with the table's when a write is planned. SCC finds a column the
 * table lacks, or a value it cannot convert, only in a task, after other rows were written; here
 * the write is refused before any task runs, with the column and the table named.
 */
final class WriteSchemaCheck {
  /** SCC's per-row TTL and write-time options name a DataFrame column that is not a table's. */
  private static final List<String> ROW_OPTION_KEYS = Arrays.asList("ttl", "writetime");

  private static final Set<DataType> NUMERIC_OR_BOOLEAN =
      new HashSet<>(
          Arrays.asList(
              DataTypes.INT,
              DataTypes.BIGINT,
              DataTypes.SMALLINT,
              DataTypes.TINYINT,
              DataTypes.FLOAT,
              DataTypes.DOUBLE,
              DataTypes.COUNTER,
              DataTypes.BOOLEAN));

  private WriteSchemaCheck() {}

  static void verify(
      RelationMetadata table, StructType dataFrame, CaseInsensitiveStringMap options) {
    String name = table.getKeyspace().asInternal() + "." + table.getName().asInternal();
    List<String> missingKey = new ArrayList<>();
    for (ColumnMetadata key : table.getPrimaryKey()) {
      if (field(dataFrame, key.getName().asInternal()) == null) {
        missingKey.add(key.getName().asInternal());
      }
    }
    if (!missingKey.isEmpty()) {
      throw new CosmosConfigException(
          "Cannot write to "
              + name
              + ": the DataFrame has no column for the primary key column(s) "
              + missingKey
              + ", and every row needs its whole primary key "
              + names(table.getPrimaryKey())
              + ". Add the column(s) to the DataFrame (select or withColumn), named as in the"
              + " table.");
    }
    Set<String> rowOptionColumns = new HashSet<>();
    for (String key : ROW_OPTION_KEYS) {
      String value = options.get(key);
      if (value != null) {
        rowOptionColumns.add(value.toLowerCase(Locale.ROOT));
      }
    }
    List<String> extra = new ArrayList<>();
    for (StructField field : dataFrame.fields()) {
      if (column(table, field.name()) == null
          && !rowOptionColumns.contains(field.name().toLowerCase(Locale.ROOT))) {
        extra.add(field.name());
      }
    }
    if (!extra.isEmpty()) {
      throw new CosmosConfigException(
          "Cannot write to "
              + name
              + ": the DataFrame's column(s) "
              + extra
              + " are not in the table, whose columns are "
              + names(table.getColumns().values())
              + ". Drop or rename them before the write.");
    }
    for (StructField field : dataFrame.fields()) {
      ColumnMetadata column = column(table, field.name());
      if (column != null) {
        String why = incompatibility(field, column.getType());
        if (why != null) {
          throw new CosmosConfigException(
              "Cannot write to "
                  + name
                  + ": column '"
                  + field.name()
                  + "' is "
                  + field.dataType().simpleString()
                  + " in the DataFrame but "
                  + column.getType().asCql(false, true)
                  + " in the table; "
                  + why);
        }
      }
    }
  }

  /** Why the value cannot go into the column, with what to do; null when it can. */
  private static String incompatibility(StructField field, DataType column) {
    boolean complexValue =
        field.dataType() instanceof StructType
            || field.dataType() instanceof ArrayType
            || field.dataType() instanceof org.apache.spark.sql.types.MapType;
    boolean complexColumn =
        column instanceof ListType
            || column instanceof SetType
            || column instanceof MapType
            || column instanceof UserDefinedType
            || column instanceof TupleType;
    if (complexValue && !complexColumn) {
      return "a nested value cannot be stored in it. Select the field you mean, or turn the value"
          + " into text with to_json(col(\""
          + field.name()
          + "\")).";
    }
    if (field.dataType() instanceof StringType && NUMERIC_OR_BOOLEAN.contains(column)) {
      return "text is converted row by row and a value that is not a number fails the write"
          + " midway. Cast the column first: col(\""
          + field.name()
          + "\").cast(\""
          + (DataTypes.COUNTER.equals(column) ? "bigint" : column.asCql(false, true))
          + "\").";
    }
    return null;
  }

  private static StructField field(StructType schema, String name) {
    for (StructField field : schema.fields()) {
      if (field.name().equalsIgnoreCase(name)) {
        return field;
      }
    }
    return null;
  }

  private static ColumnMetadata column(RelationMetadata table, String name) {
    for (ColumnMetadata column : table.getColumns().values()) {
      if (column.getName().asInternal().equalsIgnoreCase(name)) {
        return column;
      }
    }
    return null;
  }

  private static List<String> names(Iterable<ColumnMetadata> columns) {
    List<String> names = new ArrayList<>();
    for (ColumnMetadata column : columns) {
      names.add(column.getName().asInternal());
    }
    return names;
  }
}

package io.github.cosmosspark.core.datasource.write;

import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.RelationMetadata;
import com.datastax.oss.driver.api.core.type.CustomType;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.ListType;
import com.datastax.oss.driver.api.core.type.MapType;
import com.datastax.oss.driver.api.core.type.SetType;
import com.datastax.oss.driver.api.core.type.TupleType;
import com.datastax.oss.driver.api.core.type.UserDefinedType;
import com.datastax.oss.driver.api.core.type.VectorType;
import io.github.cosmosspark.core.errors.CosmosDataException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.YearMonthIntervalType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Compares a DataFrame's columns with the table's when a write is planned. SCC finds a column the
 * table lacks, or a value it cannot convert, only in a task, after other rows were written; here
 * the write is refused before any task runs, with the column and the table named.
 */
final class WriteSchemaCheck {
  /** SCC's per-row TTL and write-time options name a DataFrame column that is not a table's. */
  private static final List<String> ROW_OPTION_KEYS = Arrays.asList("ttl", "writetime");

  /**
   * Columns that text may not be written into: those whose Spark type Spark's own ANSI store
   * assignment refuses text for (numbers, booleans, dates and times), so a cosmoscassandra write
   * behaves as an INSERT into any other Spark 3 table.
   */
  private static final Set<DataType> NOT_FROM_TEXT =
      new HashSet<>(
          Arrays.asList(
              DataTypes.INT,
              DataTypes.BIGINT,
              DataTypes.SMALLINT,
              DataTypes.TINYINT,
              DataTypes.FLOAT,
              DataTypes.DOUBLE,
              DataTypes.DECIMAL,
              DataTypes.VARINT,
              DataTypes.COUNTER,
              DataTypes.BOOLEAN,
              DataTypes.TIMESTAMP,
              DataTypes.DATE,
              DataTypes.TIME));

  /** Spark's setting whose LEGACY value lets any value be cast on the way into a table. */
  static final String STORE_ASSIGNMENT_POLICY = "spark.sql.storeAssignmentPolicy";

  private WriteSchemaCheck() {}

  static void verify(
      RelationMetadata table,
      StructType dataFrame,
      CaseInsensitiveStringMap options,
      String storeAssignmentPolicy) {
    boolean textConvertedRowByRow = "LEGACY".equalsIgnoreCase(storeAssignmentPolicy);
    String name = table.getKeyspace().asInternal() + "." + table.getName().asInternal();
    List<String> sameButCase = sameButCase(dataFrame);
    if (!sameButCase.isEmpty()) {
      throw new CosmosDataException(
          "Cannot write to "
              + name
              + ": the DataFrame's columns "
              + sameButCase
              + " differ only in case. SCC matches a DataFrame's columns to the table's without"
              + " regard to case, so it would write one's values into the other's column. Write"
              + " them in separate jobs (each with the primary key and one of them), or drop or"
              + " rename all but one.");
    }
    List<String> missingKey = new ArrayList<>();
    for (ColumnMetadata key : table.getPrimaryKey()) {
      if (field(dataFrame, key.getName().asInternal()) == null) {
        missingKey.add(key.getName().asInternal());
      }
    }
    if (!missingKey.isEmpty()) {
      throw new CosmosDataException(
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
      throw new CosmosDataException(
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
        String why = incompatibility(field, column.getType(), textConvertedRowByRow);
        if (why != null) {
          throw new CosmosDataException(
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
  private static String incompatibility(
      StructField field, DataType column, boolean textConvertedRowByRow) {
    boolean complexValue =
        field.dataType() instanceof StructType
            || field.dataType() instanceof ArrayType
            || field.dataType() instanceof org.apache.spark.sql.types.MapType;
    boolean complexColumn =
        column instanceof ListType
            || column instanceof SetType
            || column instanceof MapType
            || column instanceof UserDefinedType
            || column instanceof TupleType
            || column instanceof VectorType
            || column instanceof CustomType;
    if (complexValue && !complexColumn) {
      return "a nested value cannot be stored in it. Select the field you mean, or turn the value"
          + " into text with to_json(col(\""
          + field.name()
          + "\")).";
    }
    boolean textColumn = DataTypes.TEXT.equals(column) || DataTypes.ASCII.equals(column);
    if (field.dataType() instanceof TimestampNTZType && !textColumn) {
      return "SCC cannot convert Spark's timestamp without time zone, and would fail the write"
          + " midway. Cast the column first: col(\""
          + field.name()
          + "\").cast(\"timestamp\") takes the local time in spark.sql.session.timeZone.";
    }
    if (field.dataType() instanceof YearMonthIntervalType && !textColumn) {
      return "SCC cannot convert Spark's year-month interval, and would fail the write midway."
          + " Write it as text, col(\""
          + field.name()
          + "\").cast(\"string\"), or as a number of months into an int column.";
    }
    if (field.dataType() instanceof DayTimeIntervalType
        && !textColumn
        && !DataTypes.BIGINT.equals(column)) {
      return "SCC converts Spark's day-time interval only into text or into a bigint of"
          + " milliseconds, and would fail the write midway. Write it as text, col(\""
          + field.name()
          + "\").cast(\"string\"), or into a bigint column.";
    }
    if (field.dataType() instanceof StringType
        && NOT_FROM_TEXT.contains(column)
        && !textConvertedRowByRow) {
      return "text would be converted row by row, and a value that does not parse fails the"
          + " write midway, so Spark's store assignment policy (ANSI) refuses it. Cast the column"
          + " first: col(\""
          + field.name()
          + "\").cast(\""
          + sparkCast(column)
          + "\"), or set "
          + STORE_ASSIGNMENT_POLICY
          + "=LEGACY to have each value converted as it is written.";
    }
    return null;
  }

  /** The DataFrame's column names that another of its columns equals but for case. */
  private static List<String> sameButCase(StructType dataFrame) {
    List<String> clashing = new ArrayList<>();
    for (StructField field : dataFrame.fields()) {
      for (StructField other : dataFrame.fields()) {
        if (field != other && field.name().equalsIgnoreCase(other.name())) {
          clashing.add(field.name());
          break;
        }
      }
    }
    return clashing;
  }

  /** The Spark type to cast text to for {@code column}. */
  private static String sparkCast(DataType column) {
    if (DataTypes.COUNTER.equals(column) || DataTypes.TIME.equals(column)) {
      return "bigint";
    }
    if (DataTypes.VARINT.equals(column)) {
      return "decimal(38,0)";
    }
    if (DataTypes.DECIMAL.equals(column)) {
      return "decimal(38,18)";
    }
    return column.asCql(false, true);
  }

  /**
   * The DataFrame's column of that name in any case: one at most, as names that clash are refused.
   */
  private static StructField field(StructType schema, String name) {
    for (StructField field : schema.fields()) {
      if (field.name().equalsIgnoreCase(name)) {
        return field;
      }
    }
    return null;
  }

  /**
   * The table's column of that name: the one spelt exactly so (a quoted mixed-case name), else one
   * in another case, as SCC matches them.
   */
  private static ColumnMetadata column(RelationMetadata table, String name) {
    ColumnMetadata otherCase = null;
    for (ColumnMetadata column : table.getColumns().values()) {
      String columnName = column.getName().asInternal();
      if (columnName.equals(name)) {
        return column;
      }
      if (otherCase == null && columnName.equalsIgnoreCase(name)) {
        otherCase = column;
      }
    }
    return otherCase;
  }

  private static List<String> names(Iterable<ColumnMetadata> columns) {
    List<String> names = new ArrayList<>();
    for (ColumnMetadata column : columns) {
      names.add(column.getName().asInternal());
    }
    return names;
  }
}

package io.github.cosmosspark.core.datasource.write;

import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.RelationMetadata;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.errors.CosmosDataException;
import io.github.cosmosspark.core.retry.RowSize;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeMapData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * What a task checks of each row before handing it to SCC: a row Cosmos would refuse (a null in its
 * primary key, more than 2 MB) fails the task before it is sent, with the row's key and the table
 * named, instead of after SCC has sent rows behind it. Rows the task handed over before it are
 * written: SCC's writer sends what it holds when the task aborts.
 */
final class RowCheck implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Cosmos DB's limit on the size of one item, which for the Cassandra API is one row; documented
   * in "Azure Cosmos DB service quotas", per-item limits.
   */
  static final long MAX_ROW_BYTES = RowSize.MAX_BYTES;

  private static final int SHOWN_KEY_CHARS = 100;

  private final boolean entraLogin;
  private final String table;
  private final String account;
  private final StructType schema;
  private final int[] keyFields;
  private final String[] keyNames;
  private final String[] keyKinds;

  private RowCheck(
      String table,
      String account,
      StructType schema,
      int[] keyFields,
      String[] keyNames,
      String[] keyKinds,
      boolean entraLogin) {
    this.entraLogin = entraLogin;
    this.table = table;
    this.account = account;
    this.schema = schema;
    this.keyFields = keyFields;
    this.keyNames = keyNames;
    this.keyKinds = keyKinds;
  }

  /** For a write of rows of {@code schema}, which has every primary key column (checked before). */
  static RowCheck of(
      RelationMetadata metadata, StructType schema, String account, boolean entraLogin) {
    List<ColumnMetadata> key = metadata.getPrimaryKey();
    int partitionColumns = metadata.getPartitionKey().size();
    int[] fields = new int[key.size()];
    String[] names = new String[key.size()];
    String[] kinds = new String[key.size()];
    for (int i = 0; i < key.size(); i++) {
      String name = key.get(i).getName().asInternal();
      names[i] = name;
      kinds[i] = i < partitionColumns ? "partition key" : "clustering";
      fields[i] = -1;
      // The write's plan refused columns that differ only in case, so at most one matches.
      for (int f = 0; f < schema.fields().length && fields[i] < 0; f++) {
        if (schema.fields()[f].name().equalsIgnoreCase(name)) {
          fields[i] = f;
        }
      }
    }
    String table = metadata.getKeyspace().asInternal() + "." + metadata.getName().asInternal();
    return new RowCheck(table, account, schema, fields, names, kinds, entraLogin);
  }

  /** Throws, naming the row's key, if Cosmos would refuse the row. */
  void verify(InternalRow row) {
    for (int i = 0; i < keyFields.length; i++) {
      if (keyFields[i] >= 0 && row.isNullAt(keyFields[i])) {
        throw new CosmosDataException(
            "A row for "
                + table
                + " has no value in its "
                + keyKinds[i]
                + " column '"
                + keyNames[i]
                + "' (the primary key is "
                + keyText(row)
                + "); Cassandra stores no row without its whole primary key. Remove or fill such"
                + " rows first, e.g. filter(\""
                + keyNames[i]
                + " IS NOT NULL\"). The task stopped at this row: rows it handed over before were written,"
                + " and writing the same rows again is harmless.");
      }
    }
    long bytes = bytes(row);
    if (bytes > MAX_ROW_BYTES) {
      throw new CosmosDataException(
          "The row of "
              + table
              + " with primary key "
              + keyText(row)
              + " is "
              + bytes
              + " bytes; Cosmos DB stores at most "
              + MAX_ROW_BYTES
              + " bytes (2 MB) in one row. Keep large values elsewhere (such as Azure Blob"
              + " Storage) with a reference in the row, or split them over several rows. The"
              + " task stopped at this row: rows it handed over before were written.");
    }
  }

  /**
   * The failure of a write that Cosmos refused for its key's rights, said plainly; any other
   * failure as it is.
   */
  IOException explain(IOException failure) {
    String refusal = unauthorized(failure);
    if (refusal == null) {
      return failure;
    }
    return new IOException(
        "Cosmos DB account '"
            + account
            + "' refused to write to "
            + table
            + " ("
            + refusal
            + ")."
            + (entraLogin
                ? " The Microsoft Entra identity may read but not write: give it the Cosmos DB"
                    + " Built-in Data Contributor role (id 00000000-0000-0000-0000-000000000004)"
                    + " with `az cosmosdb cassandra role assignment create`, see"
                    + " docs/authentication.md. No row was written with this identity."
                : " A read-only key cannot write: set "
                    + CosmosOptions.PASSWORD.key()
                    + " to the account's read-write key, the PRIMARY or SECONDARY PASSWORD of the"
                    + " portal's Connection String page."),
        failure);
  }

  /**
   * The server's words when it refused for the key's rights, or null. SCC's writer reports the
   * driver's error in its message, without a cause.
   */
  private static String unauthorized(Throwable failure) {
    String marker = UnauthorizedException.class.getName() + ": ";
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnauthorizedException) {
        return cause.getMessage();
      }
      String message = cause.getMessage();
      int at = message == null ? -1 : message.indexOf(marker);
      if (at >= 0) {
        String rest = message.substring(at + marker.length());
        int end = rest.indexOf('\n');
        return end >= 0 ? rest.substring(0, end).trim() : rest.trim();
      }
    }
    return null;
  }

  private String keyText(InternalRow row) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < keyFields.length; i++) {
      String value;
      if (keyFields[i] < 0 || row.isNullAt(keyFields[i])) {
        value = "null";
      } else {
        value = String.valueOf(row.get(keyFields[i], schema.fields()[keyFields[i]].dataType()));
        if (value.length() > SHOWN_KEY_CHARS) {
          value = value.substring(0, SHOWN_KEY_CHARS) + "...";
        }
      }
      parts.add(keyNames[i] + "=" + value);
    }
    return "(" + String.join(", ", parts) + ")";
  }

  /** The bytes of the row's values as Cassandra holds them, near enough for a 2 MB limit. */
  private long bytes(InternalRow row) {
    long bytes = 0;
    StructField[] fields = schema.fields();
    for (int f = 0; f < fields.length; f++) {
      if (!row.isNullAt(f)) {
        bytes += bytes(row, f, fields[f].dataType());
      }
    }
    return bytes;
  }

  private static long bytes(InternalRow row, int field, DataType type) {
    // Fixed-size values are counted by their type, so the row's value is not read (or boxed).
    return variableSize(type) ? valueBytes(row.get(field, type), type) : type.defaultSize();
  }

  private static boolean variableSize(DataType type) {
    return type instanceof StringType
        || type instanceof BinaryType
        || type instanceof ArrayType
        || type instanceof MapType
        || type instanceof StructType;
  }

  /**
   * Spark's compact (unsafe) values by their size; others value by value, since a collection or
   * struct built by a function is not compact and its type's default size would let a large one
   * through.
   */
  private static long valueBytes(Object value, DataType type) {
    if (value instanceof UTF8String) {
      return ((UTF8String) value).numBytes();
    }
    if (value instanceof byte[]) {
      return ((byte[]) value).length;
    }
    if (value instanceof UnsafeArrayData) {
      return ((UnsafeArrayData) value).getSizeInBytes();
    }
    if (value instanceof UnsafeMapData) {
      return ((UnsafeMapData) value).getSizeInBytes();
    }
    if (value instanceof UnsafeRow) {
      return ((UnsafeRow) value).getSizeInBytes();
    }
    if (value instanceof ArrayData && type instanceof ArrayType) {
      return elementBytes((ArrayData) value, ((ArrayType) type).elementType());
    }
    if (value instanceof MapData && type instanceof MapType) {
      MapData map = (MapData) value;
      return elementBytes(map.keyArray(), ((MapType) type).keyType())
          + elementBytes(map.valueArray(), ((MapType) type).valueType());
    }
    if (value instanceof InternalRow && type instanceof StructType) {
      StructType structType = (StructType) type;
      InternalRow struct = (InternalRow) value;
      long bytes = 0;
      for (int f = 0; f < structType.size(); f++) {
        if (!struct.isNullAt(f)) {
          bytes += bytes(struct, f, structType.fields()[f].dataType());
        }
      }
      return bytes;
    }
    return type.defaultSize();
  }

  private static long elementBytes(ArrayData array, DataType elementType) {
    long bytes = 0;
    boolean variableSize = variableSize(elementType);
    for (int i = 0; i < array.numElements(); i++) {
      if (!array.isNullAt(i)) {
        bytes +=
            variableSize
                ? valueBytes(array.get(i, elementType), elementType)
                : elementType.defaultSize();
      }
    }
    return bytes;
  }
}

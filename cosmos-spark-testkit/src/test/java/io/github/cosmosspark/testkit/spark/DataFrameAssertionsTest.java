package io.github.cosmosspark.testkit.spark;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class DataFrameAssertionsTest {

  private static final StructType ID_NAME =
      new StructType().add("id", DataTypes.IntegerType).add("name", DataTypes.StringType);
  private static final StructType NAME_ID =
      new StructType().add("name", DataTypes.StringType).add("id", DataTypes.IntegerType);

  private final SparkSession spark = LocalSpark.session();

  @Test
  void rowsInAnotherOrderWithColumnsInAnotherOrderAreTheSame() {
    Dataset<Row> expected = frame(ID_NAME, RowFactory.create(1, "a"), RowFactory.create(2, "b"));
    Dataset<Row> actual = frame(NAME_ID, RowFactory.create("b", 2), RowFactory.create("a", 1));
    assertSameRowsByKey(expected, actual, "id");
  }

  @Test
  void aMissingRowIsReportedByKey() {
    String message =
        failure(
            frame(ID_NAME, RowFactory.create(1, "a"), RowFactory.create(2, "b")),
            frame(ID_NAME, RowFactory.create(1, "a")));
    assertTrue(message.contains("1 missing: [2]"), message);
  }

  @Test
  void anUnexpectedRowIsReportedByKey() {
    String message =
        failure(
            frame(ID_NAME, RowFactory.create(1, "a")),
            frame(ID_NAME, RowFactory.create(1, "a"), RowFactory.create(3, "c")));
    assertTrue(message.contains("1 unexpected: [3]"), message);
  }

  @Test
  void aDifferentValueIsReportedWithTheColumnAndBothValues() {
    String message =
        failure(
            frame(ID_NAME, RowFactory.create(1, "a")), frame(ID_NAME, RowFactory.create(1, "z")));
    assertTrue(message.contains("[1]: name expected <a> but was <z>"), message);
  }

  @Test
  void aRepeatedKeyFails() {
    String message =
        failure(
            frame(ID_NAME, RowFactory.create(1, "a")),
            frame(ID_NAME, RowFactory.create(1, "a"), RowFactory.create(1, "a")));
    assertTrue(message.contains("actual rows repeat keys"), message);
  }

  @Test
  void differentColumnsFail() {
    StructType other =
        new StructType().add("id", DataTypes.IntegerType).add("title", DataTypes.StringType);
    String message =
        failure(frame(ID_NAME, RowFactory.create(1, "a")), frame(other, RowFactory.create(1, "a")));
    assertTrue(message.contains("Columns differ"), message);
  }

  @Test
  void binaryValuesCompareByContent() {
    StructType binary =
        new StructType().add("id", DataTypes.IntegerType).add("data", DataTypes.BinaryType);
    assertSameRowsByKey(
        frame(binary, RowFactory.create(1, new byte[] {1, 2})),
        frame(binary, RowFactory.create(1, new byte[] {1, 2})),
        "id");
    assertThrows(
        AssertionFailedError.class,
        () ->
            assertSameRowsByKey(
                frame(binary, RowFactory.create(1, new byte[] {1, 2})),
                frame(binary, RowFactory.create(1, new byte[] {1, 3})),
                "id"));
  }

  private static String failure(Dataset<Row> expected, Dataset<Row> actual) {
    return assertThrows(
            AssertionFailedError.class, () -> assertSameRowsByKey(expected, actual, "id"))
        .getMessage();
  }

  private Dataset<Row> frame(StructType schema, Row... rows) {
    List<Row> list = Arrays.asList(rows);
    return spark.createDataFrame(list, schema);
  }
}

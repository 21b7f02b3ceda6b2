package io.github.cosmosspark.testkit.spark;

import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Exact DataFrame comparisons for JUnit 5 tests, matching rows by key and columns by name.
 *
 * <p>Matching by name matters here: Cassandra returns columns in its own order (partition key,
 * clustering columns, then the rest alphabetically), not in the order they were written. A failure
 * message lists the keys that are missing, unexpected or different, with the differing values.
 *
 * <p>Both sides are collected to the driver, so use these for test-sized data (up to a few hundred
 * thousand rows).
 */
public final class DataFrameAssertions {

  private static final int MAX_REPORTED = 10;

  private DataFrameAssertions() {}

  /**
   * Asserts that {@code actual} holds exactly the rows of {@code expected}: the same column names,
   * the same keys, each key once, and equal values in every column of every row.
   *
   * @param keyColumns the columns that identify a row, e.g. the table's primary key
   */
  public static void assertSameRowsByKey(
      Dataset<Row> expected, Dataset<Row> actual, String... keyColumns) {
    assertSameRowsByKey(expected.collectAsList(), actual.collectAsList(), keyColumns);
  }

  /** As {@link #assertSameRowsByKey(Dataset, Dataset, String...)}, for collected rows. */
  public static void assertSameRowsByKey(
      List<Row> expected, List<Row> actual, String... keyColumns) {
    if (keyColumns.length == 0) {
      throw new IllegalArgumentException("Name at least one key column");
    }
    Map<List<Object>, Row> expectedByKey = indexByKey(expected, keyColumns, "expected");
    Map<List<Object>, Row> actualByKey = indexByKey(actual, keyColumns, "actual");

    List<String> problems = new ArrayList<>();
    if (!expected.isEmpty() && !actual.isEmpty()) {
      TreeSet<String> expectedColumns = columnNames(expected.get(0));
      TreeSet<String> actualColumns = columnNames(actual.get(0));
      if (!expectedColumns.equals(actualColumns)) {
        fail("Columns differ: expected " + expectedColumns + " but got " + actualColumns);
      }
    }
    List<String> missing = new ArrayList<>();
    List<String> different = new ArrayList<>();
    for (Map.Entry<List<Object>, Row> entry : expectedByKey.entrySet()) {
      Row other = actualByKey.get(entry.getKey());
      if (other == null) {
        missing.add(String.valueOf(entry.getKey()));
      } else {
        String difference = difference(entry.getValue(), other);
        if (difference != null) {
          different.add(entry.getKey() + ": " + difference);
        }
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (List<Object> key : actualByKey.keySet()) {
      if (!expectedByKey.containsKey(key)) {
        unexpected.add(String.valueOf(key));
      }
    }
    report(problems, "missing", missing);
    report(problems, "unexpected", unexpected);
    report(problems, "different", different);
    if (!problems.isEmpty()) {
      fail(
          "Expected "
              + expected.size()
              + " rows, got "
              + actual.size()
              + " (keys "
              + Arrays.toString(keyColumns)
              + "):\n"
              + String.join("\n", problems));
    }
  }

  private static Map<List<Object>, Row> indexByKey(List<Row> rows, String[] keys, String side) {
    Map<List<Object>, Row> byKey = new LinkedHashMap<>();
    List<String> duplicates = new ArrayList<>();
    for (Row row : rows) {
      List<Object> key = new ArrayList<>(keys.length);
      for (String column : keys) {
        key.add(comparable(row.get(row.fieldIndex(column))));
      }
      if (byKey.put(key, row) != null && duplicates.size() < MAX_REPORTED) {
        duplicates.add(String.valueOf(key));
      }
    }
    if (!duplicates.isEmpty()) {
      fail("The " + side + " rows repeat keys " + Arrays.toString(keys) + ": " + duplicates);
    }
    return byKey;
  }

  private static TreeSet<String> columnNames(Row row) {
    return new TreeSet<>(Arrays.asList(row.schema().fieldNames()));
  }

  private static String difference(Row expected, Row actual) {
    List<String> columns = new ArrayList<>();
    for (String column : expected.schema().fieldNames()) {
      Object want = expected.get(expected.fieldIndex(column));
      Object got = actual.get(actual.fieldIndex(column));
      if (!valuesEqual(want, got)) {
        columns.add(column + " expected <" + render(want) + "> but was <" + render(got) + ">");
      }
    }
    return columns.isEmpty() ? null : String.join(", ", columns);
  }

  static boolean valuesEqual(Object a, Object b) {
    if (a instanceof byte[] && b instanceof byte[]) {
      return Arrays.equals((byte[]) a, (byte[]) b);
    }
    if (a instanceof BigDecimal && b instanceof BigDecimal) {
      return ((BigDecimal) a).compareTo((BigDecimal) b) == 0;
    }
    return Objects.equals(a, b);
  }

  /** Keys must hash by content: byte arrays and decimals do not, so they are normalised. */
  private static Object comparable(Object value) {
    if (value instanceof byte[]) {
      return Arrays.toString((byte[]) value);
    }
    if (value instanceof BigDecimal) {
      return ((BigDecimal) value).stripTrailingZeros();
    }
    return value;
  }

  private static String render(Object value) {
    return value instanceof byte[] ? Arrays.toString((byte[]) value) : String.valueOf(value);
  }

  private static void report(List<String> problems, String what, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    List<String> shown = items.subList(0, Math.min(items.size(), MAX_REPORTED));
    problems.add(
        items.size()
            + " "
            + what
            + (items.size() > shown.size() ? " (first " + shown.size() + ")" : "")
            + ": "
            + String.join("; ", shown));
  }
}

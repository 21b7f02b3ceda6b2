package io.github.cosmosspark.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.DataFrameAssertions;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every example against one shared emulator, with small sizes, and checks what each left in
 * the table by reading Cassandra directly, past the emulator.
 */
@CosmosEmulatorTest
class ExamplesTest {

  private final SparkSession spark = LocalSpark.session();

  @Test
  void quickStartWritesTheBooksAndReportsWhatTheyCost(
      CosmosEmulator emulator, CassandraServer cassandra) {
    QuickStart.Result result =
        QuickStart.run(spark, ExampleAccount.ofEmulator(emulator), "ex_quick_start");

    DataFrameAssertions.assertSameRowsByKey(
        Books.dataFrame(spark), direct(cassandra, "ex_quick_start", QuickStart.TABLE), "book_id");
    assertEquals(Books.ROWS.size(), result.rowsRead);
    double charged = emulator.statistics("ex_quick_start." + QuickStart.TABLE).get().requestUnits();
    assertEquals(charged, result.writeRequestUnits + result.readRequestUnits, 1e-6);
    assertTrue(result.writeRequestUnits > 0 && result.readRequestUnits > 0);
  }

  @Test
  void tableDdlLeavesTheAlteredTableAndDropsTheSharedKeyspace(
      CosmosEmulator emulator, CqlSession cassandra) {
    TableDdl.run(ExampleAccount.ofEmulator(emulator), "ex_ddl");

    Row table =
        cassandra
            .execute(
                "SELECT default_time_to_live FROM system_schema.tables"
                    + " WHERE keyspace_name = 'ex_ddl' AND table_name = ?",
                TableDdl.TABLE)
            .one();
    assertEquals(TableDdl.DEFAULT_TTL_SECONDS, table.getInt("default_time_to_live"));
    assertEquals(
        TableDdl.ALTERED_RU_PER_SECOND,
        emulator.throughput("ex_ddl." + TableDdl.TABLE).get().ruPerSecond());
    assertNull(
        cassandra
            .execute(
                "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
                TableDdl.sharedKeyspace("ex_ddl"))
            .one());
  }

  @Test
  void insertWithTtlWritesRowsThatExpireWithinADay(
      CosmosEmulator emulator, CassandraServer cassandra, CqlSession session) {
    InsertWithTtl.run(spark, ExampleAccount.ofEmulator(emulator), "ex_ttl");

    DataFrameAssertions.assertSameRowsByKey(
        Books.dataFrame(spark), direct(cassandra, "ex_ttl", InsertWithTtl.TABLE), "book_id");
    List<Row> ttls =
        session
            .execute("SELECT book_id, TTL(title) AS ttl FROM ex_ttl." + InsertWithTtl.TABLE)
            .all();
    assertEquals(Books.ROWS.size(), ttls.size());
    for (Row row : ttls) {
      int ttl = row.getInt("ttl");
      // Written moments ago with a day to live.
      assertTrue(
          ttl > InsertWithTtl.TTL_SECONDS - 600 && ttl <= InsertWithTtl.TTL_SECONDS,
          row.getString("book_id") + " has TTL " + ttl);
    }
  }

  @Test
  void readAndQueryPushesTheKeyFilterAndAnswersTheQueries(
      CosmosEmulator emulator, CassandraServer cassandra) {
    ReadAndQuery.Result result =
        ReadAndQuery.run(spark, ExampleAccount.ofEmulator(emulator), "ex_read");

    DataFrameAssertions.assertSameRowsByKey(
        Books.dataFrame(spark), direct(cassandra, "ex_read", ReadAndQuery.TABLE), "book_id");
    assertEquals(Books.ROWS.size(), result.allRows);
    org.apache.spark.sql.Row looked = book(ReadAndQuery.LOOKED_UP);
    assertEquals(
        List.of(RowFactory.create(looked.getString(0), looked.getString(2))), result.byKey);
    assertTrue(
        result.byKeyPlan.contains("Cassandra Filters: [[\"book_id\" = ?"),
        "the key filter is not pushed down: " + result.byKeyPlan);

    List<org.apache.spark.sql.Row> titles =
        Books.ROWS.stream()
            .sorted(Comparator.comparing(row -> row.getString(2)))
            .map(row -> RowFactory.create(row.getString(2), row.getString(1)))
            .collect(Collectors.toList());
    assertEquals(titles, result.titlesAndAuthors);

    Map<String, int[]> perAuthor = new TreeMap<>();
    for (org.apache.spark.sql.Row row : Books.ROWS) {
      if (row.getInt(3) < 1900) {
        int[] countAndFirst =
            perAuthor.computeIfAbsent(row.getString(1), author -> new int[] {0, 9999});
        countAndFirst[0]++;
        countAndFirst[1] = Math.min(countAndFirst[1], row.getInt(3));
      }
    }
    List<org.apache.spark.sql.Row> expected =
        perAuthor.entrySet().stream()
            .sorted(
                Comparator.comparing((Map.Entry<String, int[]> entry) -> -entry.getValue()[0])
                    .thenComparing(Map.Entry::getKey))
            .map(
                entry ->
                    RowFactory.create(
                        entry.getKey(), (long) entry.getValue()[0], entry.getValue()[1]))
            .collect(Collectors.toList());
    assertEquals(expected, result.booksPerAuthor);
  }

  @Test
  void upsertReplacesWholeRowsAndChangesOnlyTheGivenColumns(
      CosmosEmulator emulator, CassandraServer cassandra) {
    Upsert.run(spark, ExampleAccount.ofEmulator(emulator), "ex_upsert");

    Map<String, Object[]> expected = new LinkedHashMap<>();
    for (org.apache.spark.sql.Row row : Books.ROWS) {
      expected.put(row.getString(0), values(row));
    }
    for (org.apache.spark.sql.Row row : Upsert.FULL_ROWS) {
      expected.put(row.getString(0), values(row));
    }
    for (org.apache.spark.sql.Row row : Upsert.NEW_PRICES) {
      expected.get(row.getString(0))[4] = row.getDouble(1);
    }
    List<org.apache.spark.sql.Row> rows = new ArrayList<>();
    expected.values().forEach(values -> rows.add(RowFactory.create(values)));
    DataFrameAssertions.assertSameRowsByKey(
        spark.createDataFrame(rows, Books.SCHEMA),
        direct(cassandra, "ex_upsert", Upsert.TABLE),
        "book_id");
  }

  @Test
  void deleteRowsRemovesExactlyTheSelectedRows(CosmosEmulator emulator, CassandraServer cassandra) {
    int rows = 600;
    DeleteRows.run(spark, ExampleAccount.ofEmulator(emulator), "ex_delete", rows);

    Dataset<org.apache.spark.sql.Row> kept =
        DeleteRows.readings(spark, rows).filter("NOT (" + DeleteRows.SELECTED + ")");
    long keptCount = kept.count();
    assertTrue(keptCount > 0 && keptCount < rows, "kept " + keptCount);
    DataFrameAssertions.assertSameRowsByKey(
        kept, direct(cassandra, "ex_delete", DeleteRows.TABLE), "sensor_id", "reading_id");
  }

  @Test
  void aggregationsMatchTheBooks(CosmosEmulator emulator, CassandraServer cassandra) {
    Aggregations.Result result =
        Aggregations.run(spark, ExampleAccount.ofEmulator(emulator), "ex_aggregations");

    DataFrameAssertions.assertSameRowsByKey(
        Books.dataFrame(spark),
        direct(cassandra, "ex_aggregations", Aggregations.TABLE),
        "book_id");
    List<Double> prices =
        Books.ROWS.stream().map(row -> row.getDouble(4)).collect(Collectors.toList());
    double sum = prices.stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(Books.ROWS.size(), result.count);
    assertEquals(sum / prices.size(), result.priceStatistics.getDouble(0), 1e-9);
    assertEquals(
        prices.stream().mapToDouble(Double::doubleValue).min().getAsDouble(),
        result.priceStatistics.getDouble(1));
    assertEquals(
        prices.stream().mapToDouble(Double::doubleValue).max().getAsDouble(),
        result.priceStatistics.getDouble(2));
    assertEquals(sum, result.priceStatistics.getDouble(3), 1e-9);

    List<String> top =
        Books.ROWS.stream()
            .sorted(
                Comparator.comparing((org.apache.spark.sql.Row row) -> -row.getDouble(4))
                    .thenComparing(row -> row.getString(0)))
            .limit(Aggregations.TOP)
            .map(row -> row.getString(0))
            .collect(Collectors.toList());
    assertEquals(
        top,
        result.mostExpensive.stream().map(row -> row.getString(0)).collect(Collectors.toList()));

    org.apache.spark.sql.Row sql = result.sqlStatistics;
    assertEquals(Books.ROWS.size(), sql.getLong(0));
    // Spark rounds the double it computed, half up, from its shortest decimal form.
    assertEquals(roundedToCents(result.priceStatistics.getDouble(0)), sql.getDouble(1));
    assertEquals(
        Books.ROWS.stream().mapToInt(row -> row.getInt(3)).min().getAsInt(), sql.getInt(2));
    assertEquals(
        Books.ROWS.stream().mapToInt(row -> row.getInt(3)).max().getAsInt(), sql.getInt(3));
    assertEquals(roundedToCents(result.priceStatistics.getDouble(3)), sql.getDouble(4));
  }

  @Test
  void tableCopyFillsTheExistingAndTheNewTable(
      CosmosEmulator emulator, CassandraServer cassandra, CqlSession session) {
    TableCopy.run(spark, ExampleAccount.ofEmulator(emulator), "ex_copy");

    for (String table : List.of(TableCopy.SOURCE, TableCopy.EXISTING, TableCopy.CREATED)) {
      DataFrameAssertions.assertSameRowsByKey(
          Books.dataFrame(spark), direct(cassandra, "ex_copy", table), "book_id");
    }
    Map<String, String> kinds = new TreeMap<>();
    for (Row column :
        session.execute(
            "SELECT column_name, kind FROM system_schema.columns"
                + " WHERE keyspace_name = 'ex_copy' AND table_name = ?",
            TableCopy.CREATED)) {
      kinds.put(column.getString("column_name"), column.getString("kind"));
    }
    assertEquals("partition_key", kinds.get("author"));
    assertEquals("clustering", kinds.get("book_id"));
    assertEquals(
        TableCopy.CREATED_RU_PER_SECOND,
        emulator.throughput("ex_copy." + TableCopy.CREATED).get().ruPerSecond());
  }

  @Test
  void bulkLoadLandsEveryGeneratedRowFromCsv(CosmosEmulator emulator, CassandraServer cassandra) {
    int rows = 1_500;
    BulkLoad.Summary summary =
        BulkLoad.run(
            spark, ExampleAccount.ofEmulator(emulator), "ex_bulk", rows, 10_000, "csv", "");

    assertEquals(rows, summary.rows);
    assertEquals(rows, summary.counted);
    assertTrue(summary.requestUnits > 0);
    assertEquals(
        emulator.statistics("ex_bulk." + BulkLoad.TABLE).get().rateLimited(), summary.rateLimited);
    Dataset<org.apache.spark.sql.Row> loaded = direct(cassandra, "ex_bulk", BulkLoad.TABLE);
    assertEquals(22, loaded.columns().length);
    DataFrameAssertions.assertSameRowsByKey(BulkLoad.crimes(spark, rows), loaded, "case_id");
  }

  /** The README's Spark SQL line, with the account in the configuration as on a cluster. */
  @Test
  void aTemporaryViewDeclaredInSqlReadsTheTable(CosmosEmulator emulator) {
    ExampleAccount account = ExampleAccount.ofEmulator(emulator);
    Books.createAndFill(spark, account, "ex_sql", "books");
    account.options().forEach((key, value) -> spark.conf().set(key, value));
    try {
      spark.sql(
          "CREATE TEMPORARY VIEW sql_books USING cosmoscassandra"
              + " OPTIONS (keyspace 'ex_sql', table 'books')");
      DataFrameAssertions.assertSameRowsByKey(
          Books.dataFrame(spark), spark.sql("SELECT * FROM sql_books"), "book_id");
    } finally {
      account.options().keySet().forEach(key -> spark.conf().unset(key));
      spark.catalog().dropTempView("sql_books");
    }
  }

  @Test
  void exampleAccountNeverShowsTheKey(CosmosEmulator emulator) {
    ExampleAccount account = ExampleAccount.ofEmulator(emulator);
    assertFalse(account.describe().contains(emulator.key()));
  }

  /** The table as Cassandra holds it, read with the plain connector, not through the emulator. */
  @Test
  void streamingWriteLandsEveryReadingOfEveryRunOnce(
      CosmosEmulator emulator, CassandraServer cassandra) {
    Dataset<org.apache.spark.sql.Row> sent =
        StreamingWrite.run(spark, ExampleAccount.ofEmulator(emulator), "ex_streaming", 150, 2);

    Dataset<org.apache.spark.sql.Row> landed =
        direct(cassandra, "ex_streaming", StreamingWrite.TABLE);
    assertEquals(300, landed.count());
    DataFrameAssertions.assertSameRowsByKey(sent, landed, "id");
  }

  @Test
  void changeFeedToDeltaLeavesADeltaTableEqualToTheCosmosTableByKey(
      CosmosEmulator emulator, CassandraServer cassandra, @TempDir Path work) {
    int inserts = 300;
    int updates = 75;
    // Delta's SQL extension and catalog are read only when a session is built: the example runs on
    // a session of its own, and the next test builds a fresh shared one.
    spark.stop();
    SparkSession delta = ChangeFeedToDelta.spark();
    try {
      ChangeFeedToDelta.Result result =
          ChangeFeedToDelta.run(
              delta,
              ExampleAccount.ofEmulator(emulator),
              "ex_change_feed",
              inserts,
              updates,
              150,
              work);

      Dataset<org.apache.spark.sql.Row> inDelta =
          delta.read().format("delta").load(result.deltaPath);
      assertEquals(inserts, inDelta.count());
      // The Delta table against Cassandra's own rows, read past the emulator.
      DataFrameAssertions.assertSameRowsByKey(
          direct(delta, cassandra, "ex_change_feed", ChangeFeedToDelta.TABLE), inDelta, "id");
      // ...and against what the writer wrote: the updated rows carry their second version.
      DataFrameAssertions.assertSameRowsByKey(
          delta.createDataFrame(
              ChangeFeedToDelta.expectedRows(inserts, updates), ChangeFeedToDelta.SCHEMA),
          inDelta,
          "id");
      assertEquals(updates, inDelta.filter("title LIKE '%, second edition'").count());
      assertTrue(result.matches);
      assertEquals(inserts, result.cosmosRows);
      assertEquals(inserts, result.deltaRows);
      // Each key was inserted into Delta exactly once, whatever batches its versions came in.
      assertEquals(inserts, result.batches.stream().mapToLong(batch -> batch.inserted).sum());
    } finally {
      delta.stop();
    }
  }

  private Dataset<org.apache.spark.sql.Row> direct(
      CassandraServer cassandra, String keyspace, String table) {
    return direct(spark, cassandra, keyspace, table);
  }

  private static Dataset<org.apache.spark.sql.Row> direct(
      SparkSession spark, CassandraServer cassandra, String keyspace, String table) {
    return spark
        .read()
        .format("org.apache.spark.sql.cassandra")
        .options(LocalSpark.connectorOptions(cassandra))
        .option("keyspace", keyspace)
        .option("table", table)
        .load();
  }

  private static org.apache.spark.sql.Row book(String id) {
    return Books.ROWS.stream().filter(row -> row.getString(0).equals(id)).findFirst().get();
  }

  private static double roundedToCents(double value) {
    return new BigDecimal(Double.toString(value)).setScale(2, RoundingMode.HALF_UP).doubleValue();
  }

  private static Object[] values(org.apache.spark.sql.Row row) {
    Object[] values = new Object[row.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    return values;
  }
}

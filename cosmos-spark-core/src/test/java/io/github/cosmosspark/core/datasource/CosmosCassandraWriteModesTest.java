package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

@CassandraTest
class CosmosCassandraWriteModesTest {

  private final SparkSession spark = LocalSpark.session();

  @Test
  void everyCqlTypeTheConnectorMapsRoundTripsExactly(TestKeyspace ks, CassandraServer server) {
    ks.session().execute("CREATE TYPE " + ks.qualified("address") + " (street text, zip int)");
    ks.session()
        .execute(
            "CREATE TABLE "
                + ks.qualified("everything")
                + " (id int PRIMARY KEY, t text, i int, bi bigint, f float, d double,"
                + " dec decimal, b boolean, u uuid, tu timeuuid, ts timestamp, dt date, bl blob,"
                + " l list<int>, s set<text>, m map<text, int>, addr frozen<address>)");
    StructType address =
        new StructType().add("street", DataTypes.StringType).add("zip", DataTypes.IntegerType);
    StructType schema =
        new StructType()
            .add("id", DataTypes.IntegerType)
            .add("t", DataTypes.StringType)
            .add("i", DataTypes.IntegerType)
            .add("bi", DataTypes.LongType)
            .add("f", DataTypes.FloatType)
            .add("d", DataTypes.DoubleType)
            .add("dec", DataTypes.createDecimalType(38, 18))
            .add("b", DataTypes.BooleanType)
            .add("u", DataTypes.StringType)
            .add("tu", DataTypes.StringType)
            .add("ts", DataTypes.TimestampType)
            .add("dt", DataTypes.DateType)
            .add("bl", DataTypes.BinaryType)
            .add("l", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("s", DataTypes.createArrayType(DataTypes.StringType))
            .add("m", DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType))
            .add("addr", address);
    List<org.apache.spark.sql.Row> rows =
        Arrays.asList(row(1, "ünïcødé ✓", -7), row(2, "", Integer.MAX_VALUE), row(3, "x", 0));
    Dataset<org.apache.spark.sql.Row> written = spark.createDataFrame(rows, schema);

    write(written, ks, server, "everything", "append", new HashMap<>());

    Dataset<org.apache.spark.sql.Row> read = read(ks, server, "everything");
    assertEquals(schema.fieldNames().length, read.schema().fieldNames().length);
    assertSameRowsByKey(written, read, "id");
  }

  @Test
  void overwriteWithConfirmTruncateLeavesExactlyTheNewRows(
      TestKeyspace ks, CassandraServer server) {
    createBooks(ks);
    write(books(10, "old"), ks, server, "books", "append", new HashMap<>());

    Map<String, String> confirm = new HashMap<>();
    confirm.put("confirm.truncate", "true");
    write(books(3, "new"), ks, server, "books", "overwrite", confirm);

    assertSameRowsByKey(books(3, "new"), read(ks, server, "books"), "id");
  }

  @Test
  void overwriteWithoutConfirmTruncateIsRefusedAndKeepsTheTable(
      TestKeyspace ks, CassandraServer server) {
    createBooks(ks);
    write(books(5, "kept"), ks, server, "books", "append", new HashMap<>());

    Throwable error =
        assertThrows(
            Throwable.class,
            () -> write(books(2, "lost"), ks, server, "books", "overwrite", new HashMap<>()));

    assertTrue(String.valueOf(error.getMessage()).contains("confirm.truncate"), error.toString());
    assertSameRowsByKey(books(5, "kept"), read(ks, server, "books"), "id");
  }

  @Test
  void theTtlOptionIsHonoured(TestKeyspace ks, CassandraServer server) {
    createBooks(ks);
    Map<String, String> ttl = new HashMap<>();
    ttl.put("ttl", "3600");
    write(books(4, "ttl"), ks, server, "books", "append", ttl);

    List<Row> ttls =
        ks.session().execute("SELECT id, TTL(title) FROM " + ks.qualified("books")).all();
    assertEquals(4, ttls.size());
    for (Row row : ttls) {
      int remaining = row.getInt(1);
      assertTrue(
          remaining > 3500 && remaining <= 3600, "TTL of row " + row.getInt(0) + ": " + remaining);
    }
  }

  /**
   * What the write's schema check lets through, SCC converting as it writes: a narrower integer
   * into a wider column, a float array into a vector, a per-row TTL column that is not the table's,
   * a quoted mixed-case column, Spark's timestamp without time zone and both kinds of ANSI interval
   * as text, and a day-time interval into a bigint, which SCC writes as milliseconds.
   */
  @Test
  void valuesSccConvertsAreWrittenExactly(TestKeyspace ks, CassandraServer server) {
    ks.session()
        .execute(
            "CREATE TABLE "
                + ks.qualified("widened")
                + " (id int PRIMARY KEY, \"Title\" text, big bigint, embedding vector<float, 3>,"
                + " local_time text, span text, months text, span_ms bigint)");
    StructType schema =
        new StructType()
            .add("id", DataTypes.IntegerType)
            .add("Title", DataTypes.StringType)
            .add("big", DataTypes.IntegerType)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType))
            .add("row_ttl", DataTypes.IntegerType);
    List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
    for (int id = 0; id < 5; id++) {
      rows.add(
          RowFactory.create(
              id,
              "Upper " + id,
              Integer.MAX_VALUE - id,
              Arrays.asList(id * 0.5f, -1f, 3.25f),
              1_000 * (id + 1)));
    }
    Map<String, String> ttlColumn = new HashMap<>();
    ttlColumn.put("ttl", "row_ttl");
    Dataset<org.apache.spark.sql.Row> written =
        spark
            .createDataFrame(rows, schema)
            .selectExpr(
                "*",
                "TIMESTAMP_NTZ '2024-02-29 10:11:12' AS local_time",
                "INTERVAL '1 02:03:04' DAY TO SECOND AS span",
                "INTERVAL '3-4' YEAR TO MONTH AS months",
                "INTERVAL '1 02:03:04.5' DAY TO SECOND AS span_ms");
    write(written, ks, server, "widened", "append", ttlColumn);

    List<Row> landed =
        ks.session()
            .execute(
                "SELECT id, \"Title\", local_time, big, embedding, TTL(big), span, months, span_ms"
                    + " FROM "
                    + ks.qualified("widened"))
            .all();
    assertEquals(5, landed.size());
    for (Row row : landed) {
      int id = row.getInt("id");
      assertEquals("Upper " + id, row.getString(1), "\"Title\" of " + id);
      assertEquals("2024-02-29T10:11:12", row.getString(2), "local_time of " + id);
      assertEquals("PT26H3M4S", row.getString(6), "span of " + id);
      assertEquals("P3Y4M", row.getString(7), "months of " + id);
      assertEquals(93_784_500L, row.getLong(8), "span_ms of " + id);
      assertEquals((long) Integer.MAX_VALUE - id, row.getLong(3), "big of " + id);
      assertEquals(
          Arrays.asList(id * 0.5f, -1f, 3.25f),
          row.getVector(4, Float.class).stream().collect(java.util.stream.Collectors.toList()),
          "embedding of " + id);
      int ttl = row.getInt(5);
      assertTrue(
          ttl > 1_000 * (id + 1) - 100 && ttl <= 1_000 * (id + 1), "TTL of " + id + ": " + ttl);
    }
  }

  /**
   * Text for a number or a time is refused before any row is sent, as Spark's ANSI store assignment
   * refuses it for other tables; with the LEGACY policy SCC converts each value.
   */
  @Test
  void textForANumberOrATimeIsRefusedUnlessTheStoreAssignmentPolicyIsLegacy(
      TestKeyspace ks, CassandraServer server) {
    ks.session()
        .execute(
            "CREATE TABLE "
                + ks.qualified("from_text")
                + " (id int PRIMARY KEY, pages int, published timestamp, price decimal)");
    Dataset<org.apache.spark.sql.Row> text =
        spark.sql(
            "SELECT 1 AS id, '42' AS pages, '2024-02-29 10:11:12' AS published,"
                + " '19.90' AS price");

    Throwable refused =
        assertThrows(
            Throwable.class, () -> write(text, ks, server, "from_text", "append", new HashMap<>()));
    String message = String.valueOf(refused.getMessage());
    assertTrue(
        message.contains(
            "Cannot write to "
                + ks.name()
                + ".from_text: column 'pages' is string in the DataFrame but int in the table;"),
        message);
    assertTrue(
        message.contains(
            "Cast the column first: col(\"pages\").cast(\"int\"), or set"
                + " spark.sql.storeAssignmentPolicy=LEGACY"),
        message);
    assertEquals(
        0,
        ks.session().execute("SELECT count(*) FROM " + ks.qualified("from_text")).one().getLong(0));
    Throwable timeRefused =
        assertThrows(
            Throwable.class,
            () ->
                write(
                    text.selectExpr("id", "published"),
                    ks,
                    server,
                    "from_text",
                    "append",
                    new HashMap<>()));
    assertTrue(
        String.valueOf(timeRefused.getMessage())
            .contains("column 'published' is string in the DataFrame but timestamp in the table"),
        timeRefused.toString());

    spark.conf().set("spark.sql.storeAssignmentPolicy", "LEGACY");
    try {
      write(text, ks, server, "from_text", "append", new HashMap<>());
    } finally {
      spark.conf().unset("spark.sql.storeAssignmentPolicy");
    }
    Row landed =
        ks.session()
            .execute("SELECT pages, published, price FROM " + ks.qualified("from_text"))
            .one();
    assertEquals(42, landed.getInt(0));
    assertEquals(java.time.Instant.parse("2024-02-29T10:11:12Z"), landed.getInstant(1));
    assertEquals(new BigDecimal("19.90"), landed.getBigDecimal(2));
  }

  private static org.apache.spark.sql.Row row(int id, String text, int number) {
    UUID uuid = UUID.nameUUIDFromBytes(("row-" + id).getBytes());
    return RowFactory.create(
        id,
        text,
        number,
        (long) number * 1_000_000_007L,
        number / 3.0f,
        number / 7.0,
        new BigDecimal("12345678901234567890.123456789012345678").add(BigDecimal.valueOf(id)),
        id % 2 == 0,
        uuid.toString(),
        Uuids.startOf(1_700_000_000_000L + id).toString(),
        new Timestamp(1_700_000_000_123L + id),
        Date.valueOf("2024-02-29"),
        new byte[] {(byte) id, 0, -1, 127},
        Arrays.asList(id, -id, 0),
        Arrays.asList("a" + id, "b"),
        singletonMap("k" + id, id),
        RowFactory.create("street " + id, 10_000 + id));
  }

  private static Map<String, Integer> singletonMap(String key, int value) {
    Map<String, Integer> map = new HashMap<>();
    map.put(key, value);
    return map;
  }

  private void createBooks(TestKeyspace ks) {
    ks.session()
        .execute("CREATE TABLE " + ks.qualified("books") + " (id int PRIMARY KEY, title text)");
  }

  private Dataset<org.apache.spark.sql.Row> books(int count, String prefix) {
    return spark
        .range(count)
        .selectExpr("CAST(id AS INT) AS id", "CONCAT('" + prefix + "-', id) AS title");
  }

  private static void write(
      Dataset<org.apache.spark.sql.Row> rows,
      TestKeyspace ks,
      CassandraServer server,
      String table,
      String mode,
      Map<String, String> extra) {
    TestServerOptions.writer(rows, server, ks.name(), table).options(extra).mode(mode).save();
  }

  private Dataset<org.apache.spark.sql.Row> read(
      TestKeyspace ks, CassandraServer server, String table) {
    return TestServerOptions.reader(spark, server, ks.name(), table).load();
  }
}

package io.github.cosmosspark.core.catalog;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.Throughput;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every statement the catalog takes, in Spark SQL, against the emulator. */
@CosmosEmulatorTest
class CosmosCassandraCatalogTest {
  private final CosmosEmulator emulator;
  private final CqlSession cassandra;
  private SparkSession spark;

  CosmosCassandraCatalogTest(CosmosEmulator emulator, CqlSession cassandra) {
    this.emulator = emulator;
    this.cassandra = cassandra;
  }

  @BeforeEach
  void catalog() {
    spark = CatalogSessions.withCatalog(emulator, "cosmos");
  }

  @Test
  void createsANamespaceWithSharedThroughputAndShowsWhatItSet() {
    spark.sql(
        "CREATE NAMESPACE cosmos.sql_shared WITH DBPROPERTIES"
            + " (cosmosdb_provisioned_throughput='1000')");

    assertEquals(1000, emulator.throughput("sql_shared").get().ruPerSecond());
    assertFalse(emulator.throughput("sql_shared").get().autoscale());
    assertTrue(strings(spark.sql("SHOW NAMESPACES IN cosmos"), 0).contains("sql_shared"));
    Map<String, String> described =
        pairs(spark.sql("DESCRIBE NAMESPACE EXTENDED cosmos.sql_shared"));
    String properties = described.get("Properties");
    assertTrue(properties.contains("(cosmosdb_provisioned_throughput,1000)"), properties);
    assertTrue(
        properties.contains("(class,org.apache.cassandra.locator.SimpleStrategy)"), properties);
  }

  @Test
  void createsATableWithItsKeysAndThroughputAndShowsThemInTblProperties() {
    spark.sql("CREATE NAMESPACE cosmos.sql_tables");
    spark.sql(
        "CREATE TABLE cosmos.sql_tables.events (id INT, ts INT, what STRING) USING cosmoscassandra"
            + " PARTITIONED BY (id)"
            + " TBLPROPERTIES (clustering_key='ts.DESC', cosmosdb_provisioned_throughput='4000')");

    Throughput throughput = emulator.throughput("sql_tables.events").get();
    assertEquals(4000, throughput.ruPerSecond());
    assertFalse(throughput.autoscale());
    Row ts =
        cassandra
            .execute(
                "SELECT kind, clustering_order FROM system_schema.columns WHERE"
                    + " keyspace_name='sql_tables' AND table_name='events' AND column_name='ts'")
            .one();
    assertEquals("clustering", ts.getString("kind"));
    assertEquals("desc", ts.getString("clustering_order"));
    Row id =
        cassandra
            .execute(
                "SELECT kind FROM system_schema.columns WHERE keyspace_name='sql_tables' AND"
                    + " table_name='events' AND column_name='id'")
            .one();
    assertEquals("partition_key", id.getString("kind"));

    Map<String, String> properties =
        pairs(spark.sql("SHOW TBLPROPERTIES cosmos.sql_tables.events"));
    assertEquals("[ts.DESC]", properties.get("clustering_key"));
    assertEquals("4000", properties.get("cosmosdb_provisioned_throughput"));
    assertTrue(
        properties.get("cosmosdb_throughput_source").startsWith("set on table events by DDL"),
        properties.get("cosmosdb_throughput_source"));
    assertEquals("0", properties.get("default_time_to_live"));
    String describedProperties =
        pairs(spark.sql("DESCRIBE TABLE EXTENDED cosmos.sql_tables.events"))
            .get("Table Properties");
    assertTrue(
        describedProperties.contains("cosmosdb_provisioned_throughput=4000"), describedProperties);
  }

  @Test
  void createsAnAutoscaleTable() {
    spark.sql("CREATE NAMESPACE cosmos.sql_autoscale");
    spark.sql(
        "CREATE TABLE cosmos.sql_autoscale.books (id INT, title STRING) USING cosmoscassandra"
            + " PARTITIONED BY (id) TBLPROPERTIES (cosmosdb_autoscale_max_throughput='5000')");

    Throughput throughput = emulator.throughput("sql_autoscale.books").get();
    assertEquals(5000, throughput.ruPerSecond());
    assertTrue(throughput.autoscale());
    assertEquals(
        "5000",
        pairs(spark.sql("SHOW TBLPROPERTIES cosmos.sql_autoscale.books"))
            .get("cosmosdb_autoscale_max_throughput"));
  }

  @Test
  void altersThroughputAndDefaultTimeToLive() {
    spark.sql("CREATE NAMESPACE cosmos.sql_alter");
    spark.sql(
        "CREATE TABLE cosmos.sql_alter.books (id INT, title STRING) USING cosmoscassandra"
            + " PARTITIONED BY (id) TBLPROPERTIES (cosmosdb_provisioned_throughput='400')");

    spark.sql(
        "ALTER TABLE cosmos.sql_alter.books SET TBLPROPERTIES"
            + " (cosmosdb_provisioned_throughput='6000', default_time_to_live='3600')");

    assertEquals(6000, emulator.throughput("sql_alter.books").get().ruPerSecond());
    assertEquals(
        3600,
        cassandra
            .execute(
                "SELECT default_time_to_live FROM system_schema.tables WHERE"
                    + " keyspace_name='sql_alter' AND table_name='books'")
            .one()
            .getInt(0));
    Map<String, String> properties = pairs(spark.sql("SHOW TBLPROPERTIES cosmos.sql_alter.books"));
    assertEquals("6000", properties.get("cosmosdb_provisioned_throughput"));
    assertEquals("3600", properties.get("default_time_to_live"));

    spark.sql("ALTER TABLE cosmos.sql_alter.books ADD COLUMNS (pages INT)");
    assertEquals(
        Arrays.asList("id", "pages", "title"),
        sorted(Arrays.asList(spark.table("cosmos.sql_alter.books").columns())));
  }

  @Test
  void showsTablesAndDropsThemAndTheNamespace() {
    spark.sql("CREATE NAMESPACE cosmos.sql_drop");
    spark.sql(
        "CREATE TABLE cosmos.sql_drop.a (id INT, v STRING) USING cosmoscassandra PARTITIONED BY"
            + " (id)");
    spark.sql(
        "CREATE TABLE cosmos.sql_drop.b (id INT, v STRING) USING cosmoscassandra PARTITIONED BY"
            + " (id)");
    assertEquals(
        Arrays.asList("a", "b"), sorted(strings(spark.sql("SHOW TABLES IN cosmos.sql_drop"), 1)));

    spark.sql("DROP TABLE cosmos.sql_drop.a");
    assertEquals(
        Arrays.asList("b"), sorted(strings(spark.sql("SHOW TABLES IN cosmos.sql_drop"), 1)));

    Exception notEmpty =
        assertThrows(Exception.class, () -> spark.sql("DROP NAMESPACE cosmos.sql_drop"));
    assertTrue(CatalogSessions.messages(notEmpty).contains("sql_drop"), notEmpty.toString());
    assertTrue(strings(spark.sql("SHOW NAMESPACES IN cosmos"), 0).contains("sql_drop"));

    spark.sql("DROP NAMESPACE cosmos.sql_drop CASCADE");
    assertFalse(strings(spark.sql("SHOW NAMESPACES IN cosmos"), 0).contains("sql_drop"));
    assertTrue(
        cassandra
            .execute(
                "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name='sql_drop'")
            .all()
            .isEmpty());
  }

  @Test
  void insertsSelectsWithPushdownAndCreatesATableAsSelect() {
    spark.sql("CREATE NAMESPACE cosmos.sql_dml");
    spark.sql(
        "CREATE TABLE cosmos.sql_dml.books (id INT, title STRING, pages INT) USING"
            + " cosmoscassandra PARTITIONED BY (id)"
            + " TBLPROPERTIES (cosmosdb_provisioned_throughput='10000')");
    EmulatorBooks.books(spark, 0, 500).createOrReplaceTempView("source_books");

    spark.sql("INSERT INTO cosmos.sql_dml.books SELECT id, title, pages FROM source_books");
    // SCC's table accepts any schema, so Spark matches columns by name: VALUES needs the list.
    spark.sql(
        "INSERT INTO cosmos.sql_dml.books (id, title, pages) VALUES (1000, 'one thousand', 7)");

    assertSameRowsByKey(
        spark.sql("SELECT * FROM source_books UNION ALL SELECT 1000, 'one thousand', 7"),
        spark.sql("SELECT * FROM cosmos.sql_dml.books"),
        "id");
    Dataset<org.apache.spark.sql.Row> one =
        spark.sql("SELECT id, title FROM cosmos.sql_dml.books WHERE id = 42");
    String plan = one.queryExecution().executedPlan().toString();
    assertTrue(plan.contains("Cassandra Filters: [[\"id\" = ?, 42]]"), plan);
    assertTrue(plan.contains("Requested Columns: [id,title]"), plan);
    assertEquals(
        Arrays.asList("42:title-42"),
        one.collectAsList().stream()
            .map(row -> row.getInt(0) + ":" + row.getString(1))
            .collect(Collectors.toList()));

    spark.sql(
        "CREATE TABLE cosmos.sql_dml.long_books USING cosmoscassandra PARTITIONED BY (id)"
            + " TBLPROPERTIES (cosmosdb_provisioned_throughput='10000')"
            + " AS SELECT id, title, pages FROM cosmos.sql_dml.books WHERE pages >= 400");

    assertEquals(10000, emulator.throughput("sql_dml.long_books").get().ruPerSecond());
    assertSameRowsByKey(
        spark.sql("SELECT * FROM source_books WHERE pages >= 400"),
        spark.sql("SELECT * FROM cosmos.sql_dml.long_books"),
        "id");
  }

  @Test
  void refusesBadPropertiesNamingThemBeforeCreatingAnything() {
    spark.sql("CREATE NAMESPACE cosmos.sql_bad");
    Map<String, String> badTables = new HashMap<>();
    badTables.put("cosmosdb_provisioned_throughput='lots'", "cosmosdb_provisioned_throughput");
    badTables.put("cosmosdb_provisioned_throughput='300'", "below Cosmos's minimum manual");
    badTables.put("cosmosdb_provisioned_throughput='450'", "steps of 100");
    badTables.put("cosmosdb_autoscale_max_throughput='500'", "cosmosdb_autoscale_max_throughput");
    badTables.put(
        "cosmosdb_provisioned_throughput='400', cosmosdb_autoscale_max_throughput='4000'",
        "sets both 'cosmosdb_provisioned_throughput' and 'cosmosdb_autoscale_max_throughput'");
    badTables.put("cosmosdb_throughput='400'", "unknown table property 'cosmosdb_throughput'");
    badTables.put("clustering_key='nope'", "'nope' is named as a clustering column");

    for (Map.Entry<String, String> bad : badTables.entrySet()) {
      Exception error =
          assertThrows(
              Exception.class,
              () ->
                  spark.sql(
                      "CREATE TABLE cosmos.sql_bad.t (id INT, v INT) USING cosmoscassandra"
                          + " PARTITIONED BY (id) TBLPROPERTIES ("
                          + bad.getKey()
                          + ")"),
              bad.getKey());
      String messages = CatalogSessions.messages(error);
      assertTrue(messages.contains(bad.getValue()), bad.getKey() + " -> " + messages);
      assertTrue(messages.contains("CREATE TABLE cosmos.sql_bad.t"), messages);
    }
    assertTrue(strings(spark.sql("SHOW TABLES IN cosmos.sql_bad"), 1).isEmpty());
    assertFalse(emulator.throughput("sql_bad.t").isPresent());

    Exception namespace =
        assertThrows(
            Exception.class,
            () ->
                spark.sql(
                    "CREATE NAMESPACE cosmos.sql_bad_ns WITH DBPROPERTIES"
                        + " (cosmosdb_autoscale_max_throughput='999')"));
    assertTrue(
        CatalogSessions.messages(namespace).contains("'cosmosdb_autoscale_max_throughput' is 999"),
        CatalogSessions.messages(namespace));
    assertFalse(strings(spark.sql("SHOW NAMESPACES IN cosmos"), 0).contains("sql_bad_ns"));

    spark.sql(
        "CREATE TABLE cosmos.sql_bad.good (id INT, v INT) USING cosmoscassandra PARTITIONED BY"
            + " (id) TBLPROPERTIES (cosmosdb_provisioned_throughput='400')");
    Exception alter =
        assertThrows(
            Exception.class,
            () ->
                spark.sql(
                    "ALTER TABLE cosmos.sql_bad.good SET TBLPROPERTIES"
                        + " (default_time_to_live='60', cosmosdb_provisioned_throughput='x')"));
    assertTrue(
        CatalogSessions.messages(alter).contains("'cosmosdb_provisioned_throughput'"),
        CatalogSessions.messages(alter));
    assertEquals(
        0,
        cassandra
            .execute(
                "SELECT default_time_to_live FROM system_schema.tables WHERE"
                    + " keyspace_name='sql_bad' AND table_name='good'")
            .one()
            .getInt(0),
        "nothing of the refused ALTER was applied");
  }

  @Test
  void inheritsTheAccountFromSparkCosmosCassandraSettings() {
    SparkSession session = LocalSpark.session().newSession();
    session.conf().set("spark.sql.catalog.inherited", CosmosCassandraCatalog.class.getName());
    EmulatorBooks.connectionOptions(emulator).forEach(session.conf()::set);
    SparkSession.setActiveSession(session);
    session.sql("CREATE NAMESPACE inherited.sql_inherited");

    assertTrue(strings(session.sql("SHOW NAMESPACES IN inherited"), 0).contains("sql_inherited"));
  }

  private static List<String> strings(Dataset<org.apache.spark.sql.Row> rows, int column) {
    return rows.collectAsList().stream()
        .map(row -> row.getString(column))
        .collect(Collectors.toList());
  }

  private static List<String> sorted(List<String> values) {
    return new java.util.ArrayList<>(new TreeSet<>(values));
  }

  /** The first two columns of {@code rows}, as key and value. */
  private static Map<String, String> pairs(Dataset<org.apache.spark.sql.Row> rows) {
    Map<String, String> pairs = new HashMap<>();
    for (org.apache.spark.sql.Row row : rows.collectAsList()) {
      pairs.put(row.getString(0), row.getString(1));
    }
    return pairs;
  }
}

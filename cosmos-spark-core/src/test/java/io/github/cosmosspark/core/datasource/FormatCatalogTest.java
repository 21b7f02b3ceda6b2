package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalog the format resolves its reads and writes through (for its save modes): it must be
 * found from any session, load the table the options name, and show no key in a plan.
 */
@CosmosEmulatorTest
class FormatCatalogTest {
  private static final String KEYSPACE = "format_catalog";

  private final CosmosEmulator emulator;
  private final SparkSession spark = LocalSpark.session();

  FormatCatalogTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
  }

  @Test
  void aSessionThatIsNotTheActiveOneWritesAndReadsThroughTheCatalog() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "other_session", 400);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "other_session");
    SparkSession other = spark.newSession();
    // The active session stays `spark`: Spark looks the catalog up in `other`'s configuration.
    SparkSession.setActiveSession(spark);
    EmulatorBooks.books(other, 0, 25)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    Dataset<Row> read = other.read().format("cosmoscassandra").options(options).load();
    Set<Integer> ids = new TreeSet<>();
    for (Row row : read.collectAsList()) {
      ids.add(row.<Integer>getAs("id"));
    }
    Set<Integer> expected = new TreeSet<>();
    for (int id = 0; id < 25; id++) {
      expected.add(id);
    }
    assertEquals(expected, ids);
    assertFalse(other.conf().getAll().keySet().toString().contains("cosmoscassandra_"));
  }

  @Test
  void thePlanNamesTheCatalogAndTheTableAndNoKey() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "plan", 400);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "plan");
    String plan =
        spark.read().format("cosmoscassandra").options(options).load().queryExecution().toString();
    assertTrue(
        plan.matches("(?s).*cosmoscassandra_[0-9]+\\." + KEYSPACE + "\\.plan.*"),
        "the relation is named by its catalog and table: " + plan);
    assertFalse(plan.contains(emulator.key()), "the key is in the plan");
  }

  @Test
  void theSameOptionsGetTheSameCatalogAndOthersAnother() {
    Map<String, String> one = EmulatorBooks.options(emulator, KEYSPACE, "a");
    Map<String, String> two = EmulatorBooks.options(emulator, KEYSPACE, "b");
    String first = FormatCatalog.nameFor(new CaseInsensitiveStringMap(one));
    assertEquals(first, FormatCatalog.nameFor(new CaseInsensitiveStringMap(one)));
    assertFalse(first.equals(FormatCatalog.nameFor(new CaseInsensitiveStringMap(two))));
  }

  @Test
  void aCatalogNameConfiguredByHandIsRefusedNamingTheSqlCatalog() {
    SparkSession session = spark.newSession();
    session.conf().set("spark.sql.catalog.cosmoscassandra_999999", FormatCatalog.class.getName());
    CosmosConfigException error =
        assertThrows(
            CosmosConfigException.class,
            () -> session.sql("SHOW TABLES IN cosmoscassandra_999999.ks").collect());
    assertTrue(
        error
            .getMessage()
            .contains(
                "Catalog 'cosmoscassandra_999999' is made by cosmos-spark for its format's reads"
                    + " and writes; do not configure 'spark.sql.catalog.cosmoscassandra_999999'"
                    + " yourself."),
        error.getMessage());
  }

  @Test
  void theCatalogOfOneReadServesNoOtherTable() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "served", 400);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "served");
    String catalog = FormatCatalog.nameFor(new CaseInsensitiveStringMap(options));
    CosmosConfigException error =
        assertThrows(
            CosmosConfigException.class,
            () -> spark.sql("SELECT * FROM " + catalog + "." + KEYSPACE + ".other").collect());
    assertTrue(
        error
            .getMessage()
            .contains(
                "Catalog '"
                    + catalog
                    + "' serves only "
                    + KEYSPACE
                    + ".served, the table of one format(\"cosmoscassandra\") read or write, not "
                    + KEYSPACE
                    + ".other."),
        error.getMessage());
  }

  @Test
  void theFormatWithoutCatalogWritesAndReadsTheSameTableAndLeavesSaveModesToSpark() {
    EmulatorBooks.createTable(emulator, KEYSPACE, "no_catalog", 400);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "no_catalog");
    EmulatorBooks.books(spark, 0, 10)
        .write()
        .format("cosmoscassandra-nocatalog")
        .options(options)
        .mode("append")
        .save();
    Dataset<Row> read = spark.read().format("cosmoscassandra-nocatalog").options(options).load();
    Set<Integer> ids = new TreeSet<>();
    for (Row row : read.collectAsList()) {
      ids.add(row.<Integer>getAs("id"));
    }
    Set<Integer> expected = new TreeSet<>();
    for (int id = 0; id < 10; id++) {
      expected.add(id);
    }
    assertEquals(expected, ids);
    assertFalse(
        read.queryExecution().toString().contains("cosmoscassandra_"),
        "no catalog in the plan: " + read.queryExecution());
    Exception error =
        assertThrows(
            Exception.class,
            () ->
                EmulatorBooks.books(spark, 10, 12)
                    .write()
                    .format("cosmoscassandra-nocatalog")
                    .options(options)
                    .save());
    assertTrue(
        error
            .getMessage()
            .contains(
                "TableProvider implementation cosmoscassandra-nocatalog cannot be written with"
                    + " ErrorIfExists mode"),
        error.getMessage());
  }
}

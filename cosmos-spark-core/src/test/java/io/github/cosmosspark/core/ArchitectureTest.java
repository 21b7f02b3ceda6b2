package io.github.cosmosspark.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core's packages depend one way, top to bottom: {@code catalog} → {@code datasource} (and its
 * {@code read} and {@code write}) → {@code connection} → {@code session} → {@code throughput} →
 * {@code retry} → {@code cql} → {@code config}, with {@code metrics}, {@code errors} and {@code
 * compat} beside. Only the adapters ({@code catalog}, {@code datasource}, {@code connection}, and
 * {@code compat}, which checks SCC's version) know the Spark Cassandra Connector or Spark's
 * planner, so that a second engine can reuse the Cosmos layers beneath them.
 */
class ArchitectureTest {
  private static final String CORE = "io.github.cosmosspark.core";
  private static final String[] COSMOS_LAYERS = {
    CORE + ".config..",
    CORE + ".cql..",
    CORE + ".retry..",
    CORE + ".throughput..",
    CORE + ".session..",
    CORE + ".metrics..",
    CORE + ".errors.."
  };

  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(CORE);
  }

  @Test
  void noTwoPackagesDependOnEachOther() {
    slices().matching(CORE + ".(**)").should().beFreeOfCycles().check(core);
  }

  @Test
  void eachLayerIsUsedOnlyByTheLayersAboveIt() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("catalog")
        .definedBy(CORE + ".catalog..")
        .layer("datasource")
        .definedBy(CORE + ".datasource..")
        .layer("connection")
        .definedBy(CORE + ".connection..")
        .layer("session")
        .definedBy(CORE + ".session..")
        .layer("throughput")
        .definedBy(CORE + ".throughput..")
        .layer("retry")
        .definedBy(CORE + ".retry..")
        .layer("cql")
        .definedBy(CORE + ".cql..")
        .layer("config")
        .definedBy(CORE + ".config..")
        .layer("metrics")
        .definedBy(CORE + ".metrics..")
        .layer("compat")
        .definedBy(CORE + ".compat..")
        .layer("errors")
        .definedBy(CORE + ".errors..")
        .whereLayer("catalog")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("datasource")
        .mayOnlyBeAccessedByLayers("catalog")
        .whereLayer("connection")
        .mayOnlyBeAccessedByLayers("catalog", "datasource")
        .whereLayer("session")
        .mayOnlyBeAccessedByLayers("catalog", "datasource", "connection")
        .whereLayer("throughput")
        .mayOnlyBeAccessedByLayers("catalog", "datasource", "connection", "session")
        .whereLayer("retry")
        .mayOnlyBeAccessedByLayers("catalog", "datasource", "connection", "session", "throughput")
        .whereLayer("cql")
        .mayOnlyBeAccessedByLayers(
            "catalog", "datasource", "connection", "session", "throughput", "retry")
        .whereLayer("config")
        .mayOnlyBeAccessedByLayers(
            "catalog", "datasource", "connection", "session", "throughput", "retry", "cql")
        .whereLayer("metrics")
        .mayOnlyBeAccessedByLayers(
            "catalog", "datasource", "connection", "session", "throughput", "retry")
        .whereLayer("compat")
        .mayOnlyBeAccessedByLayers("catalog", "datasource", "connection")
        .check(core);
  }

  @Test
  void errorsDependOnNothingElseOfOurs() {
    noClasses()
        .that()
        .resideInAPackage(CORE + ".errors..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            CORE + ".catalog..",
            CORE + ".datasource..",
            CORE + ".connection..",
            CORE + ".session..",
            CORE + ".throughput..",
            CORE + ".retry..",
            CORE + ".cql..",
            CORE + ".config..",
            CORE + ".metrics..",
            CORE + ".compat..")
        .check(core);
  }

  @Test
  void theCosmosLayersKnowNeitherTheSparkCassandraConnectorNorSparksPlanner() {
    noClasses()
        .that()
        .resideInAnyPackage(COSMOS_LAYERS)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "com.datastax.spark.connector..",
            "org.apache.spark.sql",
            "org.apache.spark.sql.cassandra..",
            "org.apache.spark.sql.catalyst..",
            "org.apache.spark.sql.execution..",
            "org.apache.spark.sql.internal..",
            "org.apache.spark.sql.sources..",
            "org.apache.spark.sql.types..",
            "org.apache.spark.sql.connector.catalog..",
            "org.apache.spark.sql.connector.read..",
            "org.apache.spark.sql.connector.write..")
        .check(core);
  }
}

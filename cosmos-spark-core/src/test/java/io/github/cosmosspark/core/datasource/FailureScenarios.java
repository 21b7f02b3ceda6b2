package io.github.cosmosspark.core.datasource;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.CosmosEmulatorMain;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run by {@link SecretsAfterFailuresTest} in a JVM of its own with DEBUG logging everywhere, the
 * Spark UI and an event log: the failures of the reliability suite, each small, against an emulator
 * whose read-write key comes from the environment ({@code SCENARIO_KEY}) and is set the way a
 * cluster sets it. Prints a line per scenario with its outcome, every exception in full, the plans,
 * then saves the UI's pages and stops Spark so the event log is complete.
 *
 * <p>Arguments: output directory, a file outside it for the emulator's read-only key (the test
 * looks for that key too).
 */
public final class FailureScenarios {
  private static final String KEYSPACE = "secrets_failures";

  public static void main(String[] args) throws Exception {
    Path out = Paths.get(args[0]);
    String key = System.getenv("SCENARIO_KEY");
    Files.createDirectories(out.resolve("events"));
    try (CassandraServer server =
            CassandraServer.builder()
                .yaml("commitlog_sync", "batch")
                .yaml("commitlog_sync_period", "0ms")
                .build()
                .start();
        CosmosEmulator emulator = CosmosEmulator.builder(server).key(key).build().start()) {
      Files.write(Paths.get(args[1]), emulator.readOnlyKey().getBytes(StandardCharsets.UTF_8));
      // As spark-submit --conf and a cluster's Spark config deliver settings.
      CosmosEmulatorMain.connectionSettings(emulator)
          .forEach((name, value) -> System.setProperty((String) name, (String) value));
      SparkSession spark =
          SecretsScenario.sparkWithUiAndEventLog("failure-scenarios", out.resolve("events"));
      try (CqlSession session = emulator.newSession()) {
        session.execute(
            "CREATE KEYSPACE " + KEYSPACE + " WITH cosmosdb_provisioned_throughput=400");
        for (String table : new String[] {"storm", "killed", "dropped"}) {
          session.execute(
              "CREATE TABLE "
                  + KEYSPACE
                  + "."
                  + table
                  + " (id int PRIMARY KEY, title text) WITH cosmosdb_provisioned_throughput="
                  + (table.equals("storm") ? 1_000 : 1_000_000));
        }
      }

      Dataset<Row> rows =
          spark.range(4_000).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");

      writer(rows.limit(1_000), "storm").option("throughput.control", "false").save();
      System.out.println("STORM ROWS: " + reader(spark, "storm").load().count());

      AtomicBoolean killed = new AtomicBoolean();
      ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
      watcher.scheduleWithFixedDelay(
          () -> {
            long requests =
                emulator.statistics(KEYSPACE + ".killed").map(s -> s.requests()).orElse(0L);
            if (requests >= 1_000 && killed.compareAndSet(false, true)) {
              server.kill();
              server.start();
            }
          },
          0,
          2,
          TimeUnit.MILLISECONDS);
      writer(rows, "killed").save();
      watcher.shutdownNow();
      System.out.println(
          "KILLED WRITE: killed "
              + killed.get()
              + ", rows "
              + reader(spark, "killed").load().count());

      writer(rows, "dropped").save();
      emulator.resetStatistics();
      ScheduledExecutorService dropper = Executors.newSingleThreadScheduledExecutor();
      AtomicBoolean dropped = new AtomicBoolean();
      dropper.scheduleWithFixedDelay(
          () -> {
            long requests =
                emulator.statistics(KEYSPACE + ".dropped").map(s -> s.requests()).orElse(0L);
            if (requests >= 20 && dropped.compareAndSet(false, true)) {
              emulator.dropAllConnections();
            }
          },
          0,
          2,
          TimeUnit.MILLISECONDS);
      long droppedScan =
          reader(spark, "dropped")
              .option("spark.cassandra.input.fetch.sizeInRows", "20")
              .load()
              .collectAsList()
              .size();
      dropper.shutdownNow();
      System.out.println("DROPPED SCAN: dropped " + dropped.get() + ", rows " + droppedScan);

      emulator.injectLatency(Duration.ofMillis(1_500));
      expectFailure(
          "LATENCY",
          () ->
              reader(spark, "dropped")
                  .option("spark.cassandra.read.timeoutMS", "1000")
                  .option("retry.timeoutRetries", "0")
                  .load()
                  .count());
      emulator.clearFaults();

      expectFailure(
          "READ-ONLY KEY",
          () -> writer(rows.limit(10), "storm").option("password", emulator.readOnlyKey()).save());
      expectFailure(
          "WRONG KEY", () -> reader(spark, "storm").option("password", key + "x").load().count());
      expectFailure("MISSING TABLE", () -> reader(spark, "nope").load().count());
      Path otherCa = out.resolve("other-ca.p12");
      TestCertificateAuthority.create("a CA the emulator does not use")
          .writeTruststore(otherCa, "changeit".toCharArray());
      expectFailure(
          "UNTRUSTED CERTIFICATE",
          () ->
              reader(spark, "storm")
                  .option("tls.truststore.path", otherCa.toString())
                  .option("tls.truststore.password", "changeit")
                  .load()
                  .count());

      Dataset<Row> filtered =
          reader(spark, "storm").option("password", key).load().filter("id = 7");
      System.out.println("FILTERED ROWS: " + filtered.collectAsList().size());
      filtered.explain(true);
      System.out.println(filtered.queryExecution().toString());

      String ui = spark.sparkContext().uiWebUrl().get();
      SecretsScenario.save(ui + "/environment/", out.resolve("ui-environment.html"));
      SecretsScenario.save(ui + "/jobs/", out.resolve("ui-jobs.html"));
      SecretsScenario.save(ui + "/SQL/", out.resolve("ui-sql.html"));
      for (int id = 0; id < 20; id++) {
        SecretsScenario.save(
            ui + "/SQL/execution/?id=" + id, out.resolve("ui-sql-execution-" + id + ".html"));
      }
      spark.stop();
    }
    System.out.println("SCENARIOS DONE");
  }

  private static DataFrameWriter<Row> writer(Dataset<Row> rows, String table) {
    return rows.write()
        .format("cosmoscassandra")
        .option("keyspace", KEYSPACE)
        .option("table", table)
        .mode("append");
  }

  private static DataFrameReader reader(SparkSession spark, String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .option("keyspace", KEYSPACE)
        .option("table", table);
  }

  private static void expectFailure(String scenario, Runnable action) {
    try {
      action.run();
      System.out.println(scenario + ": NO FAILURE");
    } catch (Exception expected) {
      System.out.println(scenario + ": FAILED AS EXPECTED");
      expected.printStackTrace(System.out);
    }
  }
}

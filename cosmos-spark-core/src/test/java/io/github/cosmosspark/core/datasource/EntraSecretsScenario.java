package io.github.cosmosspark.core.datasource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run by {@link SecretsNeverLeakTest} in a JVM of its own, with the UI, an event log and DEBUG
 * logging everywhere (azure-identity's and MSAL's loggers included): a service principal's secret
 * in the Spark configuration, as a Databricks secret scope puts it there, and as a read option; a
 * write, a read, a plan, a SQL view, and a login Entra refuses.
 *
 * <p>Arguments: output directory, host, port, keyspace, trust store path, Entra authority host,
 * tenant id, client id, account. Secrets come in the environment: {@code SCENARIO_CLIENT_SECRET},
 * {@code SCENARIO_STORE_PASSWORD}.
 */
public final class EntraSecretsScenario {

  public static void main(String[] args) throws Exception {
    Path out = Paths.get(args[0]);
    String host = args[1];
    String port = args[2];
    String keyspace = args[3];
    String secret = System.getenv("SCENARIO_CLIENT_SECRET");
    String storePassword = System.getenv("SCENARIO_STORE_PASSWORD");

    Files.createDirectories(out.resolve("events"));
    // As a cluster's Spark config delivers settings (see SecretsScenario).
    System.setProperty("spark.cosmos.cassandra.account", args[8]);
    System.setProperty("spark.cosmos.cassandra.host", host);
    System.setProperty("spark.cosmos.cassandra.port", port);
    System.setProperty("spark.cosmos.cassandra.tls.truststore.path", args[4]);
    System.setProperty("spark.cosmos.cassandra.tls.truststore.type", "PKCS12");
    System.setProperty("spark.cosmos.cassandra.tls.truststore.password", storePassword);
    System.setProperty("spark.cosmos.cassandra.auth.type", "entra");
    System.setProperty("spark.cosmos.cassandra.auth.entra.authorityHost", args[5]);
    System.setProperty("spark.cosmos.cassandra.auth.entra.tenantId", args[6]);
    System.setProperty("spark.cosmos.cassandra.auth.entra.clientId", args[7]);
    System.setProperty("spark.cosmos.cassandra.auth.entra.clientSecret", secret);
    SparkSession spark =
        SecretsScenario.sparkWithUiAndEventLog("entra-secrets-scenario", out.resolve("events"));
    SecretsScenario.UiIds ui = SecretsScenario.UiIds.watch(spark);

    Dataset<Row> rows =
        spark.range(100).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");
    rows.write()
        .format("cosmoscassandra")
        .option("keyspace", keyspace)
        .option("table", "books")
        .mode("append")
        .save();
    // The secret as a read option too, as dbutils.secrets.get(...) in a notebook passes it.
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .option("auth.entra.clientSecret", secret)
            .option("keyspace", keyspace)
            .option("table", "books")
            .load();
    System.out.println("ROWS READ: " + read.collectAsList().size());
    read.explain(true);
    System.out.println(read.queryExecution().toString());
    read.createOrReplaceTempView("books_view");
    System.out.println("SQL COUNT: " + spark.sql("SELECT count(*) FROM books_view").first());

    try {
      spark
          .read()
          .format("cosmoscassandra")
          .option("auth.entra.clientSecret", secret + "-but-wrong")
          .option("keyspace", keyspace)
          .option("table", "books")
          .load()
          .count();
    } catch (Exception expected) {
      expected.printStackTrace(System.out);
    }

    System.out.println("UI PAGES: " + SecretsScenario.saveUiPages(spark, ui, out));
    spark.stop();
    System.out.println("SCENARIO DONE");
  }
}

package io.github.cosmosspark.core.datasource;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run by {@link SecretsNeverLeakTest} in a JVM of its own, so that it can have the UI, an event log
 * and DEBUG logging everywhere: does what a user does with a key (session-level and per-read),
 * including a failing login, then saves the UI's Environment and SQL pages and stops Spark so the
 * event log is complete.
 *
 * <p>Arguments: output directory, host, port, keyspace, trust store path. Secrets come in the
 * environment: {@code SCENARIO_PASSWORD}, {@code SCENARIO_STORE_PASSWORD}.
 */
public final class SecretsScenario {

  public static void main(String[] args) throws Exception {
    Path out = Paths.get(args[0]);
    String host = args[1];
    String port = args[2];
    String keyspace = args[3];
    String truststore = args[4];
    String password = System.getenv("SCENARIO_PASSWORD");
    String storePassword = System.getenv("SCENARIO_STORE_PASSWORD");

    Files.createDirectories(out.resolve("events"));
    // As spark-submit --conf and a cluster's Spark config deliver settings: system properties,
    // which become the SparkConf. Not SparkSession.builder().config(): Spark 3.5 logs builder
    // options unredacted at DEBUG (SharedState), whatever the key.
    System.setProperty("spark.cosmos.cassandra.account", "cassandra");
    System.setProperty("spark.cosmos.cassandra.password", password);
    System.setProperty("spark.cosmos.cassandra.tls.truststore.path", truststore);
    System.setProperty("spark.cosmos.cassandra.tls.truststore.type", "PKCS12");
    SparkSession spark = sparkWithUiAndEventLog("secrets-scenario", out.resolve("events"));

    Dataset<Row> rows =
        spark.range(100).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");
    rows.write()
        .format("cosmoscassandra")
        .option("tls.truststore.password", storePassword)
        .option("host", host)
        .option("port", port)
        .option("keyspace", keyspace)
        .option("table", "books")
        .mode("append")
        .save();

    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .option("password", password)
            .option("tls.truststore.password", storePassword)
            .option("host", host)
            .option("port", port)
            .option("keyspace", keyspace)
            .option("table", "books")
            .load()
            .filter("id = 7");
    System.out.println("ROWS READ: " + read.collectAsList().size());
    read.explain(true);
    System.out.println(read.queryExecution().toString());
    read.createOrReplaceTempView("books_view");
    System.out.println("SQL COUNT: " + spark.sql("SELECT count(*) FROM books_view").first());

    try {
      spark
          .read()
          .format("cosmoscassandra")
          .option("password", password + "-but-wrong")
          .option("tls.truststore.password", storePassword)
          .option("host", host)
          .option("port", port)
          .option("keyspace", keyspace)
          .option("table", "books")
          .load()
          .count();
    } catch (Exception expected) {
      expected.printStackTrace(System.out);
    }

    String ui = spark.sparkContext().uiWebUrl().get();
    save(ui + "/environment/", out.resolve("ui-environment.html"));
    save(ui + "/SQL/", out.resolve("ui-sql.html"));
    for (int id = 0; id < 8; id++) {
      save(ui + "/SQL/execution/?id=" + id, out.resolve("ui-sql-execution-" + id + ".html"));
    }
    spark.stop();
    System.out.println("SCENARIO DONE");
  }

  /** local[2] with the UI on a free port and an event log in {@code events}. */
  static SparkSession sparkWithUiAndEventLog(String name, Path events) {
    return SparkSession.builder()
        .master("local[2]")
        .appName(name)
        .config("spark.ui.enabled", "true")
        .config("spark.ui.port", "0")
        .config("spark.eventLog.enabled", "true")
        .config("spark.eventLog.dir", events.toUri().toString())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }

  static void save(String address, Path file) throws Exception {
    HttpURLConnection connection = (HttpURLConnection) new URL(address).openConnection();
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(30_000);
    if (connection.getResponseCode() != 200) {
      Files.write(file, ("HTTP " + connection.getResponseCode()).getBytes(StandardCharsets.UTF_8));
      return;
    }
    try (InputStream in = connection.getInputStream()) {
      Files.copy(in, file);
    }
  }
}

package io.github.cosmosspark.core.datasource;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;

/**
 * Run by {@link SecretsNeverLeakTest} in a JVM of its own, so that it can have the UI, an event log
 * and DEBUG logging everywhere: does what a user does with a key (session-level and per-read; named
 * by an environment variable for a catalog set up in {@code SparkSession.builder()}; in a file for
 * a read and a write), including a failing login and key sources that are missing, then saves the
 * UI's pages and stops Spark so the event log is complete.
 *
 * <p>Arguments: output directory, host, port, keyspace, trust store path, a file holding the key, a
 * file holding a wrong key. Secrets come in the environment: {@code SCENARIO_PASSWORD}, {@code
 * SCENARIO_STORE_PASSWORD}; {@code SCENARIO_KEY} holds the key for {@code passwordEnv}.
 */
public final class SecretsScenario {

  public static void main(String[] args) throws Exception {
    Path out = Paths.get(args[0]);
    String host = args[1];
    String port = args[2];
    String keyspace = args[3];
    String truststore = args[4];
    String keyFile = args[5];
    String wrongKeyFile = args[6];
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
    System.setProperty("spark.sql.catalog.cosmos.tls.truststore.password", storePassword);
    // A standalone application's catalog: the key's source is named in the builder, which is
    // safe because the option holds only the variable's name. It replaces the configuration's
    // password for the catalog (a more specific level).
    Map<String, String> builderSettings = new LinkedHashMap<>();
    builderSettings.put(
        "spark.sql.catalog.cosmos", "io.github.cosmosspark.core.catalog.CosmosCassandraCatalog");
    builderSettings.put("spark.sql.catalog.cosmos.host", host);
    builderSettings.put("spark.sql.catalog.cosmos.port", port);
    builderSettings.put("spark.sql.catalog.cosmos.passwordEnv", "SCENARIO_KEY");
    SparkSession spark =
        sparkWithUiAndEventLog("secrets-scenario", out.resolve("events"), builderSettings);
    UiIds ui = UiIds.watch(spark);

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

    System.out.println(
        "CATALOG COUNT: "
            + spark.sql("SELECT count(*) FROM cosmos." + keyspace + ".books").first().getLong(0));
    spark
        .sql(
            "INSERT INTO cosmos."
                + keyspace
                + ".books (id, title) VALUES (1000, 'from the catalog')")
        .collect();

    rows.limit(10)
        .selectExpr("id + 2000 AS id", "title")
        .write()
        .format("cosmoscassandra")
        .option("passwordFile", keyFile)
        .option("tls.truststore.password", storePassword)
        .option("host", host)
        .option("port", port)
        .option("keyspace", keyspace)
        .option("table", "books")
        .mode("append")
        .save();
    System.out.println(
        "FILE KEY COUNT: "
            + spark
                .read()
                .format("cosmoscassandra")
                .option("passwordFile", keyFile)
                .option("tls.truststore.password", storePassword)
                .option("host", host)
                .option("port", port)
                .option("keyspace", keyspace)
                .option("table", "books")
                .load()
                .count());

    for (String[] source :
        new String[][] {
          {"passwordFile", wrongKeyFile},
          {"passwordFile", out.resolve("no-such.key").toString()},
          {"passwordEnv", "SCENARIO_UNSET_VARIABLE"}
        }) {
      try {
        spark
            .read()
            .format("cosmoscassandra")
            .option(source[0], source[1])
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
    }

    System.out.println("UI PAGES: " + saveUiPages(spark, ui, out));
    spark.stop();
    System.out.println("SCENARIO DONE");
  }

  /** local[2] with the UI on a free port and an event log in {@code events}. */
  static SparkSession sparkWithUiAndEventLog(String name, Path events) {
    return sparkWithUiAndEventLog(name, events, new LinkedHashMap<>());
  }

  /** The same, with {@code settings} given to the builder too. None may be a secret. */
  static SparkSession sparkWithUiAndEventLog(
      String name, Path events, Map<String, String> settings) {
    SparkSession.Builder builder = SparkSession.builder();
    settings.forEach(builder::config);
    return builder
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

  /**
   * Saves the UI's pages as {@code ui-*} files in {@code out}: Environment, Jobs, Stages, Executors
   * and SQL, the page of every job and SQL execution {@code ids} saw and of every failed stage
   * attempt, and the REST API's JSON that the script-rendered parts (task tables, executors) are
   * drawn from. Waits for the listeners first, so that the pages show every event. Returns how many
   * it saved, each with HTTP 200.
   */
  static int saveUiPages(SparkSession spark, UiIds ids, Path out) throws Exception {
    spark.sparkContext().listenerBus().waitUntilEmpty(60_000L);
    String ui = spark.sparkContext().uiWebUrl().get();
    String api = ui + "/api/v1/applications/" + spark.sparkContext().applicationId();
    Map<String, String> pages = new LinkedHashMap<>();
    pages.put("ui-environment.html", ui + "/environment/");
    pages.put("ui-api-environment.json", api + "/environment");
    pages.put("ui-jobs.html", ui + "/jobs/");
    pages.put("ui-stages.html", ui + "/stages/");
    pages.put("ui-executors.html", ui + "/executors/");
    pages.put("ui-api-allexecutors.json", api + "/allexecutors");
    pages.put("ui-sql.html", ui + "/SQL/");
    for (long id : ids.executions) {
      pages.put("ui-sql-execution-" + id + ".html", ui + "/SQL/execution/?id=" + id);
    }
    for (int id : ids.jobs) {
      pages.put("ui-job-" + id + ".html", ui + "/jobs/job/?id=" + id);
    }
    for (List<Integer> stage : ids.failedStages) {
      int id = stage.get(0);
      int attempt = stage.get(1);
      pages.put(
          "ui-stage-" + id + "-" + attempt + ".html",
          ui + "/stages/stage/?id=" + id + "&attempt=" + attempt);
      pages.put(
          "ui-api-stage-" + id + "-" + attempt + ".json",
          api + "/stages/" + id + "/" + attempt + "?details=true");
    }
    for (Map.Entry<String, String> page : pages.entrySet()) {
      save(page.getValue(), out.resolve(page.getKey()));
    }
    return pages.size();
  }

  /** Fails on any answer but 200: a page that is missing cannot be searched for a key. */
  private static void save(String address, Path file) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(address).openConnection();
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(30_000);
    int status = connection.getResponseCode();
    if (status != 200) {
      throw new IOException("The Spark UI answered HTTP " + status + " for " + address);
    }
    try (InputStream in = connection.getInputStream()) {
      Files.copy(in, file);
    }
  }

  /**
   * The jobs, failed stage attempts and SQL executions of the application, as its listeners see
   * them: the ids whose UI pages exist (a page for an id that does not exist is answered with 200
   * and "No information to display", which would prove nothing).
   */
  static final class UiIds extends SparkListener {
    final Set<Integer> jobs = new ConcurrentSkipListSet<>();
    final Set<Long> executions = new ConcurrentSkipListSet<>();

    /** Stage id and attempt number. */
    final Set<List<Integer>> failedStages = ConcurrentHashMap.newKeySet();

    static UiIds watch(SparkSession spark) {
      UiIds ids = new UiIds();
      spark.sparkContext().addSparkListener(ids);
      return ids;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      jobs.add(start.jobId());
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted completed) {
      StageInfo stage = completed.stageInfo();
      if (stage.failureReason().isDefined()) {
        failedStages.add(Arrays.asList(stage.stageId(), stage.attemptNumber()));
      }
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
      if (event instanceof SparkListenerSQLExecutionStart) {
        executions.add(((SparkListenerSQLExecutionStart) event).executionId());
      }
    }
  }
}

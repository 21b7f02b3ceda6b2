package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.core.errors.CosmosConnectionException;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run by {@link ManagedIdentityLoginTest} in a JVM of its own, whose environment has App Service's
 * managed identity variables ({@code IDENTITY_ENDPOINT}, {@code IDENTITY_HEADER}): azure-identity
 * reads them once per JVM, so they cannot be set in the test's.
 *
 * <p>Writes 1,000 rows and reads them back as the system-assigned identity, then as a user-assigned
 * one, then tries a client id the machine has no identity for; prints what it counted and the
 * refusal.
 *
 * <p>Arguments: host, port, account, keyspace, trust store path, user-assigned client id, unknown
 * client id. The trust store's password comes in {@code SCENARIO_STORE_PASSWORD}.
 */
public final class ManagedIdentityScenario {

  public static void main(String[] args) {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("managed-identity-scenario")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    Map<String, String> connection = new HashMap<>();
    connection.put("host", args[0]);
    connection.put("port", args[1]);
    connection.put("account", args[2]);
    connection.put("keyspace", args[3]);
    connection.put("tls.truststore.path", args[4]);
    connection.put("tls.truststore.type", "PKCS12");
    connection.put("tls.truststore.password", System.getenv("SCENARIO_STORE_PASSWORD"));
    connection.put("auth.type", "entra");
    connection.put("auth.entra.credential", "managedIdentity");

    writeAndRead(spark, connection, "system_assigned", null, "system-");
    writeAndRead(spark, connection, "user_assigned", args[5], "user-");

    Map<String, String> unknown = options(connection, "refused", args[6]);
    try {
      long rows = spark.read().format("cosmoscassandra").options(unknown).load().count();
      System.out.println("UNKNOWN CLIENT ID NOT REFUSED: " + rows);
    } catch (Exception e) {
      CosmosConnectionException refusal = find(e);
      System.out.println(
          "REFUSED: "
              + (refusal == null
                  ? e.getClass().getName() + ": " + e.getMessage()
                  : refusal.getMessage()));
    }
    spark.stop();
    System.out.println("SCENARIO DONE");
  }

  private static void writeAndRead(
      SparkSession spark,
      Map<String, String> connection,
      String table,
      String clientId,
      String prefix) {
    Map<String, String> options = options(connection, table, clientId);
    Dataset<Row> rows =
        spark
            .range(1_000)
            .selectExpr("CAST(id AS INT) AS id", "CONCAT('" + prefix + "', id) AS title");
    rows.write().format("cosmoscassandra").options(options).mode("append").save();
    long read = spark.read().format("cosmoscassandra").options(options).load().count();
    System.out.println("READ " + table + ": " + read);
  }

  private static Map<String, String> options(
      Map<String, String> connection, String table, String clientId) {
    Map<String, String> options = new HashMap<>(connection);
    options.put("table", table);
    if (clientId != null) {
      options.put("auth.entra.clientId", clientId);
    }
    return options;
  }

  private static CosmosConnectionException find(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CosmosConnectionException) {
        return (CosmosConnectionException) cause;
      }
    }
    return null;
  }
}

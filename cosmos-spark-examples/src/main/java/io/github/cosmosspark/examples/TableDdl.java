package io.github.cosmosspark.examples;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * Keyspace and table DDL with Cosmos's throughput options, run through cosmos-spark's connection
 * (TLS, retries) with the Spark Cassandra Connector's {@code CassandraConnector}: a table with its
 * own RU/s, its throughput and default TTL changed, a keyspace whose tables share its RU/s, and
 * dropping both.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=TableDdl package}
 */
public final class TableDdl {
  static final String TABLE = "orders";
  static final int CREATED_RU_PER_SECOND = 400;
  static final int ALTERED_RU_PER_SECOND = 1000;
  static final int DEFAULT_TTL_SECONDS = 30 * 24 * 3600;

  private TableDdl() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(account, arguments.keyspace());
    }
  }

  /** The keyspace with shared throughput this example creates and drops. */
  static String sharedKeyspace(String keyspace) {
    return keyspace + "_shared";
  }

  static void run(ExampleAccount account, String keyspace) {
    System.out.println("Table DDL against " + account.describe());
    String table = keyspace + "." + TABLE;

    System.out.println("A table with its own throughput:");
    account.execute(
        Keyspaces.createIfMissing(keyspace),
        "DROP TABLE IF EXISTS " + table,
        "CREATE TABLE "
            + table
            + " (customer text, order_id timeuuid, total decimal, status text,"
            + " PRIMARY KEY (customer, order_id))"
            + " WITH cosmosdb_provisioned_throughput="
            + CREATED_RU_PER_SECOND);

    System.out.println("Its throughput raised, and rows made to expire after 30 days by default:");
    // Cosmos reads the throughput option only; one statement each keeps that unambiguous.
    account.execute(
        "ALTER TABLE " + table + " WITH cosmosdb_provisioned_throughput=" + ALTERED_RU_PER_SECOND,
        "ALTER TABLE " + table + " WITH default_time_to_live=" + DEFAULT_TTL_SECONDS);
    try (CqlSession session = account.connector().openSession()) {
      Row options =
          session
              .execute(
                  "SELECT default_time_to_live FROM system_schema.tables"
                      + " WHERE keyspace_name = ? AND table_name = ?",
                  keyspace,
                  TABLE)
              .one();
      System.out.printf(
          "  %s: default_time_to_live = %d s. Cosmos has no CQL query for a table's throughput;"
              + " the portal shows it.%n",
          table, options.getInt("default_time_to_live"));
    }

    String shared = sharedKeyspace(keyspace);
    System.out.println("A keyspace whose tables share its throughput, then dropped:");
    account.execute(
        "DROP KEYSPACE IF EXISTS " + shared,
        "CREATE KEYSPACE "
            + shared
            + " WITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1}"
            + " AND cosmosdb_provisioned_throughput=400",
        "CREATE TABLE " + shared + ".scratch (id int PRIMARY KEY, note text)",
        "DROP TABLE " + shared + ".scratch",
        "DROP KEYSPACE " + shared);
    System.out.printf(
        "Left %s (%d RU/s, default TTL %d s) in place; drop it with DROP TABLE %s.%n",
        table, ALTERED_RU_PER_SECOND, DEFAULT_TTL_SECONDS, table);
  }
}

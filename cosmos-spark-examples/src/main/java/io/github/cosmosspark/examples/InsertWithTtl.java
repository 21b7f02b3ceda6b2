package io.github.cosmosspark.examples;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Inserts a DataFrame's rows that expire after a day ({@code ttl}) at a chosen consistency level
 * ({@code spark.cassandra.output.consistency.level}), then shows each row's remaining time to live.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=InsertWithTtl package}
 */
public final class InsertWithTtl {
  static final String TABLE = "new_releases";
  static final int TTL_SECONDS = 24 * 3600;
  static final String CONSISTENCY = "LOCAL_QUORUM";

  private InsertWithTtl() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(ExampleAccount.spark("InsertWithTtl"), account, arguments.keyspace());
    }
  }

  static void run(SparkSession spark, ExampleAccount account, String keyspace) {
    System.out.println("Insert with TTL and consistency against " + account.describe());
    Books.createTable(account, keyspace, TABLE, 400);

    Books.dataFrame(spark)
        .write()
        .format("cosmoscassandra")
        .options(account.options(keyspace, TABLE))
        // Per-row expiry in seconds; the connector's ttl option, as with plain SCC.
        .option("ttl", Integer.toString(TTL_SECONDS))
        // Cosmos maps Cassandra's levels onto the account's consistency; see the README.
        .option("spark.cassandra.output.consistency.level", CONSISTENCY)
        .mode("append")
        .save();
    System.out.printf(
        "Inserted %d rows into %s.%s with ttl=%d s at %s.%n",
        Books.ROWS.size(), keyspace, TABLE, TTL_SECONDS, CONSISTENCY);

    try (CqlSession session = account.connector().openSession()) {
      for (Row row :
          session.execute("SELECT book_id, TTL(title) AS ttl FROM " + keyspace + "." + TABLE)) {
        System.out.printf("  %s expires in %,d s%n", row.getString("book_id"), row.getInt("ttl"));
      }
    }
  }
}

package io.github.cosmosspark.examples;

import com.datastax.spark.connector.PrimaryKeyColumns$;
import com.datastax.spark.connector.japi.CassandraJavaUtil;
import com.datastax.spark.connector.writer.SqlRowWriter;
import com.datastax.spark.connector.writer.WriteConf;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Deletes the rows a DataFrame selects, in parallel from the executors, with the Spark Cassandra
 * Connector's {@code deleteFromCassandra} on cosmos-spark's connection: one {@code DELETE} per row
 * by its primary key, resent after 429s like every other request. No hand-written CQL, no loop on
 * the driver.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=DeleteRows package}, with
 * {@code -Dexample.args="rows=100000"} for more rows (20,000 by default).
 */
public final class DeleteRows {
  static final String TABLE = "readings";
  static final int DEFAULT_ROWS = 20_000;
  static final int SENSORS = 50;
  static final int RU_PER_SECOND = 4_000;

  /** Which rows to delete: a condition on a regular column, so it needs a read to find them. */
  static final String SELECTED = "value < 0";

  private DeleteRows() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(
          ExampleAccount.spark("DeleteRows"),
          account,
          arguments.keyspace(),
          arguments.integer("rows", DEFAULT_ROWS));
    }
  }

  /**
   * The readings the example writes first: {@code rows} rows over {@value #SENSORS} sensors, about
   * a fifth with a negative value.
   */
  static Dataset<Row> readings(SparkSession spark, int rows) {
    return spark
        .range(rows)
        .selectExpr(
            "CAST(id % " + SENSORS + " AS INT) AS sensor_id",
            "CAST(id DIV " + SENSORS + " AS INT) AS reading_id",
            "CAST((id * 37) % 1000 AS DOUBLE) / 10 - 20 AS value");
  }

  static void run(SparkSession spark, ExampleAccount account, String keyspace, int rows) {
    System.out.println("Deleting selected rows against " + account.describe());
    String table = keyspace + "." + TABLE;
    account.execute(
        Keyspaces.createIfMissing(keyspace),
        "DROP TABLE IF EXISTS " + table,
        "CREATE TABLE "
            + table
            + " (sensor_id int, reading_id int, value double, PRIMARY KEY (sensor_id, reading_id))"
            + " WITH cosmosdb_provisioned_throughput="
            + RU_PER_SECOND);
    readings(spark, rows)
        .write()
        .format("cosmoscassandra")
        .options(account.options(keyspace, TABLE))
        .mode("append")
        .save();
    System.out.printf("Wrote %,d readings into %s.%n", rows, table);

    Dataset<Row> doomed =
        spark
            .read()
            .format("cosmoscassandra")
            .options(account.options(keyspace, TABLE))
            .load()
            .filter(SELECTED)
            // Exactly the primary key, in the table's key order: what the delete binds.
            .select("sensor_id", "reading_id")
            .cache();
    long selected = doomed.count();
    System.out.printf("Selected %,d rows where %s; deleting them...%n", selected, SELECTED);

    SparkConf connection = account.connectorConf();
    long started = System.nanoTime();
    CassandraJavaUtil.javaFunctions(doomed.javaRDD())
        .deleteFromCassandra(
            keyspace,
            TABLE,
            SqlRowWriter.Factory$.MODULE$,
            CassandraJavaUtil.someColumns(), // no columns named: delete whole rows
            PrimaryKeyColumns$.MODULE$, // matched on the full primary key
            WriteConf.fromSparkConf(connection),
            account.connector());
    double seconds = (System.nanoTime() - started) / 1e9;
    doomed.unpersist();

    long left =
        spark
            .read()
            .format("cosmoscassandra")
            .options(account.options(keyspace, TABLE))
            .load()
            .count();
    System.out.printf(
        "Deleted %,d rows in %.1f s (%,.0f rows/s); %,d of %,d rows are left.%n",
        selected, seconds, selected / seconds, left, rows);
  }
}

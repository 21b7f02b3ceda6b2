package io.github.cosmosspark.examples;

import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.throughput.RequestUnitStatistics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Creates a table, writes a few rows with {@code format("cosmoscassandra")}, reads them back and
 * prints them with the request units each step cost.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=QuickStart package}
 */
public final class QuickStart {
  static final String TABLE = "books";

  private QuickStart() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(ExampleAccount.spark("QuickStart"), account, arguments.keyspace());
    }
  }

  /** What the writes and the read cost. */
  static final class Result {
    final double writeRequestUnits;
    final double readRequestUnits;
    final long rowsRead;

    Result(double writeRequestUnits, double readRequestUnits, long rowsRead) {
      this.writeRequestUnits = writeRequestUnits;
      this.readRequestUnits = readRequestUnits;
      this.rowsRead = rowsRead;
    }
  }

  static Result run(SparkSession spark, ExampleAccount account, String keyspace) {
    System.out.println("Quick start against " + account.describe());
    String table = keyspace + "." + TABLE;
    Books.createTable(account, keyspace, TABLE, 400);

    RequestUnitStatistics.Snapshot start = CosmosRuntime.get().requestUnits().of(table);
    Books.dataFrame(spark)
        .write()
        .format("cosmoscassandra")
        .options(account.options(keyspace, TABLE))
        .mode("append")
        .save();
    RequestUnitStatistics.Snapshot written = CosmosRuntime.get().requestUnits().of(table);

    Dataset<Row> books =
        spark.read().format("cosmoscassandra").options(account.options(keyspace, TABLE)).load();
    // Cosmos returns rows in its own (token) order.
    Dataset<Row> sorted =
        books.select("book_id", "author", "title", "published", "price").orderBy("book_id").cache();
    long rowsRead = sorted.count();
    RequestUnitStatistics.Snapshot read = CosmosRuntime.get().requestUnits().of(table);
    sorted.show(false);

    double writeRu = written.minus(start).requestUnits();
    double readRu = read.minus(written).requestUnits();
    System.out.printf(
        "Wrote %d rows into %s for %.2f RU, read %d back for %.2f RU.%n",
        Books.ROWS.size(), table, writeRu, rowsRead, readRu);
    sorted.unpersist();
    return new Result(writeRu, readRu, rowsRead);
  }
}

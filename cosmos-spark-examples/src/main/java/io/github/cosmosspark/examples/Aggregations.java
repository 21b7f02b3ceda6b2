package io.github.cosmosspark.examples;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Count, average, minimum, maximum, sum and the top N of a table, computed by Spark over one read:
 * Cosmos serves rows, Spark aggregates them. The same again in Spark SQL.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=Aggregations package}
 */
public final class Aggregations {
  static final String TABLE = "shelf";
  static final int TOP = 3;

  private Aggregations() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(ExampleAccount.spark("Aggregations"), account, arguments.keyspace());
    }
  }

  /** The figures, as Spark returned them. */
  static final class Result {
    final long count;
    final Row priceStatistics;
    final List<Row> mostExpensive;
    final Row sqlStatistics;

    Result(long count, Row priceStatistics, List<Row> mostExpensive, Row sqlStatistics) {
      this.count = count;
      this.priceStatistics = priceStatistics;
      this.mostExpensive = mostExpensive;
      this.sqlStatistics = sqlStatistics;
    }
  }

  static Result run(SparkSession spark, ExampleAccount account, String keyspace) {
    System.out.println("Aggregations against " + account.describe());
    Books.createAndFill(spark, account, keyspace, TABLE);
    // One read, kept for the several aggregations below.
    Dataset<Row> books =
        spark
            .read()
            .format("cosmoscassandra")
            .options(account.options(keyspace, TABLE))
            .load()
            .cache();

    long count = books.count();
    System.out.printf("count: %d books%n", count);

    Dataset<Row> prices =
        books.agg(
            avg("price").alias("avg_price"),
            min("price").alias("min_price"),
            max("price").alias("max_price"),
            sum("price").alias("sum_price"));
    prices.show(false);

    Dataset<Row> top =
        books
            .orderBy(col("price").desc(), col("book_id"))
            .select("book_id", "title", "price")
            .limit(TOP);
    System.out.printf("top %d by price:%n", TOP);
    top.show(false);

    books.createOrReplaceTempView("shelf_view");
    Dataset<Row> sql =
        spark.sql(
            "SELECT COUNT(*) AS books, ROUND(AVG(price), 2) AS avg_price, MIN(published) AS oldest,"
                + " MAX(published) AS newest, ROUND(SUM(price), 2) AS total FROM shelf_view");
    System.out.println("the same in Spark SQL:");
    sql.show(false);
    books
        .groupBy("author")
        .agg(count("*").alias("books"))
        .orderBy(col("books").desc(), col("author"))
        .show(false);

    Result result = new Result(count, prices.first(), top.collectAsList(), sql.first());
    books.unpersist();
    return result;
  }
}

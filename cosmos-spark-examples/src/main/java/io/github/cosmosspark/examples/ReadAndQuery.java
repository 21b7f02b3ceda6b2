package io.github.cosmosspark.examples;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a table four ways: whole; filtered on its key, which the connector turns into a CQL {@code
 * WHERE} (the plan shows it); only some columns, which are all the connector asks for; and through
 * a temporary view with Spark SQL.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=ReadAndQuery package}
 */
public final class ReadAndQuery {
  static final String TABLE = "library";
  static final String LOOKED_UP = "b004";

  private ReadAndQuery() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(ExampleAccount.spark("ReadAndQuery"), account, arguments.keyspace());
    }
  }

  /** What each read returned. */
  static final class Result {
    final long allRows;
    final List<Row> byKey;
    final String byKeyPlan;
    final List<Row> titlesAndAuthors;
    final List<Row> booksPerAuthor;

    Result(
        long allRows,
        List<Row> byKey,
        String byKeyPlan,
        List<Row> titlesAndAuthors,
        List<Row> booksPerAuthor) {
      this.allRows = allRows;
      this.byKey = byKey;
      this.byKeyPlan = byKeyPlan;
      this.titlesAndAuthors = titlesAndAuthors;
      this.booksPerAuthor = booksPerAuthor;
    }
  }

  static Result run(SparkSession spark, ExampleAccount account, String keyspace) {
    System.out.println("Reads against " + account.describe());
    Books.createAndFill(spark, account, keyspace, TABLE);
    Dataset<Row> books =
        spark.read().format("cosmoscassandra").options(account.options(keyspace, TABLE)).load();

    System.out.println("1. The whole table:");
    books.orderBy("book_id").show(false);
    long allRows = books.count();

    System.out.println(
        "2. One book by its key; the filter goes to Cosmos (\"Cassandra Filters\"):");
    Dataset<Row> byKey = books.filter(col("book_id").equalTo(LOOKED_UP));
    String plan = byKey.queryExecution().executedPlan().toString();
    byKey.explain();
    List<Row> found = byKey.select("book_id", "title").collectAsList();
    System.out.println("   found: " + found);

    System.out.println("3. Two columns only; the scan asks Cosmos for just those:");
    Dataset<Row> titles = books.select("title", "author").orderBy("title");
    titles.explain();
    List<Row> titlesAndAuthors = titles.collectAsList();
    titles.show(false);

    System.out.println("4. A temporary view and Spark SQL:");
    books.createOrReplaceTempView("books_view");
    Dataset<Row> perAuthor =
        spark.sql(
            "SELECT author, COUNT(*) AS books, MIN(published) AS first_published"
                + " FROM books_view WHERE published < 1900"
                + " GROUP BY author ORDER BY books DESC, author");
    List<Row> booksPerAuthor = perAuthor.collectAsList();
    perAuthor.show(false);
    return new Result(allRows, found, plan, titlesAndAuthors, booksPerAuthor);
  }
}

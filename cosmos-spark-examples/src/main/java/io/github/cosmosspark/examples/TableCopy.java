package io.github.cosmosspark.examples;

import com.datastax.spark.connector.DatasetFunctions;
import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.immutable.List;

/**
 * Copies a table: into a table that already exists, and into a new table the Spark Cassandra
 * Connector creates from the DataFrame's schema, with a primary key chosen here (partitioned by
 * author, clustered by book) and its own throughput.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=TableCopy package}
 */
public final class TableCopy {
  static final String SOURCE = "books_source";
  static final String EXISTING = "books_copy";
  static final String CREATED = "books_by_author";
  static final int CREATED_RU_PER_SECOND = 1_000;

  private TableCopy() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(ExampleAccount.spark("TableCopy"), account, arguments.keyspace());
    }
  }

  static void run(SparkSession spark, ExampleAccount account, String keyspace) {
    System.out.println("Table copies against " + account.describe());
    Books.createAndFill(spark, account, keyspace, SOURCE);
    Dataset<Row> source =
        spark.read().format("cosmoscassandra").options(account.options(keyspace, SOURCE)).load();

    System.out.println("1. Into a table that exists:");
    Books.createTable(account, keyspace, EXISTING, 400);
    source
        .write()
        .format("cosmoscassandra")
        .options(account.options(keyspace, EXISTING))
        .mode("append")
        .save();
    System.out.printf("   copied %s.%s into %s.%s%n", keyspace, SOURCE, keyspace, EXISTING);

    System.out.println("2. Into a new table made from the DataFrame's schema:");
    account.execute("DROP TABLE IF EXISTS " + keyspace + "." + CREATED);
    new DatasetFunctions<>(source, source.encoder())
        .createCassandraTable(
            keyspace,
            CREATED,
            Option.apply(columns("author")),
            Option.apply(columns("book_id")),
            account.connector());
    System.out.printf(
        "   created %s.%s (PRIMARY KEY ((author), book_id)) from the schema%n", keyspace, CREATED);
    // The connector's CREATE TABLE takes no table options; Cosmos applies a throughput change at
    // once, and a new table starts at Cosmos's default until then.
    account.execute(
        "ALTER TABLE "
            + keyspace
            + "."
            + CREATED
            + " WITH cosmosdb_provisioned_throughput="
            + CREATED_RU_PER_SECOND);
    source
        .write()
        .format("cosmoscassandra")
        .options(account.options(keyspace, CREATED))
        .mode("append")
        .save();
    spark
        .read()
        .format("cosmoscassandra")
        .options(account.options(keyspace, CREATED))
        .load()
        .orderBy("author", "book_id")
        .show(false);
  }

  /**
   * A Scala list, which is the {@code Seq} the connector takes under Scala 2.12 ({@code
   * scala.collection.Seq}) and 2.13 ({@code scala.collection.immutable.Seq}) alike; {@code
   * Option.apply} at the call site infers whichever the build's connector declares.
   */
  private static List<String> columns(String... names) {
    return JavaConverters.asScalaBufferConverter(Arrays.asList(names)).asScala().toList();
  }
}

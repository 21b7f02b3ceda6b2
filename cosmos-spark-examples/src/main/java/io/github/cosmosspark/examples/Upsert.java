package io.github.cosmosspark.examples;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Upserts: an append of whole rows replaces the rows with the same key and adds the others (a
 * Cassandra write is always an upsert); an append of only the key and some columns changes just
 * those columns and leaves the rest as they were.
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=Upsert package}
 */
public final class Upsert {
  static final String TABLE = "catalogue";

  /** Whole rows: two existing books re-priced and re-titled, one new. */
  static final List<Row> FULL_ROWS =
      Collections.unmodifiableList(
          Arrays.asList(
              RowFactory.create("b002", "Jane Austen", "Emma (annotated)", 1815, 13.00),
              RowFactory.create("b005", "Charles Dickens", "Great Expectations", 1861, 9.25),
              RowFactory.create("b009", "H. G. Wells", "The Time Machine", 1895, 7.80)));

  /** The key and one column: new prices only. */
  static final StructType PRICE_SCHEMA =
      new StructType()
          .add("book_id", DataTypes.StringType, false)
          .add("price", DataTypes.DoubleType);

  static final List<Row> NEW_PRICES =
      Collections.unmodifiableList(
          Arrays.asList(
              RowFactory.create("b001", 5.49),
              RowFactory.create("b006", 18.00),
              RowFactory.create("b009", 6.99)));

  private Upsert() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(ExampleAccount.spark("Upsert"), account, arguments.keyspace());
    }
  }

  static void run(SparkSession spark, ExampleAccount account, String keyspace) {
    System.out.println("Upserts against " + account.describe());
    Books.createAndFill(spark, account, keyspace, TABLE);

    spark
        .createDataFrame(FULL_ROWS, Books.SCHEMA)
        .write()
        .format("cosmoscassandra")
        .options(account.options(keyspace, TABLE))
        .mode("append")
        .save();
    System.out.printf("Upserted %d whole rows (2 replaced, 1 added).%n", FULL_ROWS.size());

    spark
        .createDataFrame(NEW_PRICES, PRICE_SCHEMA)
        .write()
        .format("cosmoscassandra")
        .options(account.options(keyspace, TABLE))
        .mode("append")
        .save();
    System.out.printf(
        "Updated the price column of %d rows; their other columns are untouched.%n",
        NEW_PRICES.size());

    spark
        .read()
        .format("cosmoscassandra")
        .options(account.options(keyspace, TABLE))
        .load()
        .select("book_id", "author", "title", "published", "price")
        .orderBy("book_id")
        .show(false);
  }
}

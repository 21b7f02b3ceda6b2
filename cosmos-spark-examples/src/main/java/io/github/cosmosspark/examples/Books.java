package io.github.cosmosspark.examples;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A small table of public-domain books most examples start from. */
public final class Books {

  /** The table's columns and key, for {@code CREATE TABLE ks.t} + this. */
  public static final String COLUMNS =
      "(book_id text PRIMARY KEY, author text, title text, published int, price double)";

  public static final StructType SCHEMA =
      new StructType()
          .add("book_id", DataTypes.StringType, false)
          .add("author", DataTypes.StringType)
          .add("title", DataTypes.StringType)
          .add("published", DataTypes.IntegerType)
          .add("price", DataTypes.DoubleType);

  /** The rows, in {@link #SCHEMA}'s column order. */
  public static final List<Row> ROWS =
      Collections.unmodifiableList(
          Arrays.asList(
              RowFactory.create("b001", "Jane Austen", "Pride and Prejudice", 1813, 9.99),
              RowFactory.create("b002", "Jane Austen", "Emma", 1815, 8.50),
              RowFactory.create("b003", "Mary Shelley", "Frankenstein", 1818, 7.25),
              RowFactory.create("b004", "Herman Melville", "Moby-Dick", 1851, 12.00),
              RowFactory.create("b005", "Charles Dickens", "Great Expectations", 1861, 10.75),
              RowFactory.create("b006", "Leo Tolstoy", "War and Peace", 1869, 15.40),
              RowFactory.create("b007", "Mark Twain", "Adventures of Huckleberry Finn", 1884, 6.95),
              RowFactory.create("b008", "Bram Stoker", "Dracula", 1897, 11.20)));

  private Books() {}

  /** {@link #ROWS} as a DataFrame. */
  public static Dataset<Row> dataFrame(SparkSession spark) {
    return spark.createDataFrame(ROWS, SCHEMA);
  }

  /** Creates the keyspace if missing and the table afresh, with its own RU/s. */
  public static void createTable(
      ExampleAccount account, String keyspace, String table, int ruPerSecond) {
    account.execute(
        Keyspaces.createIfMissing(keyspace),
        "DROP TABLE IF EXISTS " + keyspace + "." + table,
        "CREATE TABLE "
            + keyspace
            + "."
            + table
            + " "
            + COLUMNS
            + " WITH cosmosdb_provisioned_throughput="
            + ruPerSecond);
  }

  /** Creates the table afresh and writes {@link #ROWS} into it through the format. */
  public static void createAndFill(
      SparkSession spark, ExampleAccount account, String keyspace, String table) {
    createTable(account, keyspace, table, 400);
    dataFrame(spark)
        .write()
        .format("cosmoscassandra")
        .options(account.options(keyspace, table))
        .mode("append")
        .save();
    System.out.printf("Wrote %d books into %s.%s.%n", ROWS.size(), keyspace, table);
  }
}

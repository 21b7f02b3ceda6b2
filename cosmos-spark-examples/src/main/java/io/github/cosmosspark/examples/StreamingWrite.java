package io.github.cosmosspark.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;

/**
 * A Structured Streaming job that writes the sensor readings arriving as Parquet files in a
 * directory into a table, under throughput control, with a checkpoint: each run picks up the files
 * that arrived since the last one, and a run cut short and started again lands every row once
 * (writes are upserts by primary key).
 *
 * <p>{@code mvn -q -pl cosmos-spark-examples -am -DskipTests -Dexample=StreamingWrite package},
 * sizes with {@code -Dexample.args="rows=1000 batches=3"}.
 */
public final class StreamingWrite {
  static final String TABLE = "sensor_readings";
  static final StructType READING =
      new StructType().add("id", "int").add("sensor", "string").add("celsius", "double");

  private StreamingWrite() {}

  public static void main(String[] args) {
    ExampleArgs arguments = ExampleArgs.parse(args);
    try (ExampleAccount account = ExampleAccount.fromEnvironment()) {
      run(
          ExampleAccount.spark("StreamingWrite"),
          account,
          arguments.keyspace(),
          arguments.integer("rows", 1_000),
          arguments.integer("batches", 3));
    }
  }

  /** Streams {@code batches} arrivals of {@code rows} readings; returns every reading sent. */
  static Dataset<Row> run(
      SparkSession spark, ExampleAccount account, String keyspace, int rows, int batches) {
    System.out.println("Streaming writes against " + account.describe());
    // A fresh table for a fresh checkpoint: the checkpoint is what says which files were written.
    account.execute(
        Keyspaces.createIfMissing(keyspace),
        "DROP TABLE IF EXISTS " + keyspace + "." + TABLE,
        "CREATE TABLE "
            + keyspace
            + "."
            + TABLE
            + " (id int PRIMARY KEY, sensor text, celsius double)"
            + " WITH cosmosdb_provisioned_throughput=1000");
    Path work = temporaryDirectory();
    String incoming = work.resolve("incoming").toString();
    String checkpoint = work.resolve("checkpoint").toString();

    for (int batch = 0; batch < batches; batch++) {
      readings(spark, batch * rows, (batch + 1) * rows).write().mode("append").parquet(incoming);
      // AvailableNow: take what has arrived, write it, stop; the checkpoint remembers the files.
      DataStreamWriter<Row> stream =
          spark
              .readStream()
              .schema(READING)
              .parquet(incoming)
              .writeStream()
              .format("cosmoscassandra")
              .options(account.options(keyspace, TABLE))
              .option("checkpointLocation", checkpoint)
              .outputMode("append")
              .trigger(Trigger.AvailableNow());
      runToTheEnd(stream);
      long landed =
          spark
              .read()
              .format("cosmoscassandra")
              .options(account.options(keyspace, TABLE))
              .load()
              .count();
      System.out.printf(
          "Run %d: %,d new readings streamed; %s.%s now holds %,d rows.%n",
          batch + 1, rows, keyspace, TABLE, landed);
    }
    return readings(spark, 0, batches * rows);
  }

  /** Readings {@code from} (inclusive) to {@code to}, from ten sensors. */
  static Dataset<Row> readings(SparkSession spark, int from, int to) {
    return spark
        .range(from, to)
        .selectExpr(
            "CAST(id AS INT) AS id",
            "CONCAT('sensor-', id % 10) AS sensor",
            "CAST(ROUND(15 + (id % 200) / 10.0, 1) AS DOUBLE) AS celsius");
  }

  private static void runToTheEnd(DataStreamWriter<Row> stream) {
    try {
      StreamingQuery query = stream.start();
      query.awaitTermination();
    } catch (StreamingQueryException | TimeoutException failed) {
      throw new IllegalStateException("The streaming query failed: " + failed.getMessage(), failed);
    }
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("cosmos-streaming-example");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

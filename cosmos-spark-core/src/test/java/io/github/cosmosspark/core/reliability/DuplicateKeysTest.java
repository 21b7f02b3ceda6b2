package io.github.cosmosspark.core.reliability;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.TableStatistics;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A DataFrame whose tasks all write the same keys at the same time: Cosmos answers a write to a row
 * that another write is updating with 449, which the connector resends after a wait. The job ends
 * with no failed task and one row per key, holding one of the rows written for it.
 */
@CosmosEmulatorTest
class DuplicateKeysTest {
  private static final String KEYSPACE = "reliability_duplicates";
  private static final int KEYS = 300;
  private static final int WRITERS = 4;

  private final CosmosEmulator emulator;

  DuplicateKeysTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createTable(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, "duplicates", 1_000_000);
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
  }

  @Test
  void writersOfTheSameKeysInParallelTasksAllLandWithNoFailedTask() throws Exception {
    SparkSession spark = LocalSpark.sessionWithTaskSlots(WRITERS);
    String table = KEYSPACE + ".duplicates";
    // Task w writes every key once, as writer w: the tasks write key k at about the same time.
    Dataset<Row> rows =
        spark
            .range(0, (long) KEYS * WRITERS, 1, WRITERS)
            .select(
                col("id").mod(KEYS).cast("int").as("id"),
                concat(lit("writer "), floor(col("id").divide(KEYS)).cast("string")).as("title"),
                floor(col("id").divide(KEYS)).cast("int").as("pages"));
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, "duplicates");
    // Keep the duplicates in different tasks, as a DataFrame not clustered by key has them.
    options.put("write.spreadOverPartitions", "false");
    FailedTasks failedTasks = new FailedTasks();
    SparkContext context = spark.sparkContext();
    context.addSparkListener(failedTasks);
    // Each write stays in flight for 20 ms in the emulator: the tasks' writes of a key overlap.
    emulator.injectLatency(Duration.ofMillis(20));
    emulator.resetStatistics();
    RetryStatistics.Snapshot before = CosmosRuntime.get().retryStatistics().of(table);
    long start = System.nanoTime();
    try {
      rows.write().format("cosmoscassandra").options(options).mode("append").save();
    } finally {
      emulator.injectLatency(Duration.ZERO);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    context.listenerBus().waitUntilEmpty();
    context.removeSparkListener(failedTasks);
    RetryStatistics.Snapshot during = CosmosRuntime.get().retryStatistics().of(table).minus(before);
    TableStatistics emulated = emulator.statistics(table).get();

    List<Row> stored =
        spark.read().format("cosmoscassandra").options(options).load().collectAsList();
    spark.stop();

    System.out.printf(
        "duplicate keys: %d keys x %d writers in %,d ms; emulator: %d writes executed, 449s %d;"
            + " connector: %s; failed tasks %d%n",
        KEYS,
        WRITERS,
        millis,
        emulated.requests(),
        emulated.writeFailures(449),
        during,
        failedTasks.count.get());
    assertEquals(0, failedTasks.count.get());
    assertTrue(emulated.writeFailures(449) > 0, "the writers' writes overlapped: " + emulated);
    assertEquals(emulated.writeFailures(449), during.writeFailures());
    assertEquals(emulated.writeFailures().keySet(), java.util.Collections.singleton(449));
    assertEquals(during.writeFailures(), during.retries());
    assertEquals(0, during.exhausted());
    // Every row written ran exactly once: refused writes never ran, and each was resent until it
    // did.
    assertEquals((long) KEYS * WRITERS, emulated.requests());
    Map<Integer, Row> byKey = new TreeMap<>();
    for (Row row : stored) {
      byKey.put(row.getInt(row.fieldIndex("id")), row);
    }
    assertEquals(KEYS, stored.size());
    assertEquals(KEYS, byKey.size());
    for (Map.Entry<Integer, Row> entry : byKey.entrySet()) {
      Row row = entry.getValue();
      int writer = row.getInt(row.fieldIndex("pages"));
      assertTrue(writer >= 0 && writer < WRITERS, "key " + entry.getKey() + ": " + row);
      // All of a row's columns come from the same write.
      assertEquals("writer " + writer, row.getString(row.fieldIndex("title")));
    }
  }

  private static final class FailedTasks extends SparkListener {
    final AtomicInteger count = new AtomicInteger();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (!end.taskInfo().successful()) {
        count.incrementAndGet();
      }
    }
  }
}

package io.github.cosmosspark.core.reliability;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.errors.CosmosEndpointException;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulator answers later than the driver's request timeout for a while: reads and writes that
 * time out are resent once the spike passes and the result is exact; a spike that lasts fails the
 * job with a message that names the table and the settings, never with a short result.
 */
@CosmosEmulatorTest
class LatencySpikeTest {
  private static final String KEYSPACE = "reliability_latency";
  private static final int ROWS = 2_000;
  private static final String TIMEOUT_MS = "1000";
  private static final Duration SPIKE = Duration.ofMillis(1_500);

  private final CosmosEmulator emulator;

  LatencySpikeTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createTables(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, "spiked", 1_000_000);
    EmulatorBooks.createTable(emulator, KEYSPACE, "slow", 1_000_000);
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
  }

  @Test
  void aWriteAndAScanThroughALatencySpikeAreExact() throws Exception {
    Map<String, String> options = options("spiked");
    Dataset<Row> books = EmulatorBooks.books(LocalSpark.session(), 0, ROWS);
    String table = KEYSPACE + ".spiked";

    RetryStatistics.Snapshot beforeWrite = CosmosRuntime.get().retryStatistics().of(table);
    long writeSpikeMillis =
        withSpikeAfter(
            table,
            200,
            beforeWrite,
            () -> books.write().format("cosmoscassandra").options(options).mode("append").save());
    RetryStatistics.Snapshot writing =
        CosmosRuntime.get().retryStatistics().of(table).minus(beforeWrite);

    Dataset<Row> scan =
        LocalSpark.session()
            .read()
            .format("cosmoscassandra")
            .options(options)
            .option("spark.cassandra.input.fetch.sizeInRows", "20")
            .load();
    List<Row>[] read = new List[1];
    emulator.resetStatistics();
    RetryStatistics.Snapshot beforeScan = CosmosRuntime.get().retryStatistics().of(table);
    long scanSpikeMillis =
        withSpikeAfter(table, 20, beforeScan, () -> read[0] = scan.collectAsList());
    RetryStatistics.Snapshot scanning =
        CosmosRuntime.get().retryStatistics().of(table).minus(beforeScan);

    System.out.printf(
        "latency spike of %d ms over a %s ms request timeout: write spike lasted %,d ms, %s;"
            + " scan spike lasted %,d ms, %s%n",
        SPIKE.toMillis(), TIMEOUT_MS, writeSpikeMillis, writing, scanSpikeMillis, scanning);
    assertTrue(writing.requestTimeouts() >= 1, "writes timed out and were resent: " + writing);
    assertTrue(scanning.requestTimeouts() >= 1, "pages timed out and were resent: " + scanning);
    assertEquals(0, writing.exhausted() + scanning.exhausted());
    assertEquals(ROWS, read[0].size());
    assertSameRowsByKey(books, LocalSpark.session().createDataFrame(read[0], scan.schema()), "id");
  }

  @Test
  void aSpikeThatOutlastsTheTimeoutRetriesFailsTheScanNamingTableAndSettings() throws Exception {
    Map<String, String> options = options("slow");
    EmulatorBooks.books(LocalSpark.session(), 0, ROWS)
        .write()
        .format("cosmoscassandra")
        .options(options)
        .mode("append")
        .save();
    String table = KEYSPACE + ".slow";
    Throwable[] failure = new Throwable[1];
    withSpikeAfter(
        table,
        20,
        null,
        () -> {
          try {
            LocalSpark.session()
                .read()
                .format("cosmoscassandra")
                .options(options)
                .option("spark.cassandra.input.fetch.sizeInRows", "20")
                .option("retry.timeoutRetries", "1")
                .load()
                .collectAsList();
          } catch (Throwable e) {
            failure[0] = e;
          }
        });
    CosmosEndpointException cause = findCause(failure[0]);
    String message = cause.getMessage();
    assertEquals(table, cause.table());
    assertTrue(message.contains("A request to " + table + " timed out twice"), message);
    assertTrue(message.contains("spark.cosmos.cassandra.retry.timeoutRetries=1"), message);
    assertTrue(message.contains("raise spark.cassandra.read.timeoutMS"), message);
    assertTrue(message.contains("timed out after PT1S"), message);
  }

  @Test
  void aSpikeFromTheStartFailsThePlanningQueryAndSaysSo() {
    Map<String, String> options = options("slow");
    emulator.injectLatency(SPIKE);
    Throwable failure =
        assertThrows(
            Throwable.class,
            () ->
                LocalSpark.session()
                    .read()
                    .format("cosmoscassandra")
                    .options(options)
                    .option("retry.timeoutRetries", "0")
                    .load()
                    .collectAsList());
    CosmosEndpointException cause = findCause(failure);
    assertTrue(cause.table().startsWith("system"), cause.table());
    assertTrue(
        cause
            .getMessage()
            .contains(
                "A request to "
                    + cause.table()
                    + " (the connector's metadata query, made while a read or write is planned)"
                    + " timed out once"),
        cause.getMessage());
  }

  /**
   * Runs {@code job}, turning the spike on once the table has had {@code afterRequests} requests
   * and, unless {@code before} is null, off once a request has timed out and been counted; returns
   * how long the spike lasted, or -1 if it lasted to the end of the job.
   */
  private long withSpikeAfter(
      String table, long afterRequests, RetryStatistics.Snapshot before, Runnable job)
      throws Exception {
    long baseline = emulator.statistics(table).map(s -> s.requests()).orElse(0L);
    AtomicLong spikeStart = new AtomicLong();
    AtomicLong spikeMillis = new AtomicLong(-1);
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(
        () -> {
          if (spikeStart.get() == 0) {
            long requests = emulator.statistics(table).map(s -> s.requests()).orElse(0L);
            if (requests - baseline >= afterRequests) {
              emulator.injectLatency(SPIKE);
              spikeStart.set(System.nanoTime());
            }
          } else if (before != null
              && spikeMillis.get() < 0
              && CosmosRuntime.get().retryStatistics().of(table).minus(before).requestTimeouts()
                  > 0) {
            emulator.injectLatency(Duration.ZERO);
            spikeMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spikeStart.get()));
          }
        },
        0,
        2,
        TimeUnit.MILLISECONDS);
    try {
      job.run();
    } finally {
      watcher.shutdownNow();
      watcher.awaitTermination(5, TimeUnit.SECONDS);
      emulator.injectLatency(Duration.ZERO);
    }
    assertTrue(spikeStart.get() != 0, "the spike began mid-job");
    return spikeMillis.get();
  }

  private Map<String, String> options(String table) {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    options.put("spark.cassandra.read.timeoutMS", TIMEOUT_MS);
    return options;
  }

  private static CosmosEndpointException findCause(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CosmosEndpointException) {
        return (CosmosEndpointException) cause;
      }
    }
    throw new AssertionError("no CosmosEndpointException in the failure", failure);
  }
}

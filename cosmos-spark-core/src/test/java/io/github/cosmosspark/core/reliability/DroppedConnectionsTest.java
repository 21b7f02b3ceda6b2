package io.github.cosmosspark.core.reliability;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * The emulator drops every client connection while a scan is paging through a table: the scan's
 * result is complete and exact, never silently short.
 */
@CosmosEmulatorTest
class DroppedConnectionsTest {
  private static final String KEYSPACE = "reliability_dropped";
  private static final String TABLE = "books";
  private static final int ROWS = 5_000;

  private final CosmosEmulator emulator;

  DroppedConnectionsTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  @BeforeAll
  static void createTable(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, TABLE, 100_000);
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
  }

  @Test
  void aScanWhoseConnectionsAreAllDroppedMidwayReturnsEveryRowExactlyOnce() throws Exception {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, TABLE);
    Dataset<Row> books = EmulatorBooks.books(LocalSpark.session(), 0, ROWS);
    books.write().format("cosmoscassandra").options(options).mode("append").save();
    emulator.resetStatistics();
    RetryStatistics.Snapshot before =
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + TABLE);

    // Pages of 20 rows: the scan sends about 250 page requests. From the 40th (watched every 2 ms
    // on a timer) the emulator holds every request, so each task has a page in flight when the
    // connections go 150 ms later: such a page is lost with its connection, which a drop between
    // two pages (the next one merely finding no connection) would not show.
    CompletableFuture<Long> droppedAfter = new CompletableFuture<>();
    AtomicLong heldAfterRequests = new AtomicLong();
    AtomicLong heldSinceNanos = new AtomicLong();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(
        () -> {
          if (droppedAfter.isDone()) {
            return;
          }
          if (heldSinceNanos.get() == 0) {
            long requests =
                emulator
                    .statistics(KEYSPACE + "." + TABLE)
                    .map(statistics -> statistics.requests())
                    .orElse(0L);
            if (requests >= 40) {
              emulator.injectLatency(Duration.ofSeconds(5));
              heldAfterRequests.set(requests);
              heldSinceNanos.set(System.nanoTime());
            }
          } else if (System.nanoTime() - heldSinceNanos.get()
              >= TimeUnit.MILLISECONDS.toNanos(150)) {
            emulator.injectLatency(Duration.ZERO);
            emulator.dropAllConnections();
            droppedAfter.complete(heldAfterRequests.get());
          }
        },
        0,
        2,
        TimeUnit.MILLISECONDS);
    Dataset<Row> scan =
        LocalSpark.session()
            .read()
            .format("cosmoscassandra")
            .options(options)
            .option("spark.cassandra.input.fetch.sizeInRows", "20")
            .load();
    List<Row> read;
    try {
      read = scan.collectAsList();
    } finally {
      watcher.shutdownNow();
    }

    long requestsBeforeTheDrop = droppedAfter.getNow(-1L);
    long requestsInAll = emulator.statistics(KEYSPACE + "." + TABLE).get().requests();
    assertTrue(
        requestsBeforeTheDrop >= 40 && requestsBeforeTheDrop < requestsInAll,
        "dropped mid-scan: after " + requestsBeforeTheDrop + " of " + requestsInAll + " requests");
    RetryStatistics.Snapshot during =
        CosmosRuntime.get().retryStatistics().of(KEYSPACE + "." + TABLE).minus(before);
    System.out.println(
        "DROPPED CONNECTIONS: after "
            + requestsBeforeTheDrop
            + " of "
            + requestsInAll
            + " requests; "
            + during);
    assertTrue(
        during.connectionsLost() >= 1, "pages lost in flight and resent after the drop: " + during);
    assertEquals(ROWS, read.size());
    assertSameRowsByKey(books, LocalSpark.session().createDataFrame(read, scan.schema()), "id");
  }
}

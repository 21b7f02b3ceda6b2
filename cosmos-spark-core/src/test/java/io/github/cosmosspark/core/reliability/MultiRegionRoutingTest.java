package io.github.cosmosspark.core.reliability;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.spark.connector.cql.CassandraConnector;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.catalog.CosmosCassandraCatalog;
import io.github.cosmosspark.core.connection.CosmosAuthConfFactory;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.core.errors.CosmosEndpointException;
import io.github.cosmosspark.core.session.CosmosLoadBalancingPolicy;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Routing by region on an account replicated to three regions, West US (the write region), East US
 * and North Europe: the emulator's per-region counts show where each read and write went; a region
 * taken down mid-job is skipped, and the job's rows come out exact by key.
 *
 * <p>Host name verification is on, as by default: the session pools to every region it routes to,
 * and each read region's certificate names only its regional host name.
 */
@CassandraTest
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MultiRegionRoutingTest {
  private static final String KEYSPACE = "reliability_regions";
  private static final String WEST = "West US";
  private static final String EAST = "East US";
  private static final String EUROPE = "North Europe";
  private static final List<String> REGIONS = Arrays.asList(WEST, EAST, EUROPE);

  /** One write region, as a new account. */
  private static CosmosEmulator single;

  /** Multi-region writes: every region takes writes. */
  private static CosmosEmulator multi;

  private final SparkSession spark = LocalSpark.session();

  @BeforeAll
  static void start(CassandraServer server) {
    single = CosmosEmulator.builder(server).regions(WEST, EAST, EUROPE).build().start();
    multi =
        CosmosEmulator.builder(server)
            .regions(WEST, EAST, EUROPE)
            .multiRegionWrites(true)
            .build()
            .start();
    EmulatorBooks.createKeyspace(single, KEYSPACE);
    // Created before any region goes down, each through the emulator that serves it, so that
    // the emulator knows its throughput and does not throttle it.
    for (String table :
        Arrays.asList(
            "routed",
            "region_names",
            "local_dc",
            "local_dc_disagrees",
            "no_such_region",
            "write_region_down",
            "all_down",
            "scan_failover",
            "spark_scan_failover")) {
      EmulatorBooks.createTable(single, KEYSPACE, table, 1_000_000);
    }
    for (String table : Arrays.asList("multi_writes", "write_failover")) {
      EmulatorBooks.createTable(multi, KEYSPACE, table, 1_000_000);
    }
  }

  @AfterAll
  static void stop() {
    for (CosmosEmulator emulator : new CosmosEmulator[] {single, multi}) {
      if (emulator != null) {
        emulator.close();
      }
    }
  }

  /**
   * Every region up, and SCC's cached sessions closed: a session that saw a region down waits out
   * the driver's reconnection delay before using it again, which would move the next test's
   * requests.
   */
  @AfterEach
  void everyRegionUp() {
    for (String region : REGIONS) {
      single.bringUp(region);
      multi.bringUp(region);
    }
    CassandraConnector.evictCache();
  }

  // Routing, by the emulator's counts.

  @Test
  void readsGoToThePreferredRegionAndWritesOnlyToTheWriteRegion() {
    String table = table("routed");
    single.resetStatistics();
    write(EmulatorBooks.books(spark, 0, 500), options(single, table, "preferredRegions", EAST));
    long writes = single.writesServed(WEST);
    assertTrue(writes > 0, "no write reached the write region");
    assertEquals(0, single.writesServed(EAST));
    assertEquals(0, single.writesServed(EUROPE));
    assertRefusedNowhere(single);

    single.resetStatistics();
    assertEquals("title-7", readTitle(single, table, 7, "preferredRegions", EAST));
    assertEquals(1, single.readsServed(EAST));
    assertEquals(0, single.readsServed(WEST));
    assertEquals(0, single.readsServed(EUROPE));
    assertLanded(single, table, 500);
  }

  @Test
  void regionNamesMatchIgnoringCaseAndSpaces() {
    String table = table("region_names");
    write(EmulatorBooks.books(spark, 0, 10), options(single, table));
    single.resetStatistics();
    assertEquals("title-3", readTitle(single, table, 3, "preferredRegions", "northeurope"));
    assertEquals(1, single.readsServed(EUROPE));
    assertEquals(0, single.readsServed(WEST));
    assertEquals(0, single.readsServed(EAST));
  }

  @Test
  void withMultiRegionWritesWritesGoToThePreferredRegion() {
    String table = table("multi_writes");
    multi.resetStatistics();
    write(
        EmulatorBooks.books(spark, 0, 500),
        options(multi, table, "preferredRegions", EUROPE, "multiRegionWrites", "true"));
    assertTrue(multi.writesServed(EUROPE) > 0, "no write reached North Europe");
    assertEquals(0, multi.writesServed(WEST));
    assertEquals(0, multi.writesServed(EAST));
    assertRefusedNowhere(multi);
    assertLanded(multi, table, 500);
  }

  @Test
  void sccsLocalDcCountsAsTheOnePreferredRegion() {
    String table = table("local_dc");
    write(EmulatorBooks.books(spark, 0, 10), options(single, table));
    single.resetStatistics();
    assertEquals(
        "title-3", readTitle(single, table, 3, "spark.cassandra.connection.localDC", "eastus"));
    assertEquals(1, single.readsServed(EAST));
    assertEquals(0, single.readsServed(WEST));
  }

  @Test
  void aLocalDcThatDisagreesWithPreferredRegionsIsRefusedNamingBoth() {
    String table = table("local_dc_disagrees");
    String message =
        failure(
            () ->
                write(
                    EmulatorBooks.books(spark, 0, 3),
                    options(
                        single,
                        table,
                        "preferredRegions",
                        EUROPE,
                        "spark.cassandra.connection.localDC",
                        EAST)));
    assertContains(
        message,
        "spark.cassandra.connection.localDC is 'East US' but"
            + " spark.cosmos.cassandra.preferredRegions is 'North Europe', which starts with"
            + " another region.");
  }

  // Bad regions, refused when the job is planned.

  @Test
  void aPreferredRegionTheAccountDoesNotHaveIsRefusedListingItsRegionsAndNothingIsWritten() {
    String table = table("no_such_region");
    single.resetStatistics();
    String expected =
        "spark.cosmos.cassandra.preferredRegions names 'Mars Central', which account '"
            + single.account()
            + "' does not have; its regions are: West US, East US, North Europe.";
    assertContains(
        failure(
            () ->
                write(
                    EmulatorBooks.books(spark, 0, 3),
                    options(single, table, "preferredRegions", "East US, Mars Central"))),
        expected);
    assertContains(
        failure(
            () ->
                read(options(single, table, "preferredRegions", "East US, Mars Central"))
                    .collect()),
        expected);
    for (String region : REGIONS) {
      assertEquals(0, single.writesServed(region), region);
      assertEquals(0, single.readsServed(region), region);
    }
    assertLanded(single, table, 0);
  }

  @Test
  void aPreferredRegionTheAccountDoesNotHaveFailsACatalogStatementListingItsRegions() {
    SparkSession session = spark.newSession();
    String catalog = "regions";
    session.conf().set("spark.sql.catalog." + catalog, CosmosCassandraCatalog.class.getName());
    for (Map.Entry<String, String> setting : EmulatorBooks.connectionOptions(single).entrySet()) {
      session
          .conf()
          .set(
              "spark.sql.catalog."
                  + catalog
                  + "."
                  + setting.getKey().substring("spark.cosmos.cassandra.".length()),
              setting.getValue());
    }
    session.conf().set("spark.sql.catalog." + catalog + ".preferredRegions", "Mars Central");
    assertContains(
        failure(() -> session.sql("SHOW TABLES IN " + catalog + "." + KEYSPACE).collect()),
        "spark.cosmos.cassandra.preferredRegions names 'Mars Central', which account '"
            + single.account()
            + "' does not have; its regions are: West US, East US, North Europe.");
  }

  // Plans, from the policy of a live session, with the driver's own nodes.

  @Test
  void queryPlansFollowTheRegionsInOrderAndSkipARegionWhileItIsDown() throws Exception {
    CassandraConnector connector =
        connector(single, "spark.cosmos.cassandra.preferredRegions", "North Europe, East US");
    try (CqlSession session = connector.openSession()) {
      CosmosLoadBalancingPolicy policy = policyOf(session);
      SimpleStatement select = SimpleStatement.newInstance("SELECT * FROM ks.t WHERE id = 1");
      SimpleStatement insert = SimpleStatement.newInstance("INSERT INTO ks.t (id) VALUES (1)");
      assertEquals(Arrays.asList(EUROPE, EAST, WEST), regions(policy.newQueryPlan(select, null)));
      assertEquals(Arrays.asList(WEST), regions(policy.newQueryPlan(insert, null)));
      assertEquals(Arrays.asList(WEST, EUROPE, EAST), regions(policy.newQueryPlan(null, null)));
      assertEquals(WEST, policy.writeRegion());

      single.takeDown(EUROPE);
      long downAt = System.nanoTime();
      waitFor("North Europe marked down", () -> policy.isDown(EUROPE));
      System.out.printf(
          "region down: the driver marked North Europe down %,d ms after it went down%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downAt));
      assertEquals(Arrays.asList(EAST, WEST), regions(policy.newQueryPlan(select, null)));

      single.bringUp(EUROPE);
      long upAt = System.nanoTime();
      waitFor("North Europe back up", () -> !policy.isDown(EUROPE));
      System.out.printf(
          "region up: the driver marked North Europe up %,d ms after it came back%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upAt));
      assertEquals(Arrays.asList(EUROPE, EAST, WEST), regions(policy.newQueryPlan(select, null)));
    }
  }

  @Test
  void withMultiRegionWritesWritesArePlannedAsReads() throws Exception {
    CassandraConnector connector =
        connector(
            multi,
            "spark.cosmos.cassandra.preferredRegions",
            "East US",
            "spark.cosmos.cassandra.multiRegionWrites",
            "true");
    try (CqlSession session = connector.openSession()) {
      SimpleStatement insert = SimpleStatement.newInstance("INSERT INTO ks.t (id) VALUES (1)");
      assertEquals(
          Arrays.asList(EAST, WEST, EUROPE), regions(policyOf(session).newQueryPlan(insert, null)));
    }
  }

  // Regions down: clear errors.

  @Test
  void aWriteWhileTheWriteRegionIsDownFailsNamingIt() throws Exception {
    String table = table("write_region_down");
    CassandraConnector connector =
        connector(
            single,
            "spark.cosmos.cassandra.preferredRegions",
            "East US",
            "spark.cosmos.cassandra.retry.maxTimeMs",
            "1500");
    try (CqlSession session = connector.openSession()) {
      CosmosLoadBalancingPolicy policy = policyOf(session);
      single.takeDown(WEST);
      waitFor("West US marked down", () -> policy.isDown(WEST));
      single.resetStatistics();
      long startNanos = System.nanoTime();
      CosmosEndpointException failure =
          assertThrows(
              CosmosEndpointException.class,
              () ->
                  session.execute(
                      "INSERT INTO "
                          + KEYSPACE
                          + "."
                          + table
                          + " (id, title, pages) VALUES (1, 'a', 1)"));
      System.out.printf(
          "write region down: the write failed after %,d ms: %s%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), failure.getMessage());
      assertContains(
          failure.getMessage(),
          "A write to "
              + KEYSPACE
              + "."
              + table
              + " could not reach the write region 'West US' of account '"
              + single.account()
              + "' (/127.0.0.1:"
              + single.port()
              + "): the region is down or unreachable from this executor. Cosmos DB accepts"
              + " writes only in the write region while multi-region writes are off");
      assertContains(failure.getMessage(), "spark.cosmos.cassandra.multiRegionWrites=true");
      // Reads still work, from the preferred region.
      assertEquals(
          0,
          session
              .execute("SELECT * FROM " + KEYSPACE + "." + table + " WHERE id = 1")
              .all()
              .size());
      for (String region : REGIONS) {
        assertEquals(0, single.writesServed(region), region);
        assertEquals(0, single.writesRefused(region), region);
      }
      assertEquals(1, single.readsServed(EAST));
    }
  }

  @Test
  void aReadWithEveryRegionDownNamesTheRegionsTried() throws Exception {
    String table = table("all_down");
    CassandraConnector connector =
        connector(
            single,
            "spark.cosmos.cassandra.preferredRegions",
            "North Europe",
            "spark.cosmos.cassandra.retry.maxTimeMs",
            "1500");
    try (CqlSession session = connector.openSession()) {
      CosmosLoadBalancingPolicy policy = policyOf(session);
      for (String region : REGIONS) {
        single.takeDown(region);
      }
      for (String region : REGIONS) {
        waitFor(region + " marked down", () -> policy.isDown(region));
      }
      CosmosEndpointException failure =
          assertThrows(
              CosmosEndpointException.class,
              () -> session.execute("SELECT * FROM " + KEYSPACE + "." + table + " WHERE id = 1"));
      assertContains(
          failure.getMessage(),
          "A read of "
              + KEYSPACE
              + "."
              + table
              + " reached none of the regions of account '"
              + single.account()
              + "'; tried, in order: North Europe (down), West US (down), East US (down).");
    }
  }

  // Failover mid-job, exact by key.

  /**
   * Through the session SCC's scans use, page by page as its scanner fetches them, so that the
   * failover is seen page by page; the Spark scan below shows the same through a whole job.
   */
  @Test
  void aScanWhosePreferredRegionGoesDownMidScanFinishesInTheNextRegionExactByKey()
      throws Exception {
    String table = table("scan_failover");
    int rows = 20_000;
    write(EmulatorBooks.books(spark, 0, rows), options(single, table));
    CassandraConnector connector =
        connector(single, "spark.cosmos.cassandra.preferredRegions", EAST);
    try (CqlSession session = connector.openSession()) {
      single.resetStatistics();
      AtomicInteger seen = new AtomicInteger();
      long[] failoverMillis = {-1};
      AtomicLong readsBeforeDown = new AtomicLong(-1);
      CompletableFuture<Void> outage =
          CompletableFuture.runAsync(
              () -> {
                waitForQuietly(() -> seen.get() >= 4_000);
                long downAt = System.nanoTime();
                single.takeDown(EAST);
                readsBeforeDown.set(single.readsServed(EAST));
                waitForQuietly(() -> single.readsServed(WEST) > 0);
                failoverMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downAt);
              });
      Map<Integer, Row> read = new HashMap<>();
      long startNanos = System.nanoTime();
      for (Row row :
          session.execute(
              SimpleStatement.newInstance("SELECT id, title, pages FROM " + KEYSPACE + "." + table)
                  .setPageSize(100))) {
        assertEquals(null, read.put(row.getInt("id"), row), "id read twice");
        if (seen.incrementAndGet() == 4_000) {
          // Slow enough here for the outage to land mid-scan, not after the last page.
          waitForQuietly(() -> readsBeforeDown.get() >= 0);
        }
      }
      outage.get(2, TimeUnit.MINUTES);
      System.out.printf(
          "scan failover: East US down after %,d pages there; first page served in West US %,d"
              + " ms later; scan of %,d rows took %,d ms; %,d pages in West US, %,d in North"
              + " Europe%n",
          readsBeforeDown.get(),
          failoverMillis[0],
          rows,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
          single.readsServed(WEST),
          single.readsServed(EUROPE));
      assertEquals(readsBeforeDown.get(), single.readsServed(EAST));
      assertTrue(single.readsServed(WEST) > 0, "the scan did not go on in West US");
      assertEquals(0, single.readsServed(EUROPE));
      assertExact(read, rows);
    }
  }

  @Test
  void aSparkScanWhosePreferredRegionGoesDownMidScanFinishesInTheNextRegionExactByKey()
      throws Exception {
    String table = table("spark_scan_failover");
    int rows = 20_000;
    Dataset<org.apache.spark.sql.Row> books = EmulatorBooks.books(spark, 0, rows);
    write(books, options(single, table));
    single.resetStatistics();
    long[] failoverMillis = {-1};
    long[] readsBeforeDown = {-1};
    CompletableFuture<Void> outage =
        CompletableFuture.runAsync(
            () -> {
              // The split probe's pages and the first of the scan's own, then the region goes.
              waitForQuietly(() -> single.readsServed(EAST) >= 40);
              long downAt = System.nanoTime();
              single.takeDown(EAST);
              readsBeforeDown[0] = single.readsServed(EAST);
              waitForQuietly(() -> single.readsServed(WEST) > 0);
              failoverMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downAt);
            });
    long start = System.nanoTime();
    // Pages of 100 rows at 300 RU/s: a scan of several seconds, so the outage lands mid-scan.
    List<org.apache.spark.sql.Row> read =
        read(options(
                single,
                table,
                "preferredRegions",
                EAST,
                "throughput.targetRuPerSecond",
                "300",
                "spark.cassandra.input.fetch.sizeInRows",
                "100"))
            .collectAsList();
    outage.get(2, TimeUnit.MINUTES);
    System.out.printf(
        "Spark scan failover: East US down after %,d pages there; first page served in West US"
            + " %,d ms later; Spark scan of %,d rows took %,d ms; %,d pages in West US, %,d in"
            + " North Europe%n",
        readsBeforeDown[0],
        failoverMillis[0],
        rows,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
        single.readsServed(WEST),
        single.readsServed(EUROPE));
    assertEquals(readsBeforeDown[0], single.readsServed(EAST), "nothing read in East US when down");
    assertTrue(single.readsServed(WEST) > 0, "the scan did not go on in West US");
    assertEquals(0, single.readsServed(EUROPE));
    assertSameRowsByKey(books.collectAsList(), read, "id");
  }

  @Test
  void aWriteWhosePreferredRegionGoesDownMidWriteFinishesInAnotherRegionExactByKey()
      throws Exception {
    String table = table("write_failover");
    int rows = 20_000;
    multi.resetStatistics();
    long[] failoverMillis = {-1};
    long[] writesBeforeDown = {-1};
    CompletableFuture<Void> outage =
        CompletableFuture.runAsync(
            () -> {
              waitForQuietly(() -> multi.writesServed(EUROPE) >= 3_000);
              long downAt = System.nanoTime();
              multi.takeDown(EUROPE);
              writesBeforeDown[0] = multi.writesServed(EUROPE);
              waitForQuietly(() -> multi.writesServed(WEST) + multi.writesServed(EAST) > 0);
              failoverMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downAt);
            });
    write(
        EmulatorBooks.books(spark, 0, rows),
        options(multi, table, "preferredRegions", EUROPE, "multiRegionWrites", "true"));
    outage.get(2, TimeUnit.MINUTES);
    System.out.printf(
        "write failover: North Europe down after %,d writes there; first write served elsewhere"
            + " %,d ms later; %,d writes in West US, %,d in East US%n",
        writesBeforeDown[0], failoverMillis[0], multi.writesServed(WEST), multi.writesServed(EAST));
    assertTrue(multi.writesServed(WEST) > 0, "the write did not go on in West US, the next region");
    assertEquals(0, multi.writesServed(EAST));
    assertRefusedNowhere(multi);
    assertLanded(multi, table, rows);
  }

  // Helpers.

  /** A books table created in {@link #start}. */
  private static String table(String name) {
    return name;
  }

  private static Map<String, String> options(
      CosmosEmulator emulator, String table, String... extra) {
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    for (int i = 0; i < extra.length; i += 2) {
      options.put(extra[i], extra[i + 1]);
    }
    return options;
  }

  private Dataset<org.apache.spark.sql.Row> read(Map<String, String> options) {
    return spark.read().format("cosmoscassandra").options(options).load();
  }

  private static void write(Dataset<org.apache.spark.sql.Row> rows, Map<String, String> options) {
    rows.write().format("cosmoscassandra").options(options).mode("append").save();
  }

  private static CassandraConnector connector(CosmosEmulator emulator, String... extra) {
    SparkConf conf = new SparkConf(false);
    EmulatorBooks.connectionOptions(emulator).forEach(conf::set);
    conf.set("spark.cassandra.connection.factory", CosmosConnectionFactory.class.getName());
    conf.set("spark.cassandra.auth.conf.factory", CosmosAuthConfFactory.class.getName());
    for (int i = 0; i < extra.length; i += 2) {
      conf.set(extra[i], extra[i + 1]);
    }
    return CassandraConnector.apply(conf);
  }

  private static CosmosLoadBalancingPolicy policyOf(CqlSession session) {
    return (CosmosLoadBalancingPolicy)
        session.getContext().getLoadBalancingPolicy(DriverExecutionProfile.DEFAULT_NAME);
  }

  private static List<String> regions(Queue<Node> plan) {
    List<String> regions = new ArrayList<>();
    for (Node node : plan) {
      regions.add(node.getDatacenter());
    }
    return regions;
  }

  private static void assertRefusedNowhere(CosmosEmulator emulator) {
    for (String region : REGIONS) {
      assertEquals(0, emulator.writesRefused(region), "writes refused in " + region);
    }
  }

  /** Every book from 0 to {@code rows} in the table, exact, read directly from the write region. */
  private static void assertLanded(CosmosEmulator emulator, String table, int rows) {
    Map<Integer, Row> landed = new HashMap<>();
    try (CqlSession direct = emulator.newSession()) {
      for (Row row : direct.execute("SELECT id, title, pages FROM " + KEYSPACE + "." + table)) {
        landed.put(row.getInt("id"), row);
      }
    }
    assertEquals(rows, landed.size());
    for (int id = 0; id < rows; id++) {
      Row row = landed.get(id);
      assertTrue(row != null, "missing id " + id);
      assertEquals("title-" + id, row.getString("title"), "title of " + id);
      assertEquals(id % 700, row.getInt("pages"), "pages of " + id);
    }
  }

  private static void assertExact(Map<Integer, Row> byId, int rows) {
    assertEquals(rows, byId.size());
    for (int id = 0; id < rows; id++) {
      Row row = byId.get(id);
      assertTrue(row != null, "missing id " + id);
      assertEquals("title-" + id, row.getString("title"), "title of " + id);
      assertEquals(id % 700, row.getInt("pages"), "pages of " + id);
    }
  }

  /**
   * One book's title, read through an SCC session of our factory with {@code settings}: what a
   * Spark read's tasks do, without SCC's planning.
   */
  private static String readTitle(
      CosmosEmulator emulator, String table, int id, String... settings) {
    String[] keys = new String[settings.length];
    for (int i = 0; i < settings.length; i += 2) {
      keys[i] =
          settings[i].startsWith("spark.") ? settings[i] : "spark.cosmos.cassandra." + settings[i];
      keys[i + 1] = settings[i + 1];
    }
    try (CqlSession session = connector(emulator, keys).openSession()) {
      return session
          .execute("SELECT title FROM " + KEYSPACE + "." + table + " WHERE id = " + id)
          .one()
          .getString("title");
    }
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 60 s for: " + what);
      }
      Thread.sleep(10);
    }
  }

  private static void waitForQuietly(BooleanSupplier condition) {
    try {
      waitFor("a condition of the outage thread", condition);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String failure(Executable action) {
    Throwable error = assertThrows(Throwable.class, action);
    StringBuilder chain = new StringBuilder();
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      chain.append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
      chain.append(" | ");
    }
    System.out.println("REGIONS ERROR " + chain.toString().replace('\n', ' '));
    return chain.toString();
  }

  private static void assertContains(String message, String expected) {
    assertTrue(message.contains(expected), () -> "expected '" + expected + "' in: " + message);
  }
}

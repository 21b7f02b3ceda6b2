package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.ProtocolError;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@CassandraTest
class ChangeFeedTest {

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private static CosmosEmulator emulator;
  private static CqlSession session;

  @BeforeAll
  static void startEmulator(CassandraServer cassandra) {
    emulator = CosmosEmulator.builder(cassandra).build().start();
    session = emulator.sessionBuilder(emulator.key()).build();
  }

  @AfterAll
  static void stopEmulator() {
    session.close();
    emulator.close();
  }

  /** One page of the feed as Microsoft's samples read it: the rows fetched, and the position. */
  private static final class Page {
    final List<Row> rows = new ArrayList<>();
    ByteBuffer pagingState;

    List<Integer> ids() {
      List<Integer> ids = new ArrayList<>();
      for (Row row : rows) {
        ids.add(row.getInt("id"));
      }
      return ids;
    }
  }

  private static Page read(String cql, int pageSize, ByteBuffer pagingState) {
    SimpleStatement statement =
        SimpleStatement.newInstance(cql).setPageSize(pageSize).setPagingState(pagingState);
    AsyncResultSet result;
    try {
      result = session.executeAsync(statement).toCompletableFuture().join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
    Page page = new Page();
    for (Row row : result.currentPage()) {
      page.rows.add(row);
    }
    page.pagingState = result.getExecutionInfo().getPagingState();
    return page;
  }

  private static String feed(String table, Instant start) {
    return "SELECT * FROM "
        + table
        + " WHERE COSMOS_CHANGEFEED_START_TIME() = '"
        + SECONDS.format(start)
        + "'";
  }

  private static String table(TestKeyspace keyspace, String name) {
    String table = keyspace.name() + "." + name;
    // Enough throughput for the tests' bursts of writes in one physical partition.
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, v int) WITH cosmosdb_provisioned_throughput=6000");
    return table;
  }

  @Test
  void insertsAndUpdatesComeBackOncePerRowInModificationOrderWithTheLatestValues(
      TestKeyspace keyspace) {
    String table = table(keyspace, "latest");
    Instant before = Instant.now().minusSeconds(2);
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
    PreparedStatement update = session.prepare("UPDATE " + table + " SET v = ? WHERE id = ?");
    for (int id = 1; id <= 5; id++) {
      session.execute(insert.bind(id, 0));
    }
    for (int version = 1; version <= 3; version++) {
      session.execute(update.bind(version, 2));
    }

    Page page = read(feed(table, before), 100, null);

    assertEquals(Arrays.asList(1, 3, 4, 5, 2), page.ids());
    assertEquals(3, page.rows.get(4).getInt("v"));
    assertEquals(0, page.rows.get(0).getInt("v"));
    assertEquals(5, emulator.changeFeedEntries(table));
    assertNotNull(page.pagingState);
  }

  @Test
  void pagesResumeExactlyThenAnEmptyPageKeepsThePositionUntilNewWritesArrive(
      TestKeyspace keyspace) {
    String table = table(keyspace, "paged");
    Instant before = Instant.now().minusSeconds(2);
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
    List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
    for (int id = 0; id < 1_000; id++) {
      writes.add(session.executeAsync(insert.bind(id, id)).toCompletableFuture());
    }
    writes.forEach(CompletableFuture::join);
    String cql = feed(table, before);

    List<Integer> seen = new ArrayList<>();
    ByteBuffer state = null;
    for (int p = 0; p < 10; p++) {
      Page page = read(cql, 100, state);
      assertEquals(100, page.rows.size(), "page " + p);
      seen.addAll(page.ids());
      state = page.pagingState;
    }
    assertEquals(1_000, new HashSet<>(seen).size(), "no duplicate");
    Set<Integer> all = new HashSet<>();
    for (int id = 0; id < 1_000; id++) {
      all.add(id);
    }
    assertEquals(all, new HashSet<>(seen), "no gap");

    Page nothingNew = read(cql, 100, state);
    assertEquals(0, nothingNew.rows.size());
    assertNotNull(nothingNew.pagingState, "an empty page still carries a position to poll from");

    session.execute(insert.bind(5, 55));
    session.execute(insert.bind(2_000, 1));
    Page next = read(cql, 100, nothingNew.pagingState);
    assertEquals(Arrays.asList(5, 2_000), next.ids());
    assertEquals(55, next.rows.get(0).getInt("v"));
  }

  @Test
  void aStartTimeInTheMiddleReturnsOnlyLaterChanges(TestKeyspace keyspace) throws Exception {
    String table = table(keyspace, "middle");
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
    session.execute(insert.bind(1, 1));
    session.execute(insert.bind(2, 1));
    Thread.sleep(20);
    Instant middle = Instant.now();
    Thread.sleep(20);
    session.execute(insert.bind(3, 1));
    session.execute(insert.bind(1, 2));

    Page page =
        read(
            "SELECT * FROM "
                + table
                + " WHERE COSMOS_CHANGEFEED_START_TIME() = '"
                + middle.toString()
                + "'",
            100,
            null);

    assertEquals(Arrays.asList(3, 1), page.ids());
    assertEquals(2, page.rows.get(1).getInt("v"));
  }

  @Test
  void deletedRowsAreNotReturned(TestKeyspace keyspace) {
    String table = table(keyspace, "deletes");
    Instant before = Instant.now().minusSeconds(2);
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
    PreparedStatement delete = session.prepare("DELETE FROM " + table + " WHERE id = ?");
    for (int id = 1; id <= 3; id++) {
      session.execute(insert.bind(id, id));
    }
    session.execute(delete.bind(2));

    assertEquals(Arrays.asList(1, 3), read(feed(table, before), 100, null).ids());
  }

  @Test
  void aPagingStateFromATableDroppedAndCreatedAgainIsRefused(TestKeyspace keyspace) {
    String table = table(keyspace, "recreated");
    Instant before = Instant.now().minusSeconds(2);
    session.execute("INSERT INTO " + table + " (id, v) VALUES (1, 1)");
    ByteBuffer state = read(feed(table, before), 100, null).pagingState;
    session.execute("DROP TABLE " + table);
    session.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v int)");

    InvalidQueryException refused =
        assertThrows(InvalidQueryException.class, () -> read(feed(table, before), 100, state));
    assertTrue(refused.getMessage().contains("dropped and created again"), refused.getMessage());
    assertEquals(0, read(feed(table, before), 100, null).rows.size());
  }

  @Test
  void aMalformedPagingStateIsAProtocolError(TestKeyspace keyspace) {
    String table = table(keyspace, "malformed");
    ByteBuffer garbage = ByteBuffer.wrap(new byte[] {1, 2, 3});
    assertThrows(ProtocolError.class, () -> read(feed(table, Instant.now()), 100, garbage));
  }

  @Test
  void feedRangesAreOnePerPhysicalPartitionAndSplitTheFeedDisjointly(TestKeyspace keyspace) {
    String table = keyspace.name() + ".ranged";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, v int) WITH cosmosdb_provisioned_throughput=4000");
    emulator.physicalPartitions(table, 4);
    Instant before = Instant.now().minusSeconds(2);
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
    for (int id = 0; id < 200; id++) {
      session.execute(insert.bind(id, id));
    }

    List<String> ranges = new ArrayList<>();
    for (Row row :
        session.execute(
            "SELECT range FROM system_cosmos.feedranges WHERE keyspace_name = '"
                + keyspace.name()
                + "' AND table_name = 'ranged'")) {
      ranges.add(row.getString("range"));
    }
    assertEquals(4, ranges.size());

    Set<Integer> union = new HashSet<>();
    for (int r = 0; r < ranges.size(); r++) {
      Page page =
          read(
              feed(table, before) + " AND COSMOS_FEEDRANGE() = '" + ranges.get(r) + "'", 500, null);
      assertTrue(page.rows.size() > 0, "range " + r);
      for (int id : page.ids()) {
        assertTrue(union.add(id), "id " + id + " in two ranges");
        assertEquals(
            r,
            emulator.physicalPartitionOf(table, TypeCodecs.INT.encode(id, ProtocolVersion.V4)),
            "id " + id);
      }
    }
    assertEquals(200, union.size());
  }

  @Test
  void preparedFeedQueriesBindTheStartTimeAndTheFeedRangeAsMicrosoftsSampleDoes(
      TestKeyspace keyspace) {
    String table = keyspace.name() + ".prepared";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, v int) WITH cosmosdb_provisioned_throughput=4000");
    emulator.physicalPartitions(table, 2);
    Instant before = Instant.now().minusSeconds(2);
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
    for (int id = 0; id < 50; id++) {
      session.execute(insert.bind(id, id));
    }
    PreparedStatement rangesQuery =
        session.prepare(
            "SELECT range FROM system_cosmos.feedranges WHERE keyspace_name = ? AND table_name = ?");
    PreparedStatement feedQuery =
        session.prepare(
            "SELECT * FROM "
                + table
                + " WHERE COSMOS_CHANGEFEED_START_TIME() = ? AND COSMOS_FEEDRANGE() = ?");

    List<String> ranges = new ArrayList<>();
    for (Row row : session.execute(rangesQuery.bind(keyspace.name(), "prepared"))) {
      ranges.add(row.getString("range"));
    }
    assertEquals(2, ranges.size());
    List<Integer> seen = new ArrayList<>();
    for (String range : ranges) {
      ByteBuffer state = null;
      for (int p = 0; p < 10; p++) {
        AsyncResultSet page =
            session
                .executeAsync(feedQuery.bind(before, range).setPageSize(10).setPagingState(state))
                .toCompletableFuture()
                .join();
        int rows = 0;
        for (Row row : page.currentPage()) {
          seen.add(row.getInt("id"));
          rows++;
        }
        state = page.getExecutionInfo().getPagingState();
        if (rows == 0) {
          break;
        }
      }
    }
    assertEquals(50, seen.size());
    assertEquals(50, new HashSet<>(seen).size());
  }

  @Test
  void aFeedPageOverTheTablesBudgetIsAnEmptyPageThatKeepsItsPosition(TestKeyspace keyspace)
      throws Exception {
    String table = keyspace.name() + ".throttled";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, v text) WITH cosmosdb_provisioned_throughput=400");
    Instant before = Instant.now().minusSeconds(2);
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (id, v) VALUES (?, ?)");
    String payload = new String(new char[900]).replace('\0', 'x');
    for (int id = 0; id < 40; id++) {
      session.execute(insert.bind(id, payload));
    }
    Thread.sleep(1_000);
    String cql = feed(table, before);

    // Each full page costs about 40 RU, charged after it ran: reading it again and again
    // overdraws the 400 RU/s until a page is refused.
    Page throttled = null;
    long refusedBefore = 0;
    for (int attempt = 0; attempt < 100 && throttled == null; attempt++) {
      refusedBefore = emulator.statistics(table).get().rateLimited();
      Page page = read(cql, 1_000, null);
      if (page.rows.isEmpty()) {
        throttled = page;
      } else {
        assertEquals(40, page.rows.size());
      }
    }

    assertNotNull(throttled, "a feed page over the budget");
    assertEquals(refusedBefore + 1, emulator.statistics(table).get().rateLimited());
    assertNotNull(throttled.pagingState);
    Thread.sleep(2_000);
    Page resumed = read(cql, 1_000, throttled.pagingState);
    assertEquals(40, resumed.rows.size(), "the refused page's position is the start");
  }
}

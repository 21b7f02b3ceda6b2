package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@CassandraTest
class RateLimitingTest {

  private static final Pattern RETRY_AFTER = Pattern.compile("RetryAfterMs=(\\d+)");
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

  @Test
  void aBurstBeyondTheBudgetGets429sAndRefusedWritesAreNotExecuted(TestKeyspace direct) {
    String table = direct.name() + ".burst";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, payload text)"
            + " WITH cosmosdb_provisioned_throughput=400");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");
    String payload = new String(new char[900]).replace('\0', 'x');

    BurstResult burst = burst(insert, payload, 0, 300);

    assertTrue(burst.refused.size() > 0, "a 1,485 RU burst on 400 RU/s must be rate-limited");
    assertTrue(burst.accepted.size() >= 70, "about a second of budget is admitted");
    assertTrue(
        burst.maxRetryAfterMs > 0 && burst.maxRetryAfterMs <= 5000,
        "RetryAfterMs " + burst.maxRetryAfterMs);
    Set<Integer> stored = new HashSet<>();
    for (Row row : direct.session().execute("SELECT id FROM " + table)) {
      stored.add(row.getInt(0));
    }
    assertEquals(burst.accepted, stored, "exactly the admitted writes reached Cassandra");

    TableStatistics statistics = emulator.statistics(table).get();
    assertEquals(burst.accepted.size(), statistics.requests());
    assertEquals(burst.refused.size(), statistics.rateLimited());
    // Rows of 904 B: each write costs the published figure for 1 KB.
    assertEquals(burst.accepted.size() * 4.95, statistics.requestUnits(), 1e-6);
  }

  @Test
  void raisingThroughputWithAlterLiftsTheLimitAtOnce(TestKeyspace direct) {
    String table = direct.name() + ".raised";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, payload text)"
            + " WITH cosmosdb_provisioned_throughput=400");
    session.execute("ALTER TABLE " + table + " WITH cosmosdb_provisioned_throughput=100000");
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");

    BurstResult burst = burst(insert, "p", 0, 300);

    assertEquals(0, burst.refused.size());
    assertEquals(300, direct.session().execute("SELECT id FROM " + table).all().size());
  }

  @Test
  void aSharedKeyspaceBudgetIsDrawnOnByAllItsTables() {
    session.execute("CREATE KEYSPACE rate_shared WITH cosmosdb_provisioned_throughput=400");
    session.execute("CREATE TABLE rate_shared.a (id int PRIMARY KEY, payload text)");
    session.execute("CREATE TABLE rate_shared.b (id int PRIMARY KEY, payload text)");
    String payload = new String(new char[900]).replace('\0', 'y');

    BurstResult first =
        burst(
            session.prepare("INSERT INTO rate_shared.a (id, payload) VALUES (?, ?)"),
            payload,
            0,
            150);
    BurstResult second =
        burst(
            session.prepare("INSERT INTO rate_shared.b (id, payload) VALUES (?, ?)"),
            payload,
            0,
            150);

    TableStatistics shared = emulator.statistics("rate_shared").get();
    assertEquals(first.accepted.size() + second.accepted.size(), shared.requests());
    assertEquals(first.refused.size() + second.refused.size(), shared.rateLimited());
    assertTrue(shared.rateLimited() > 0);
    session.execute("DROP KEYSPACE rate_shared");
  }

  @Test
  void aHotPhysicalPartitionIsThrottledWhileTheTableHasBudgetLeft(TestKeyspace direct) {
    String table = direct.name() + ".hot";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, payload text)"
            + " WITH cosmosdb_provisioned_throughput=4000");
    assertEquals(1, emulator.physicalPartitionCount(table), "4,000 / 6,000 rounded up");
    emulator.physicalPartitions(table, 4);
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");
    String payload = new String(new char[900]).replace('\0', 'h');
    List<List<Integer>> keysByPartition = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      keysByPartition.add(new ArrayList<>());
    }
    for (int id = 0; keysByPartition.get(0).size() < 300; id++) {
      keysByPartition
          .get(emulator.physicalPartitionOf(table, TypeCodecs.INT.encode(id, ProtocolVersion.V4)))
          .add(id);
    }

    // 300 writes of about 5.7 RU to one partition: 1,700 RU against its 1,000 RU/s.
    BurstResult hot = burst(insert, payload, keysByPartition.get(0));

    assertTrue(hot.refused.size() > 0, "one partition's 1,000 RU/s must throttle 1,700 RU");
    TableStatistics statistics = emulator.statistics(table).get();
    assertEquals(4, statistics.partitions().size());
    assertEquals(hot.refused.size(), statistics.rateLimited());
    assertEquals(hot.refused.size(), statistics.partitions().get(0).rateLimited());
    assertEquals(hot.accepted.size(), statistics.partitions().get(0).requests());
    for (int p = 1; p < 4; p++) {
      assertEquals(0, statistics.partitions().get(p).requests(), "partition " + p);
      assertEquals(1_000, statistics.partitions().get(p).ruPerSecond(), 1e-9);
    }
    assertTrue(
        statistics.requestUnits() < 4_000 / 2.0,
        "throttled with under half the table's second used: " + statistics.requestUnits());

    // The same volume spread over all four partitions fits: 75 writes, about 430 RU, each.
    // On a second table of the same layout, so that nothing waits for the first one's debt.
    String evenTable = direct.name() + ".even";
    session.execute(
        "CREATE TABLE "
            + evenTable
            + " (id int PRIMARY KEY, payload text)"
            + " WITH cosmosdb_provisioned_throughput=4000");
    emulator.physicalPartitions(evenTable, 4);
    insert = session.prepare("INSERT INTO " + evenTable + " (id, payload) VALUES (?, ?)");
    List<Integer> spread = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      spread.addAll(
          keysByPartition
              .get(p)
              .subList(keysByPartition.get(p).size() - 75, keysByPartition.get(p).size()));
    }
    BurstResult even = burst(insert, payload, spread);
    assertEquals(0, even.refused.size());
    for (int p = 0; p < 4; p++) {
      assertEquals(75, emulator.statistics(evenTable).get().partitions().get(p).requests());
    }
  }

  @Test
  void aReadByKeyIsChargedToItsPartitionAndAScanToAll(TestKeyspace direct) {
    String table = direct.name() + ".reads";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, payload text)"
            + " WITH cosmosdb_provisioned_throughput=4000");
    emulator.physicalPartitions(table, 4);
    PreparedStatement insert =
        session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");
    for (int id = 0; id < 40; id++) {
      session.execute(insert.bind(id, "r"));
    }
    emulator.resetStatistics();
    int key = 7;
    int partition =
        emulator.physicalPartitionOf(table, TypeCodecs.INT.encode(key, ProtocolVersion.V4));

    session.execute(session.prepare("SELECT * FROM " + table + " WHERE id = ?").bind(key));
    TableStatistics pointRead = emulator.statistics(table).get();
    for (int p = 0; p < 4; p++) {
      assertEquals(
          p == partition ? 1 : 0, pointRead.partitions().get(p).requests(), "partition " + p);
    }

    emulator.resetStatistics();
    session.execute("SELECT * FROM " + table);
    TableStatistics scan = emulator.statistics(table).get();
    assertEquals(1, scan.requests());
    for (int p = 0; p < 4; p++) {
      assertEquals(1, scan.partitions().get(p).requests(), "partition " + p);
      assertEquals(
          scan.requestUnits() / 4, scan.partitions().get(p).requestUnits(), 1e-9, "partition " + p);
    }
  }

  @Test
  void aLayoutCosmosCouldNotHaveIsRefusedNamingTheSetting(TestKeyspace direct) {
    String table = direct.name() + ".layout";
    session.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY) WITH cosmosdb_provisioned_throughput=4000");
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> emulator.physicalPartitions(table, 0));
    assertEquals(
        "physicalPartitions for " + table + " must be at least 1, got 0", none.getMessage());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> emulator.physicalPartitions(direct.name() + ".never_created", 2));
    assertTrue(unknown.getMessage().startsWith("physicalPartitions: "), unknown.getMessage());
    assertEquals(1, emulator.physicalPartitionCount(table), "a refused layout changes nothing");
  }

  private static final class BurstResult {
    final Set<Integer> accepted = new HashSet<>();
    final Set<Integer> refused = new HashSet<>();
    long maxRetryAfterMs;
  }

  private static BurstResult burst(PreparedStatement insert, String payload, int from, int count) {
    List<Integer> ids = new ArrayList<>();
    for (int id = from; id < from + count; id++) {
      ids.add(id);
    }
    return burst(insert, payload, ids);
  }

  private static BurstResult burst(PreparedStatement insert, String payload, List<Integer> ids) {
    List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
    for (int id : ids) {
      CompletionStage<AsyncResultSet> write = session.executeAsync(insert.bind(id, payload));
      writes.add(write.toCompletableFuture());
    }
    BurstResult result = new BurstResult();
    for (int i = 0; i < writes.size(); i++) {
      try {
        writes.get(i).join();
        result.accepted.add(ids.get(i));
      } catch (CompletionException e) {
        OverloadedException overloaded = (OverloadedException) e.getCause();
        Matcher retryAfter = RETRY_AFTER.matcher(overloaded.getMessage());
        assertTrue(retryAfter.find(), overloaded.getMessage());
        assertTrue(
            overloaded.getMessage().contains("Request rate is large"), overloaded.getMessage());
        result.maxRetryAfterMs =
            Math.max(result.maxRetryAfterMs, Long.parseLong(retryAfter.group(1)));
        result.refused.add(ids.get(i));
      }
    }
    return result;
  }
}

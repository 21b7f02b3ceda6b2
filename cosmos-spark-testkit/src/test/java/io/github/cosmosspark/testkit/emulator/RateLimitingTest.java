package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
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

  private static final class BurstResult {
    final Set<Integer> accepted = new HashSet<>();
    final Set<Integer> refused = new HashSet<>();
    long maxRetryAfterMs;
  }

  private static BurstResult burst(PreparedStatement insert, String payload, int from, int count) {
    List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
    for (int id = from; id < from + count; id++) {
      CompletionStage<AsyncResultSet> write = session.executeAsync(insert.bind(id, payload));
      writes.add(write.toCompletableFuture());
    }
    BurstResult result = new BurstResult();
    for (int i = 0; i < writes.size(); i++) {
      try {
        writes.get(i).join();
        result.accepted.add(from + i);
      } catch (CompletionException e) {
        OverloadedException overloaded = (OverloadedException) e.getCause();
        Matcher retryAfter = RETRY_AFTER.matcher(overloaded.getMessage());
        assertTrue(retryAfter.find(), overloaded.getMessage());
        assertTrue(
            overloaded.getMessage().contains("Request rate is large"), overloaded.getMessage());
        result.maxRetryAfterMs =
            Math.max(result.maxRetryAfterMs, Long.parseLong(retryAfter.group(1)));
        result.refused.add(from + i);
      }
    }
    return result;
  }
}

package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The emulator on an account with server-side retry (the account option). */
@CassandraTest
class ServerSideRetryTest {

  private static final String PAYLOAD = new String(new char[900]).replace('\0', 'x');

  @Test
  void aBurstBeyondTheBudgetIsHeldAndRunsWholeWithNo429(
      CassandraServer cassandra, TestKeyspace direct) {
    try (CosmosEmulator emulator =
            CosmosEmulator.builder(cassandra).serverSideRetry(true).build().start();
        CqlSession session = emulator.newSession()) {
      String table = direct.name() + ".held_burst";
      session.execute(
          "CREATE TABLE "
              + table
              + " (id int PRIMARY KEY, payload text) WITH cosmosdb_provisioned_throughput=400");
      PreparedStatement insert =
          session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");

      // 300 writes of 4.95 RU: 1,485 RU on 400 RU/s, of which about a second's fits at once.
      long start = System.nanoTime();
      List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
      for (int id = 0; id < 300; id++) {
        writes.add(session.executeAsync(insert.bind(id, PAYLOAD)).toCompletableFuture());
      }
      for (CompletableFuture<AsyncResultSet> write : writes) {
        write.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;

      Set<Integer> stored = new HashSet<>();
      for (Row row : direct.session().execute("SELECT id FROM " + table)) {
        stored.add(row.getInt(0));
      }
      assertEquals(300, stored.size(), "every held write ran");
      TableStatistics statistics = emulator.statistics(table).get();
      assertEquals(0, statistics.rateLimited(), "no client saw a 429");
      assertEquals(300, statistics.requests());
      assertEquals(300 * 4.95, statistics.requestUnits(), 1e-6);
      HeldRequests held = emulator.heldRequests(table);
      assertEquals(0, held.timedOut());
      assertTrue(held.ran() > 100 && held.ran() < 300, held.toString());
      assertTrue(held.heldMillis() > 0, held.toString());
      // What did not fit in the first second's budget waited for the rest: (1,485 - 400) RU at
      // 400 RU/s is 2.7 s.
      assertTrue(seconds >= 2.0, "the burst took " + seconds + " s");
    }
  }

  @Test
  void aRequestHeldPastTheLimitGetsATimeoutAndNeverRuns(
      CassandraServer cassandra, TestKeyspace direct) {
    try (CosmosEmulator emulator =
            CosmosEmulator.builder(cassandra)
                .serverSideRetry(true)
                .serverSideRetryLimit(Duration.ofMillis(300))
                .build()
                .start();
        CqlSession session = emulator.newSession()) {
      String table = direct.name() + ".held_too_long";
      session.execute(
          "CREATE TABLE "
              + table
              + " (id int PRIMARY KEY, payload text) WITH cosmosdb_provisioned_throughput=400");
      PreparedStatement insert =
          session.prepare("INSERT INTO " + table + " (id, payload) VALUES (?, ?)");
      // A row of 1.6 MB costs about 950 RU: the table owes some 550 RU, 1.4 s of its throughput,
      // longer than the two requests below are held (0.3 s each).
      String large = new String(new char[1_600_000]).replace('\0', 'm');
      session.execute(insert.bind(1, large));

      WriteTimeoutException write =
          assertThrows(WriteTimeoutException.class, () -> session.execute(insert.bind(2, "late")));
      // The driver words the message itself from the error's fields.
      assertEquals(
          com.datastax.oss.driver.api.core.servererrors.WriteType.SIMPLE, write.getWriteType());
      assertEquals(0, write.getReceived());
      ReadTimeoutException read =
          assertThrows(
              ReadTimeoutException.class,
              () -> session.execute("SELECT id FROM " + table + " WHERE id = 1"));
      assertEquals(0, read.getReceived());

      List<Integer> stored = new ArrayList<>();
      for (Row row : direct.session().execute("SELECT id FROM " + table)) {
        stored.add(row.getInt(0));
      }
      assertEquals(java.util.Collections.singletonList(1), stored, "the held write never ran");
      HeldRequests held = emulator.heldRequests(table);
      assertEquals(2, held.timedOut(), held.toString());
      assertEquals(0, held.ran(), held.toString());
      assertTrue(held.heldMillis() >= 600, held.toString());
      assertEquals(0, emulator.statistics(table).get().rateLimited());
    }
  }

  @Test
  void aLimitThatIsNotPositiveIsRefusedNamingTheSetting(CassandraServer cassandra) {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> CosmosEmulator.builder(cassandra).serverSideRetryLimit(Duration.ZERO));
    assertTrue(refused.getMessage().contains("serverSideRetryLimit"), refused.getMessage());
  }
}

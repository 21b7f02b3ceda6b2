package io.github.cosmosspark.core.cql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Which statements may be sent again when it is not known whether they ran: each kind SCC 3.5.1's
 * {@code TableWriter} writes, in its text and with the idempotence mark SCC gives it.
 */
class RunsTwiceSafelyTest {

  @Test
  void anInsertAndAnUpdateThatSetValuesRunTwiceSafely() {
    assertSafe(scc("INSERT INTO \"ks\".\"t\" (\"id\", \"title\") VALUES (:id, :title)", true));
    assertSafe(
        scc(
            "INSERT INTO \"ks\".\"t\" (\"id\", \"title\") VALUES (:id, :title) USING TTL 60",
            true));
    assertSafe(scc("UPDATE \"ks\".\"t\" SET \"title\" = :\"title\" WHERE \"id\" = :id", true));
    assertSafe(scc("DELETE FROM \"ks\".\"t\" WHERE \"id\" = :id", true));
  }

  @Test
  void addingToASetOrAMapAndRemovingFromACollectionRunTwiceSafely() {
    assertSafe(
        scc("UPDATE \"ks\".\"t\" SET \"tags\" = \"tags\" + :\"tags\" WHERE \"id\" = :id", true));
    assertSafe(
        scc("UPDATE \"ks\".\"t\" SET \"tags\" = \"tags\" - :\"tags\" WHERE \"id\" = :id", true));
  }

  @Test
  void counterUpdatesAndListAppendsDoNotAsSccMarksThem() {
    assertUnsafe(scc("UPDATE \"ks\".\"c\" SET \"n\" = \"n\" + :\"n\" WHERE \"id\" = :id", false));
    assertUnsafe(
        scc(
            "UPDATE \"ks\".\"t\" SET \"items\" = \"items\" + :\"items\" WHERE \"id\" = :id",
            false));
    assertUnsafe(
        scc(
            "UPDATE \"ks\".\"t\" SET \"items\" = :\"items\" + \"items\" WHERE \"id\" = :id",
            false));
  }

  @Test
  void lightweightTransactionsDoNotThoughSccMarksIfNotExistsIdempotent() {
    assertUnsafe(
        scc(
            "INSERT INTO \"ks\".\"t\" (\"id\", \"title\") VALUES (:id, :title) IF NOT EXISTS",
            true));
    assertUnsafe(
        scc("INSERT INTO \"ks\".\"t\" (\"id\") VALUES (:id) IF NOT EXISTS USING TTL :ttl", true));
    assertUnsafe(scc("UPDATE ks.t SET title = 'b' WHERE id = 1 IF title = 'a'", true));
    assertUnsafe(scc("UPDATE ks.t SET title = 'b' WHERE id = 1 IF EXISTS", true));
    assertUnsafe(scc("DELETE FROM ks.t WHERE id = 1 IF pages > 3", true));
    assertUnsafe(scc("update ks.t set m = {} where id = 1 if m['k'] = 'v'", true));
  }

  @Test
  void aValueThatMerelyContainsIfIsNotALightweightTransaction() {
    assertSafe(scc("INSERT INTO ks.t (id, title) VALUES (1, 'gift')", true));
    assertSafe(scc("UPDATE ks.t SET title = 'life' WHERE id = 1", true));
  }

  @Test
  void aBatchRunsTwiceSafelyWhenAllItsStatementsDoAndNoneIsConditional() {
    SimpleStatement upsert = scc("INSERT INTO ks.t (id) VALUES (1)", true);
    SimpleStatement conditional = scc("INSERT INTO ks.t (id) VALUES (2) IF NOT EXISTS", true);
    SimpleStatement append = scc("UPDATE ks.t SET items = items + [1] WHERE id = 3", false);

    assertSafe(BatchStatement.newInstance(DefaultBatchType.UNLOGGED, upsert, upsert));
    assertUnsafe(BatchStatement.newInstance(DefaultBatchType.UNLOGGED, upsert, conditional));
    assertUnsafe(BatchStatement.newInstance(DefaultBatchType.UNLOGGED, upsert, append));
    assertUnsafe(
        BatchStatement.newInstance(
            DefaultBatchType.COUNTER, scc("UPDATE ks.c SET n = n + 1 WHERE id = 1", true)));
  }

  @Test
  void theDriverIsToldWhatTheSessionDecides() {
    SimpleStatement conditional = scc("INSERT INTO ks.t (id) VALUES (2) IF NOT EXISTS", true);
    assertEquals(
        Boolean.FALSE, CqlRequest.of(conditional).markedForDriver(conditional).isIdempotent());

    BatchStatement batch =
        BatchStatement.newInstance(
            DefaultBatchType.UNLOGGED, scc("INSERT INTO ks.t (id) VALUES (1)", true));
    assertEquals(null, batch.isIdempotent(), "SCC leaves its batches unmarked");
    assertEquals(Boolean.TRUE, CqlRequest.of(batch).markedForDriver(batch).isIdempotent());

    SimpleStatement upsert = scc("INSERT INTO ks.t (id) VALUES (1)", true);
    assertSame(upsert, CqlRequest.of(upsert).markedForDriver(upsert));
    SimpleStatement read = SimpleStatement.newInstance("SELECT * FROM ks.t");
    assertSame(read, CqlRequest.of(read).markedForDriver(read), "reads keep their mark");
  }

  private static SimpleStatement scc(String query, boolean sccMarksIdempotent) {
    return SimpleStatement.newInstance(query).setIdempotent(sccMarksIdempotent);
  }

  private static void assertSafe(Statement<?> statement) {
    CqlRequest request = CqlRequest.of(statement);
    assertTrue(request.isWrite(), "a write: " + statement);
    assertTrue(request.runsTwiceSafely(), "runs twice safely: " + describe(statement));
  }

  private static void assertUnsafe(Statement<?> statement) {
    assertFalse(
        CqlRequest.of(statement).runsTwiceSafely(), "must not run twice: " + describe(statement));
  }

  private static String describe(Statement<?> statement) {
    return statement instanceof SimpleStatement
        ? ((SimpleStatement) statement).getQuery()
        : statement.toString();
  }
}

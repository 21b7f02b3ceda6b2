package io.github.cosmosspark.testkit.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@CassandraTest
class CassandraExtensionTest {

  private static final List<String> KEYSPACES_USED = new ArrayList<>();
  private static final List<CassandraServer> SERVERS_SEEN = new ArrayList<>();
  private TestKeyspace fromBeforeEach;

  @BeforeEach
  void rememberKeyspace(TestKeyspace keyspace) {
    fromBeforeEach = keyspace;
  }

  @Test
  void aTestGetsAKeyspaceOfItsOwnThatExists(
      TestKeyspace keyspace, CassandraServer server, CqlSession session) {
    checkOwnKeyspace(keyspace, server, session);
    assertTrue(keyspace.name().startsWith("t_cassandraextensiontest_atestgets"), keyspace.name());
  }

  @Test
  void anotherTestGetsAnotherKeyspaceOnTheSameServer(
      TestKeyspace keyspace, CassandraServer server, CqlSession session) {
    checkOwnKeyspace(keyspace, server, session);
    assertEquals(keyspace.name() + ".t", keyspace.qualified("t"));
  }

  /** Runs after both tests, whatever their order: each keyspace was dropped after its test. */
  @AfterAll
  static void everyKeyspaceIsGoneAfterItsTest(CqlSession session) {
    assertFalse(KEYSPACES_USED.isEmpty());
    for (String name : KEYSPACES_USED) {
      assertNull(keyspaceRow(session, name), name + " still exists");
    }
    assertTrue(SERVERS_SEEN.stream().allMatch(s -> s == SERVERS_SEEN.get(0)));
  }

  private void checkOwnKeyspace(TestKeyspace keyspace, CassandraServer server, CqlSession session) {
    assertSame(fromBeforeEach, keyspace, "one keyspace per test, however often it is asked for");
    assertTrue(keyspace.name().length() <= 48, keyspace.name());
    assertFalse(KEYSPACES_USED.contains(keyspace.name()), "keyspace reused: " + keyspace.name());
    assertNotNull(keyspaceRow(session, keyspace.name()));
    KEYSPACES_USED.add(keyspace.name());
    SERVERS_SEEN.add(server);
  }

  private static Row keyspaceRow(CqlSession session, String name) {
    return session
        .execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", name)
        .one();
  }
}

package io.github.cosmosspark.testkit.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@CassandraTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CassandraExtensionTest {

  private static String firstKeyspace;
  private static CassandraServer firstServer;
  private TestKeyspace fromBeforeEach;

  @BeforeEach
  void rememberKeyspace(TestKeyspace keyspace) {
    fromBeforeEach = keyspace;
  }

  @Test
  @Order(1)
  void aTestGetsOneKeyspaceOfItsOwnThatExists(
      TestKeyspace keyspace, CassandraServer server, CqlSession session) {
    assertSame(fromBeforeEach, keyspace);
    assertTrue(keyspace.name().startsWith("t_cassandraextensiontest_atestgets"), keyspace.name());
    assertTrue(keyspace.name().length() <= 48);
    assertNotNull(keyspaceRow(session, keyspace.name()));
    firstKeyspace = keyspace.name();
    firstServer = server;
  }

  @Test
  @Order(2)
  void theNextTestGetsAnotherKeyspaceOnTheSameServerAndTheFirstIsGone(
      TestKeyspace keyspace, CassandraServer server, CqlSession session) {
    assertNotNull(firstKeyspace);
    assertNotEquals(firstKeyspace, keyspace.name());
    assertSame(firstServer, server);
    assertNull(keyspaceRow(session, firstKeyspace));
    assertEquals(
        keyspace.name() + ".t", keyspace.qualified("t"), "qualified names join with a dot");
  }

  private static com.datastax.oss.driver.api.core.cql.Row keyspaceRow(
      CqlSession session, String name) {
    return session
        .execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", name)
        .one();
  }
}

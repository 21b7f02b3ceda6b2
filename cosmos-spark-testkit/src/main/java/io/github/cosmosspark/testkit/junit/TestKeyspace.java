package io.github.cosmosspark.testkit.junit;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;

/** A keyspace that belongs to one test: created when the test asks for it, dropped when it ends. */
public final class TestKeyspace {

  private final String name;
  private final CassandraServer server;
  private final CqlSession session;

  TestKeyspace(String name, CassandraServer server, CqlSession session) {
    this.name = name;
    this.server = server;
    this.session = session;
  }

  /** The keyspace name: lower case, safe to use unquoted in CQL. */
  public String name() {
    return name;
  }

  /** {@code keyspace.table}, for CQL. */
  public String qualified(String table) {
    return name + "." + table;
  }

  /** The server the keyspace lives on. */
  public CassandraServer server() {
    return server;
  }

  /** A session shared by the whole test run; do not close it. */
  public CqlSession session() {
    return session;
  }

  @Override
  public String toString() {
    return name;
  }
}

package io.github.cosmosspark.examples;

/** Keyspace DDL the examples share. */
final class Keyspaces {
  private Keyspaces() {}

  /**
   * Cosmos ignores the replication settings (it replicates on its own) but CQL requires them; this
   * keyspace has no shared throughput, so each table brings its own.
   */
  static String createIfMissing(String keyspace) {
    return "CREATE KEYSPACE IF NOT EXISTS "
        + keyspace
        + " WITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1}";
  }
}

package io.github.cosmosspark.testkit.emulator;

import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The statements clients prepared through the emulator, by the id Cassandra gave them, shared by
 * all connections as Cassandra's own cache is. An execution of an id not here is answered with
 * Unprepared, since the emulator could not tell its table or whether it writes.
 */
final class PreparedStatements {

  /** What a prepared statement was prepared from, with its kind and table worked out once. */
  static final class Statement {
    final String cql;
    final String keyspace;
    final String kind;
    final String table;
    // Set when Cassandra's answer to the PREPARE arrives, before any execution can name the id.
    private volatile int[] partitionKeyIndices;
    // Set with the PREPARE's answer too, once the table's clustering columns are known.
    private volatile int[] clusteringIndices;

    Statement(String cql, String keyspace) {
      this.cql = cql;
      this.keyspace = keyspace;
      String[] kindAndTable = RequestCharges.kindAndTable(cql, keyspace);
      this.kind = kindAndTable[0];
      this.table = kindAndTable[1];
    }

    /**
     * Which bound values are the partition key's columns, in key order; empty when not every key
     * column is bound with {@code =}.
     */
    int[] partitionKeyIndices() {
      return partitionKeyIndices;
    }

    void partitionKeyIndices(int[] indices) {
      this.partitionKeyIndices = indices == null ? new int[0] : indices.clone();
    }

    /**
     * Which bound values are the table's clustering columns, in clustering order; null when the
     * statement does not bind every one with {@code =} (or the table has none): it then writes, and
     * locks, its whole partition.
     */
    int[] clusteringIndices() {
      return clusteringIndices;
    }

    void clusteringIndices(int[] indices) {
      this.clusteringIndices = indices == null ? null : indices.clone();
    }

    /** A write to one table, whose row the emulator locks: its clustering columns are needed. */
    boolean writesRows() {
      return "WRITE".equals(kind) && table != null;
    }
  }

  private final Map<String, Statement> byId = new ConcurrentHashMap<>();

  void remember(byte[] id, Statement statement) {
    byId.put(key(id), statement);
  }

  /** The statement prepared under {@code id}, or null if the emulator has not seen it. */
  Statement lookup(byte[] id) {
    return byId.get(key(id));
  }

  /** As after a restart of the emulator: clients must prepare their statements again. */
  void forgetAll() {
    byId.clear();
  }

  private static String key(byte[] id) {
    return Base64.getEncoder().encodeToString(id);
  }
}

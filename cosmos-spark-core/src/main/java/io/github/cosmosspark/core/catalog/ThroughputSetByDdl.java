package io.github.cosmosspark.core.catalog;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The throughput this catalog's DDL set, per keyspace and table, in this JVM (the Spark driver).
 * Cosmos has no CQL query that reads throughput back, so this is all a catalog can show; a change
 * made in the portal, with the CLI or by another application is not seen.
 */
final class ThroughputSetByDdl {
  private static final Map<String, Entry> SET = new ConcurrentHashMap<>();

  private ThroughputSetByDdl() {}

  /** What one statement set, and when. */
  static final class Entry {
    final Throughput throughput;
    final Instant at;

    Entry(Throughput throughput, Instant at) {
      this.throughput = throughput;
      this.at = at;
    }
  }

  static void record(String name, Throughput throughput) {
    SET.put(name, new Entry(throughput, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
  }

  static Entry find(String name) {
    return SET.get(name);
  }

  static void forget(String name) {
    SET.remove(name);
  }

  /** Forgets a keyspace and every table in it. */
  static void forgetKeyspace(String keyspace) {
    SET.keySet().removeIf(name -> name.equals(keyspace) || name.startsWith(keyspace + "."));
  }
}

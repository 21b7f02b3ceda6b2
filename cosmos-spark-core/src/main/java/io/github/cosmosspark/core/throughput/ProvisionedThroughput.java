package io.github.cosmosspark.core.throughput;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The throughput DDL run in this JVM provisioned, per keyspace and per {@code keyspace.table}: the
 * one record that the budget planner (a fraction of the table's RU/s) and the SQL catalog (SHOW and
 * DESCRIBE) both read. Cosmos has no CQL query that reads throughput back, so a change made in the
 * portal, with the CLI or by another application is not seen.
 */
public final class ProvisionedThroughput {
  private final Map<String, Entry> byName = new ConcurrentHashMap<>();

  /** What one statement provisioned, and when. */
  public static final class Entry {
    private final long ruPerSecond;
    private final boolean autoscale;
    private final Instant at;

    Entry(long ruPerSecond, boolean autoscale, Instant at) {
      this.ruPerSecond = ruPerSecond;
      this.autoscale = autoscale;
      this.at = at;
    }

    /** RU/s: manual throughput, or the autoscale maximum. */
    public long ruPerSecond() {
      return ruPerSecond;
    }

    public boolean autoscale() {
      return autoscale;
    }

    /** When the statement ran, to the second. */
    public Instant at() {
      return at;
    }
  }

  /** Remembers what a statement provisioned for {@code name} (a keyspace or keyspace.table). */
  public void record(String name, long ruPerSecond, boolean autoscale) {
    byName.put(
        name, new Entry(ruPerSecond, autoscale, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
  }

  /** What DDL provisioned for exactly {@code name}, or null. */
  public Entry find(String name) {
    return byName.get(name);
  }

  /**
   * Throughput this JVM saw provisioned for the table (or its keyspace, which shares its throughput
   * among tables without their own), or -1.
   */
  public long forTable(String table) {
    Entry own = byName.get(table);
    if (own != null) {
      return own.ruPerSecond;
    }
    int dot = table.indexOf('.');
    Entry shared = dot > 0 ? byName.get(table.substring(0, dot)) : null;
    return shared != null ? shared.ruPerSecond : -1;
  }

  /** Forgets a dropped table. */
  public void forget(String name) {
    byName.remove(name);
  }

  /** Forgets a dropped keyspace and every table in it. */
  public void forgetKeyspace(String keyspace) {
    byName.keySet().removeIf(name -> name.equals(keyspace) || name.startsWith(keyspace + "."));
  }
}

package io.github.cosmosspark.core.throughput;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request units Cosmos charged in one JVM (one executor, or the driver; in local mode the whole
 * job), per {@code keyspace.table}, since the JVM started, as the {@code RequestCharge} of each
 * answer said. The JVM's one instance is held by the session layer's runtime. Programs read it to
 * report what a job cost; a rate-limited request is not counted, its successful resend is.
 */
public final class RequestUnitStatistics {
  private final ConcurrentMap<String, Counters> byTable = new ConcurrentHashMap<>();

  /** Every table with a count, by name. */
  public Map<String, Snapshot> snapshot() {
    Map<String, Snapshot> snapshot = new TreeMap<>();
    for (Map.Entry<String, Counters> entry : byTable.entrySet()) {
      snapshot.put(entry.getKey(), entry.getValue().snapshot());
    }
    return Collections.unmodifiableMap(snapshot);
  }

  /** One table's counts ({@code keyspace.table}, as CQL stores the names); zero when none. */
  public Snapshot of(String table) {
    Counters counters = byTable.get(table);
    return counters == null ? Snapshot.ZERO : counters.snapshot();
  }

  /** Records one answer that carried a charge. */
  public void record(String table, double requestUnits) {
    if (table == null || !(requestUnits > 0)) {
      return;
    }
    // get first: on Java 8 computeIfAbsent locks its bin even when the key is there.
    Counters counters = byTable.get(table);
    if (counters == null) {
      counters = byTable.computeIfAbsent(table, name -> new Counters());
    }
    counters.requestUnits.add(requestUnits);
    counters.answers.increment();
  }

  private static final class Counters {
    final DoubleAdder requestUnits = new DoubleAdder();
    final LongAdder answers = new LongAdder();

    Snapshot snapshot() {
      return new Snapshot(requestUnits.sum(), answers.sum());
    }
  }

  /** Counts at one moment. */
  public static final class Snapshot {
    static final Snapshot ZERO = new Snapshot(0, 0);

    private final double requestUnits;
    private final long answers;

    Snapshot(double requestUnits, long answers) {
      this.requestUnits = requestUnits;
      this.answers = answers;
    }

    /** Request units charged. */
    public double requestUnits() {
      return requestUnits;
    }

    /**
     * Answers that carried a charge: executed statements and result pages. With one row per write
     * statement (the format's default), a write job's count is the rows it wrote.
     */
    public long answers() {
      return answers;
    }

    /** The counts since {@code earlier}. */
    public Snapshot minus(Snapshot earlier) {
      return new Snapshot(requestUnits - earlier.requestUnits, answers - earlier.answers);
    }

    @Override
    public String toString() {
      return String.format("%,.1f RU in %,d answers", requestUnits, answers);
    }
  }
}

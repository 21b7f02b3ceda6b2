package io.github.cosmosspark.testkit.emulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the emulator counted for one table (or keyspace with shared throughput). */
public final class TableStatistics {

  private final String scope;
  private final double requestUnits;
  private final long requests;
  private final long rateLimited;
  private final Map<Integer, Long> writeFailures;
  private final Map<Long, Double> requestUnitsPerSecond;
  private final List<PartitionStatistics> partitions;

  TableStatistics(
      String scope,
      double requestUnits,
      long requests,
      long rateLimited,
      Map<Integer, Long> writeFailures,
      Map<Long, Double> requestUnitsPerSecond,
      List<PartitionStatistics> partitions) {
    this.scope = scope;
    this.partitions = Collections.unmodifiableList(new ArrayList<>(partitions));
    this.requestUnits = requestUnits;
    this.requests = requests;
    this.rateLimited = rateLimited;
    this.writeFailures = Collections.unmodifiableMap(new TreeMap<>(writeFailures));
    this.requestUnitsPerSecond = Collections.unmodifiableMap(new TreeMap<>(requestUnitsPerSecond));
  }

  /** {@code keyspace.table}, or the keyspace for shared throughput. */
  public String scope() {
    return scope;
  }

  /** Request units charged to executed requests. */
  public double requestUnits() {
    return requestUnits;
  }

  /** Requests executed. */
  public long requests() {
    return requests;
  }

  /** Requests refused with a 429 and not executed. */
  public long rateLimited() {
    return rateLimited;
  }

  /**
   * Writes refused with a write failure (CQL {@code WRITE_FAILURE}) and not executed, by the Cosmos
   * status code they carried: 449 (another write to the row in flight), 413 (a row over 2 MB), and
   * the injected ones.
   */
  public Map<Integer, Long> writeFailures() {
    return writeFailures;
  }

  /** Writes refused with Cosmos status {@code status} (449, 413, ...). */
  public long writeFailures(int status) {
    Long count = writeFailures.get(status);
    return count == null ? 0 : count;
  }

  /**
   * Request units charged in each one-second window, keyed by epoch second: each request's charge
   * under the second it was admitted in.
   */
  public Map<Long, Double> requestUnitsPerSecond() {
    return requestUnitsPerSecond;
  }

  /** Each physical partition's figures, by index. */
  public List<PartitionStatistics> partitions() {
    return partitions;
  }

  /** The highest request units charged in any one-second window. */
  public double peakRequestUnitsPerSecond() {
    double peak = 0;
    for (double ru : requestUnitsPerSecond.values()) {
      peak = Math.max(peak, ru);
    }
    return peak;
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%s: %.1f RU in %d requests, %d rate-limited, write failures %s, peak %.1f RU/s, %d"
            + " physical partition(s)",
        scope,
        requestUnits,
        requests,
        rateLimited,
        writeFailures,
        peakRequestUnitsPerSecond(),
        partitions.size());
  }
}

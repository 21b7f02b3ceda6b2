package io.github.cosmosspark.testkit.emulator;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What the emulator counted for one physical partition of a table or shared keyspace. */
public final class PartitionStatistics {

  private final int index;
  private final double ruPerSecond;
  private final double requestUnits;
  private final long requests;
  private final long rateLimited;
  private final long servedFromBurst;
  private final Map<Long, Double> requestUnitsPerSecond;

  PartitionStatistics(
      int index,
      double ruPerSecond,
      double requestUnits,
      long requests,
      long rateLimited,
      long servedFromBurst,
      Map<Long, Double> requestUnitsPerSecond) {
    this.index = index;
    this.ruPerSecond = ruPerSecond;
    this.requestUnits = requestUnits;
    this.requests = requests;
    this.rateLimited = rateLimited;
    this.servedFromBurst = servedFromBurst;
    this.requestUnitsPerSecond = Collections.unmodifiableMap(new TreeMap<>(requestUnitsPerSecond));
  }

  /** The partition's place in its scope, 0 for the one owning the lowest hash values. */
  public int index() {
    return index;
  }

  /** The partition's share of its scope's throughput, RU/s. */
  public double ruPerSecond() {
    return ruPerSecond;
  }

  /**
   * Request units charged here (a request touching several partitions is split by what it read or
   * wrote in each).
   */
  public double requestUnits() {
    return requestUnits;
  }

  /** Requests executed that touched this partition. */
  public long requests() {
    return requests;
  }

  /** Requests refused with a 429 because this partition was over its share. */
  public long rateLimited() {
    return rateLimited;
  }

  /** Requests admitted from saved burst capacity. */
  public long servedFromBurst() {
    return servedFromBurst;
  }

  /** Request units charged here in each one-second window, keyed by epoch second. */
  public Map<Long, Double> requestUnitsPerSecond() {
    return requestUnitsPerSecond;
  }

  /** The busiest second's request units. */
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
        Locale.ROOT,
        "partition %d (%.0f RU/s): %.1f RU in %d requests, %d rate-limited, busiest second %.1f RU",
        index,
        ruPerSecond,
        requestUnits,
        requests,
        rateLimited,
        peakRequestUnitsPerSecond());
  }
}

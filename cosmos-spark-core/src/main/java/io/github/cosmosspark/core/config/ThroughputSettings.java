package io.github.cosmosspark.core.config;

import java.io.Serializable;
import java.util.Objects;

/** What the user said about a job's throughput on one table. Immutable. */
public final class ThroughputSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final boolean enabled;
  private final Integer targetRuPerSecond;
  private final Integer provisionedRuPerSecond;
  private final double fraction;

  public ThroughputSettings(
      boolean enabled, Integer targetRuPerSecond, Integer provisionedRuPerSecond, double fraction) {
    this.enabled = enabled;
    this.targetRuPerSecond = targetRuPerSecond;
    this.provisionedRuPerSecond = provisionedRuPerSecond;
    this.fraction = fraction;
  }

  /** Whether throughput control may run; it runs only when a budget follows too. */
  public boolean enabled() {
    return enabled;
  }

  /** The job's RU/s for the table, or null. */
  public Integer targetRuPerSecond() {
    return targetRuPerSecond;
  }

  /** The table's RU/s as the user declared it, or null. */
  public Integer provisionedRuPerSecond() {
    return provisionedRuPerSecond;
  }

  /** The part of the table's RU/s the job may use without a target. */
  public double fraction() {
    return fraction;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof ThroughputSettings)) {
      return false;
    }
    ThroughputSettings that = (ThroughputSettings) other;
    return enabled == that.enabled
        && Double.compare(fraction, that.fraction) == 0
        && Objects.equals(targetRuPerSecond, that.targetRuPerSecond)
        && Objects.equals(provisionedRuPerSecond, that.provisionedRuPerSecond);
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, targetRuPerSecond, provisionedRuPerSecond, fraction);
  }

  @Override
  public String toString() {
    return "ThroughputSettings{enabled="
        + enabled
        + ", targetRuPerSecond="
        + targetRuPerSecond
        + ", provisionedRuPerSecond="
        + provisionedRuPerSecond
        + ", fraction="
        + fraction
        + "}";
  }
}

package io.github.cosmosspark.testkit.emulator;

/** The RU/s a table or a keyspace (shared throughput) is provisioned with. */
public final class Throughput {

  /** What Cosmos gives a table created through CQL without a throughput option. */
  public static final int DEFAULT_TABLE_RU_PER_SECOND = 400;

  private final int ruPerSecond;
  private final boolean autoscale;

  Throughput(int ruPerSecond, boolean autoscale) {
    this.ruPerSecond = ruPerSecond;
    this.autoscale = autoscale;
  }

  /** Provisioned RU/s, or the autoscale maximum. */
  public int ruPerSecond() {
    return ruPerSecond;
  }

  /** Whether this is an autoscale maximum rather than a fixed provision. */
  public boolean autoscale() {
    return autoscale;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Throughput
        && ((Throughput) other).ruPerSecond == ruPerSecond
        && ((Throughput) other).autoscale == autoscale;
  }

  @Override
  public int hashCode() {
    return ruPerSecond * 2 + (autoscale ? 1 : 0);
  }

  @Override
  public String toString() {
    return ruPerSecond + " RU/s" + (autoscale ? " (autoscale max)" : "");
  }
}

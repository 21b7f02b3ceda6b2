package io.github.cosmosspark.core.throughput;

import java.io.Serializable;

/**
 * One executor's share of a job's budget on one table, planned on the driver. It travels to the
 * executors inside the connector's configuration, where {@link Throttles} picks it up.
 */
public final class TableBudget implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String table;
  private final double shareRuPerSecond;

  public TableBudget(String table, double shareRuPerSecond) {
    this.table = table;
    this.shareRuPerSecond = shareRuPerSecond;
  }

  /** {@code keyspace.table}, lower case unless quoted, as requests name it. */
  public String table() {
    return table;
  }

  /** RU/s one executor may use on the table; 0 when throughput control is off for it. */
  public double shareRuPerSecond() {
    return shareRuPerSecond;
  }

  @Override
  public String toString() {
    return String.format("TableBudget{%s: %,.0f RU/s per executor}", table, shareRuPerSecond);
  }
}

package io.github.cosmosspark.core.throughput;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Tells a hot physical partition from a table that is simply busy. Cosmos splits a table's RU/s
 * evenly over its physical partitions and throttles a partition over its share whatever the rest
 * does; the connector cannot know which partition a key is in (Cosmos's hash is not documented and
 * its token values are not Cassandra's), but it can see the symptom: 429s while this JVM uses well
 * under its share of the budget. It also counts which keys were throttled most (the Space-Saving
 * algorithm of Metwally, Agrawal and El Abbadi, in fixed memory), so a hot key shows by name.
 */
public final class HotPartitions {
  /** 429s in seconds when the JVM used under this part of its share point at one partition. */
  static final double UNDER_BUDGET = 0.6;

  /** Seconds with 429s under budget before a table is called hot: one can be a budget's edge. */
  static final int HOT_SECONDS = 3;

  private static final int TRACKED_KEYS = 64;
  private static final int SHOWN_KEYS = 3;
  private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

  private final ConcurrentMap<String, Table> byTable = new ConcurrentHashMap<>();

  /**
   * Records the charge of an answered request, for the per-second use the 429s are compared with.
   */
  public void recordCharge(String table, double requestUnits, long nowNanos) {
    if (requestUnits > 0) {
      table(table).charge(requestUnits, nowNanos);
    }
  }

  /**
   * Records a 429 for {@code key} (a readable partition key, or null when the request had none) and
   * says whether the JVM was under {@link #UNDER_BUDGET} of {@code shareRuPerSecond} in the last
   * full second: the mark of a hot partition rather than a full table.
   */
  public boolean onRateLimited(String table, String key, double shareRuPerSecond, long nowNanos) {
    return table(table).rateLimited(key, shareRuPerSecond, nowNanos);
  }

  /** What to tell the user about {@code table}, or null while nothing points at a hot partition. */
  public String finding(String table) {
    Table found = byTable.get(table);
    return found == null ? null : found.finding(table);
  }

  private Table table(String table) {
    Table found = byTable.get(table);
    return found != null ? found : byTable.computeIfAbsent(table, name -> new Table());
  }

  private static final class Table {
    private long second = Long.MIN_VALUE;
    private double chargedThisSecond;
    private double chargedLastSecond;
    private boolean underBudgetThisSecond;
    private long hotSeconds;
    private double chargedInHotSeconds;
    private long rateLimited;
    private long rateLimitedUnderBudget;
    private double share;
    private final Map<String, long[]> keys = new HashMap<>();

    synchronized void charge(double requestUnits, long nowNanos) {
      roll(nowNanos);
      chargedThisSecond += requestUnits;
    }

    synchronized boolean rateLimited(String key, double shareRuPerSecond, long nowNanos) {
      roll(nowNanos);
      rateLimited++;
      share = shareRuPerSecond;
      if (key != null) {
        countKey(key);
      }
      boolean under =
          !Double.isInfinite(shareRuPerSecond)
              && shareRuPerSecond > 0
              && chargedLastSecond < UNDER_BUDGET * shareRuPerSecond;
      if (under) {
        rateLimitedUnderBudget++;
        underBudgetThisSecond = true;
      }
      return under;
    }

    synchronized String finding(String table) {
      if (hotSeconds < HOT_SECONDS) {
        return null;
      }
      List<Map.Entry<String, long[]>> top = new ArrayList<>(keys.entrySet());
      Collections.sort(
          top,
          Comparator.comparingLong((Map.Entry<String, long[]> entry) -> entry.getValue()[0])
              .reversed());
      StringBuilder shown = new StringBuilder();
      for (int i = 0; i < Math.min(SHOWN_KEYS, top.size()); i++) {
        shown
            .append(i == 0 ? "" : ", ")
            .append(top.get(i).getKey())
            .append(" (")
            .append(top.get(i).getValue()[0])
            .append(')');
      }
      return String.format(
          Locale.ROOT,
          "%s was rate-limited in %d seconds while this JVM used on average %.0f RU/s of its %.0f"
              + " RU/s share (%d of its %d 429s under %.0f %% of the share): one physical partition"
              + " is over its part of the table's throughput (Cosmos splits a table's RU/s evenly"
              + " over its physical partitions), or another client uses the table.%s See"
              + " docs/troubleshooting.md, \"Rate-limited while the table is half used\".",
          table,
          hotSeconds,
          chargedInHotSeconds / hotSeconds,
          share,
          rateLimitedUnderBudget,
          rateLimited,
          UNDER_BUDGET * 100,
          shown.length() == 0 ? "" : " Most throttled keys (429s): " + shown + ".");
    }

    private void countKey(String key) {
      long[] count = keys.get(key);
      if (count != null) {
        count[0]++;
      } else if (keys.size() < TRACKED_KEYS) {
        keys.put(key, new long[] {1});
      } else {
        // Space-Saving: the least counted key gives its place, and its count, to the new one.
        String least = null;
        long leastCount = Long.MAX_VALUE;
        for (Map.Entry<String, long[]> entry : keys.entrySet()) {
          if (entry.getValue()[0] < leastCount) {
            least = entry.getKey();
            leastCount = entry.getValue()[0];
          }
        }
        keys.remove(least);
        keys.put(key, new long[] {leastCount + 1});
      }
    }

    private void roll(long nowNanos) {
      long now = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
      if (now == second) {
        return;
      }
      if (underBudgetThisSecond) {
        hotSeconds++;
        chargedInHotSeconds += chargedThisSecond;
      }
      chargedLastSecond = now == second + 1 ? chargedThisSecond : 0;
      chargedThisSecond = 0;
      underBudgetThisSecond = false;
      second = now;
    }
  }
}

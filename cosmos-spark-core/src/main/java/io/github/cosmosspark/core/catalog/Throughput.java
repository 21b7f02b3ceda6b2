package io.github.cosmosspark.core.catalog;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.Locale;
import java.util.Map;

/** Manual or autoscale throughput of a keyspace or table, as the DDL property gives it. */
final class Throughput {
  static final String PROVISIONED = "cosmosdb_provisioned_throughput";
  static final String AUTOSCALE = "cosmosdb_autoscale_max_throughput";

  /** Cosmos's floors and steps ("Provision throughput", autoscale FAQ, Microsoft Learn). */
  static final int MANUAL_MINIMUM = 400;

  static final int MANUAL_STEP = 100;
  static final int AUTOSCALE_MINIMUM = 1000;
  static final int AUTOSCALE_STEP = 1000;

  private final boolean autoscale;
  private final int ruPerSecond;

  private Throughput(boolean autoscale, int ruPerSecond) {
    this.autoscale = autoscale;
    this.ruPerSecond = ruPerSecond;
  }

  static boolean isThroughputKey(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.equals(PROVISIONED) || lower.equals(AUTOSCALE);
  }

  /**
   * The throughput {@code properties} ask for, or null; {@code where} names the statement for the
   * error ("CREATE TABLE cosmos.ks.t").
   */
  static Throughput fromProperties(Map<String, String> properties, String where) {
    String manualKey = null;
    String autoscaleKey = null;
    for (String key : properties.keySet()) {
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.equals(PROVISIONED)) {
        manualKey = key;
      } else if (lower.equals(AUTOSCALE)) {
        autoscaleKey = key;
      }
    }
    if (manualKey != null && autoscaleKey != null) {
      throw new CosmosConfigException(
          where
              + " sets both '"
              + PROVISIONED
              + "' and '"
              + AUTOSCALE
              + "'. Throughput is either manual or autoscale: keep one of them.");
    }
    if (manualKey != null) {
      return new Throughput(
          false,
          parse(
              PROVISIONED,
              properties.get(manualKey),
              MANUAL_MINIMUM,
              MANUAL_STEP,
              where,
              "manual"));
    }
    if (autoscaleKey != null) {
      return new Throughput(
          true,
          parse(
              AUTOSCALE,
              properties.get(autoscaleKey),
              AUTOSCALE_MINIMUM,
              AUTOSCALE_STEP,
              where,
              "autoscale maximum"));
    }
    return null;
  }

  private static int parse(
      String key, String text, int minimum, int step, String where, String kind) {
    String trimmed = text == null ? "" : text.trim();
    int value;
    try {
      value = Integer.parseInt(trimmed);
    } catch (NumberFormatException notANumber) {
      throw new CosmosConfigException(
          where
              + ": property '"
              + key
              + "' must be a whole number of RU/s, got '"
              + text
              + "'. For example '"
              + key
              + "'='"
              + minimum
              + "'.");
    }
    if (value < minimum) {
      throw new CosmosConfigException(
          where
              + ": property '"
              + key
              + "' is "
              + value
              + " RU/s, below Cosmos's minimum "
              + kind
              + " throughput of "
              + minimum
              + " RU/s. Set "
              + minimum
              + " or more.");
    }
    if (value % step != 0) {
      throw new CosmosConfigException(
          where
              + ": property '"
              + key
              + "' is "
              + value
              + " RU/s; Cosmos takes "
              + kind
              + " throughput in steps of "
              + step
              + " RU/s. Use "
              + (value / step) * step
              + " or "
              + (value / step + 1) * step
              + ".");
    }
    return value;
  }

  boolean autoscale() {
    return autoscale;
  }

  int ruPerSecond() {
    return ruPerSecond;
  }

  /** The CQL option that provisions it. */
  String key() {
    return autoscale ? AUTOSCALE : PROVISIONED;
  }

  @Override
  public String toString() {
    return key() + "=" + ruPerSecond;
  }
}

package io.github.cosmosspark.core.catalog;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.connector.catalog.SupportsNamespaces;

/**
 * The DBPROPERTIES of CREATE NAMESPACE: replication (which Cosmos accepts and ignores), durable
 * writes, and the keyspace's shared throughput.
 */
final class NamespaceProperties {
  static final String CLASS = "class";
  static final String REPLICATION_FACTOR = "replication_factor";
  static final String DURABLE_WRITES = "durable_writes";
  private static final String SIMPLE = "simplestrategy";
  private static final String NETWORK_TOPOLOGY = "networktopologystrategy";

  final boolean networkTopology;
  final int replicationFactor;
  final Map<String, Integer> datacenters;
  final boolean durableWrites;
  final Throughput throughput;

  private NamespaceProperties(
      boolean networkTopology,
      int replicationFactor,
      Map<String, Integer> datacenters,
      boolean durableWrites,
      Throughput throughput) {
    this.networkTopology = networkTopology;
    this.replicationFactor = replicationFactor;
    this.datacenters = datacenters;
    this.durableWrites = durableWrites;
    this.throughput = throughput;
  }

  static NamespaceProperties forCreate(Map<String, String> properties, String where) {
    Map<String, String> lower = new LinkedHashMap<>();
    for (Map.Entry<String, String> property : properties.entrySet()) {
      lower.put(property.getKey().toLowerCase(Locale.ROOT), property.getValue());
    }
    String strategy = lower.getOrDefault(CLASS, "SimpleStrategy");
    String shortStrategy = strategy.substring(strategy.lastIndexOf('.') + 1);
    boolean networkTopology = shortStrategy.equalsIgnoreCase(NETWORK_TOPOLOGY);
    if (!networkTopology && !shortStrategy.equalsIgnoreCase(SIMPLE)) {
      throw new CosmosConfigException(
          where
              + ": property '"
              + CLASS
              + "' is '"
              + strategy
              + "'; use SimpleStrategy or NetworkTopologyStrategy (Cosmos accepts either and"
              + " replicates as the account is set up), or leave it out.");
    }
    int replicationFactor = 1;
    Map<String, Integer> datacenters = new LinkedHashMap<>();
    boolean durableWrites = true;
    for (Map.Entry<String, String> property : lower.entrySet()) {
      String key = property.getKey();
      String value = property.getValue();
      if (key.equals(CLASS)
          || key.equals(SupportsNamespaces.PROP_OWNER)
          || Throughput.isThroughputKey(key)) {
        continue;
      }
      if (key.equals(DURABLE_WRITES)) {
        durableWrites = Boolean.parseBoolean(value.trim());
      } else if (key.equals(REPLICATION_FACTOR) && !networkTopology) {
        replicationFactor = count(key, value, where);
      } else if (key.equals(SupportsNamespaces.PROP_COMMENT)
          || key.equals(SupportsNamespaces.PROP_LOCATION)) {
        throw new CosmosConfigException(
            where
                + " has a "
                + key.toUpperCase(Locale.ROOT)
                + ", which a Cosmos keyspace cannot keep: remove it.");
      } else if (networkTopology) {
        datacenters.put(property.getKey(), count(key, value, where));
      } else {
        throw new CosmosConfigException(
            where
                + ": unknown namespace property '"
                + key
                + "'. Use "
                + Throughput.PROVISIONED
                + " or "
                + Throughput.AUTOSCALE
                + " for shared throughput, and optionally "
                + CLASS
                + ", "
                + REPLICATION_FACTOR
                + " (or data centre names with NetworkTopologyStrategy) and "
                + DURABLE_WRITES
                + ".");
      }
    }
    if (networkTopology && datacenters.isEmpty()) {
      throw new CosmosConfigException(
          where
              + ": NetworkTopologyStrategy needs at least one data centre, as '<name>'='3'; or"
              + " leave '"
              + CLASS
              + "' out, since Cosmos ignores replication settings.");
    }
    return new NamespaceProperties(
        networkTopology,
        replicationFactor,
        datacenters,
        durableWrites,
        Throughput.fromProperties(properties, where));
  }

  private static int count(String key, String value, String where) {
    try {
      int count = Integer.parseInt(value.trim());
      if (count > 0) {
        return count;
      }
    } catch (NumberFormatException notANumber) {
      // The message below says what is wanted.
    }
    throw new CosmosConfigException(
        where
            + ": property '"
            + key
            + "' must be a positive whole number of replicas, got '"
            + value
            + "'.");
  }
}

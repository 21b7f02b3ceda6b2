package io.github.cosmosspark.testkit.emulator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The throughput provisioned for each table and for each keyspace that shares its throughput, and
 * the physical partitions each such scope draws on, with their counters. A table without throughput
 * of its own draws on its keyspace's shared partitions if there are any, else gets Cosmos's
 * default. Names are {@code keyspace.table} or {@code keyspace}, lower case.
 */
final class Provisioning {

  private final boolean burstCapacity;
  private final byte[] placementSecret;
  private final Map<String, Throughput> throughputs = new ConcurrentHashMap<>();
  private final Map<String, PhysicalPartitions> partitions = new ConcurrentHashMap<>();

  /**
   * @param burstCapacity whether partitions save unused throughput, as the account option does
   * @param placementSecret what the placement hash is keyed with
   */
  Provisioning(boolean burstCapacity, byte[] placementSecret) {
    this.burstCapacity = burstCapacity;
    this.placementSecret = placementSecret.clone();
  }

  /**
   * Sets a table's or keyspace's throughput. A scope created anew starts with Cosmos's starting
   * layout; a change to an existing one keeps its partitions and splits them if it must.
   */
  void provision(String name, Throughput throughput, boolean created) {
    throughputs.put(name, throughput);
    PhysicalPartitions existing = partitions.get(name);
    if (existing != null && !created) {
      existing.provision(throughput);
    } else {
      partitions.put(name, newPartitions(name, throughput));
    }
  }

  boolean hasOwnThroughput(String name) {
    return throughputs.containsKey(name);
  }

  /** A table without its own throughput gets Cosmos's default, unless its keyspace shares one. */
  void provisionTableDefault(String table) {
    int dot = table.indexOf('.');
    if (dot < 0 || !throughputs.containsKey(table.substring(0, dot))) {
      provision(table, new Throughput(Throughput.DEFAULT_TABLE_RU_PER_SECOND, false), true);
    }
  }

  /** The partitions a table draws on: its own, its keyspace's shared ones, or Cosmos's default. */
  PhysicalPartitions partitions(String table) {
    String scope = scopeOf(table);
    return partitions.computeIfAbsent(scope, name -> newPartitions(name, throughputs.get(name)));
  }

  /** See {@link CosmosEmulator#physicalPartitions(String, int)}. */
  void repartition(String name, int count) {
    String scope = name.toLowerCase(Locale.ROOT);
    PhysicalPartitions existing = partitions.get(scope);
    Throughput throughput = throughputs.get(scope);
    if (existing == null || throughput == null) {
      throw new IllegalArgumentException(
          "physicalPartitions: "
              + scope
              + " has no throughput of its own in the emulator; create it through the emulator"
              + " first (a table, or a keyspace with cosmosdb_provisioned_throughput)");
    }
    String refusal = PhysicalPartitions.refusal(scope, count, throughput.ruPerSecond());
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
    existing.repartition(count);
  }

  /** See {@link CosmosEmulator#physicalPartitionOf(String, ByteBuffer...)}. */
  int partitionOf(String table, ByteBuffer key) {
    String name = table.toLowerCase(Locale.ROOT);
    return partitions(name).partitionOf(key);
  }

  /** See {@link CosmosEmulator#throughput(String)}. */
  Optional<Throughput> throughput(String keyspaceAndTable) {
    String name = keyspaceAndTable.toLowerCase(Locale.ROOT);
    Throughput own = throughputs.get(name);
    if (own != null) {
      return Optional.of(own);
    }
    int dot = name.indexOf('.');
    return dot < 0
        ? Optional.<Throughput>empty()
        : Optional.ofNullable(throughputs.get(name.substring(0, dot)));
  }

  /** See {@link CosmosEmulator#statistics(String)}. */
  Optional<TableStatistics> statistics(String scope) {
    PhysicalPartitions found = partitions.get(scope.toLowerCase(Locale.ROOT));
    return found == null ? Optional.<TableStatistics>empty() : Optional.of(found.statistics());
  }

  /** See {@link CosmosEmulator#allStatistics()}. */
  List<TableStatistics> allStatistics() {
    List<TableStatistics> all = new ArrayList<>();
    for (PhysicalPartitions scope : partitions.values()) {
      all.add(scope.statistics());
    }
    return all;
  }

  /** Zeroes every counter; throughput and layouts stay. */
  void resetStatistics() {
    for (PhysicalPartitions scope : partitions.values()) {
      scope.reset();
    }
  }

  private String scopeOf(String table) {
    if (!throughputs.containsKey(table)) {
      int dot = table.indexOf('.');
      if (dot > 0 && throughputs.containsKey(table.substring(0, dot))) {
        return table.substring(0, dot);
      }
      provisionTableDefault(table);
    }
    return table;
  }

  private PhysicalPartitions newPartitions(String name, Throughput throughput) {
    boolean keyspace = name.indexOf('.') < 0;
    return new PhysicalPartitions(
        name,
        throughput,
        PhysicalPartitions.startingCount(throughput, keyspace),
        placementSecret,
        burstCapacity);
  }
}

package io.github.cosmosspark.testkit.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The throughput provisioned for each table and for each keyspace that shares its throughput, and
 * the request-unit budget each such scope draws on, with its counters. A table without throughput
 * of its own draws on its keyspace's shared budget if there is one, else gets Cosmos's default.
 * Names are {@code keyspace.table} or {@code keyspace}, lower case.
 */
final class Provisioning {

  private final double burstSeconds;
  private final Map<String, Throughput> throughputs = new ConcurrentHashMap<>();
  private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

  /** Budgets that may save up {@code burstSeconds} of unused throughput. */
  Provisioning(double burstSeconds) {
    this.burstSeconds = burstSeconds;
  }

  /** Sets a table's or keyspace's throughput, resizing its budget if it has one already. */
  void provision(String name, Throughput throughput) {
    throughputs.put(name, throughput);
    Budget budget = budgets.get(name);
    if (budget != null) {
      budget.provision(throughput.ruPerSecond(), System.nanoTime());
    }
  }

  boolean hasOwnThroughput(String name) {
    return throughputs.containsKey(name);
  }

  /** A table without its own throughput gets Cosmos's default, unless its keyspace shares one. */
  void provisionTableDefault(String table) {
    int dot = table.indexOf('.');
    if (dot < 0 || !throughputs.containsKey(table.substring(0, dot))) {
      provision(table, new Throughput(Throughput.DEFAULT_TABLE_RU_PER_SECOND, false));
    }
  }

  /** The budget a table draws on: its own, its keyspace's shared one, or Cosmos's default. */
  Budget budget(String table) {
    String scope = table;
    if (!throughputs.containsKey(table)) {
      int dot = table.indexOf('.');
      if (dot > 0 && throughputs.containsKey(table.substring(0, dot))) {
        scope = table.substring(0, dot);
      } else {
        provisionTableDefault(table);
      }
    }
    return budgets.computeIfAbsent(
        scope,
        k -> new Budget(k, throughputs.get(k).ruPerSecond(), burstSeconds, System.nanoTime()));
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
    Budget budget = budgets.get(scope.toLowerCase(Locale.ROOT));
    return budget == null ? Optional.<TableStatistics>empty() : Optional.of(budget.statistics());
  }

  /** See {@link CosmosEmulator#allStatistics()}. */
  List<TableStatistics> allStatistics() {
    List<TableStatistics> all = new ArrayList<>();
    for (Budget budget : budgets.values()) {
      all.add(budget.statistics());
    }
    return all;
  }

  /** Zeroes every counter; budgets and throughput stay. */
  void resetStatistics() {
    for (Budget budget : budgets.values()) {
      budget.reset();
    }
  }
}

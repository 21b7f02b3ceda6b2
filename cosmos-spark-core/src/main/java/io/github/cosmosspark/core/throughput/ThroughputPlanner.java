package io.github.cosmosspark.core.throughput;

import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.ThroughputSettings;
import io.github.cosmosspark.core.config.WarnOnce;
import io.github.cosmosspark.core.cql.CqlRequest;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans a job's budget on one table, on the driver: the target, or a fraction of the table's
 * throughput, split evenly among the executors that exist now.
 */
public final class ThroughputPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(ThroughputPlanner.class);

  private ThroughputPlanner() {}

  /**
   * The job's budget for {@code keyspace.table}: an empty one (share 0) when throughput control is
   * off, null when nothing says what the table can take.
   *
   * @param provisioned what DDL this JVM ran provisioned, for the fraction
   * @param warnings where "no budget" is said once per table
   */
  public static BudgetPlan plan(
      ThroughputSettings settings,
      String keyspace,
      String table,
      SparkContext spark,
      ProvisionedThroughput provisioned,
      WarnOnce warnings) {
    String name = CqlRequest.internalName(keyspace) + "." + CqlRequest.internalName(table);
    if (settings == null) {
      return null;
    }
    if (!settings.enabled()) {
      // An empty budget: executors stop admitting this table's requests, even after another job.
      return new BudgetPlan(new TableBudget(name, 0, 1), 0, "throughput control off", 1, 1);
    }
    double total;
    String why;
    long provisionedRuPerSecond =
        settings.provisionedRuPerSecond() != null
            ? settings.provisionedRuPerSecond()
            : provisioned.forTable(name);
    if (settings.targetRuPerSecond() != null) {
      total = settings.targetRuPerSecond();
      why = "the target, " + CosmosOptions.THROUGHPUT_TARGET.key();
    } else if (provisionedRuPerSecond > 0) {
      total = settings.fraction() * provisionedRuPerSecond;
      why =
          String.format(
              "%.0f%% of %,d RU/s %s",
              settings.fraction() * 100,
              provisionedRuPerSecond,
              settings.provisionedRuPerSecond() != null ? "declared" : "provisioned by this job");
    } else {
      warnings.info(
          LOG,
          "no-budget " + name,
          "No throughput budget for {}: Cosmos does not say a table's throughput over CQL. Set"
              + " {} (the table's RU/s) or {} to send at the table's rate instead of retrying"
              + " 429s.",
          name,
          CosmosOptions.THROUGHPUT_PROVISIONED.key(),
          CosmosOptions.THROUGHPUT_TARGET.key());
      return null;
    }
    int executors = executors(spark);
    int tasks = tasksPerExecutor(spark);
    return new BudgetPlan(
        new TableBudget(name, total, executors, tasks), total, why, executors, tasks);
  }

  /** Tasks one executor runs at once: its cores, or in local mode the driver's task threads. */
  static int tasksPerExecutor(SparkContext spark) {
    if (spark == null) {
      return 1;
    }
    if (spark.isLocal()) {
      return Math.max(1, spark.defaultParallelism());
    }
    int cores = spark.getConf().getInt("spark.executor.cores", 0);
    return cores > 0 ? cores : Math.max(1, spark.defaultParallelism() / executors(spark));
  }

  /** Executors registered now; in local mode the driver is the one executor. */
  static int executors(SparkContext spark) {
    if (spark == null || spark.isLocal()) {
      return 1;
    }
    int registered = spark.getExecutorMemoryStatus().size() - 1;
    if (registered > 0) {
      return registered;
    }
    return Math.max(1, spark.getConf().getInt("spark.executor.instances", 1));
  }
}

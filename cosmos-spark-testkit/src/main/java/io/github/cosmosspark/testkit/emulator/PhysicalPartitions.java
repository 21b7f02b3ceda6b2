package io.github.cosmosspark.testkit.emulator;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The physical partitions of one table or shared-throughput keyspace: each owns an equal range of
 * the partition-key hash space and an equal share of the scope's RU/s, with a budget of its own.
 *
 * <p>Keys are placed by a keyed hash (SHA-256 of a secret and the key's serialized bytes), not by
 * Cassandra's Murmur3 token: on Cosmos what {@code token()} returns is not Cassandra's value
 * either, so a client that found a key's partition by computing Cassandra's token here would fail
 * there. Microsoft does not document Cosmos's hash for this API.
 */
final class PhysicalPartitions {

  /**
   * The most a physical partition serves
   * (https://learn.microsoft.com/azure/cosmos-db/partitioning-overview).
   */
  static final int MAX_RU_PER_PARTITION = 10_000;

  /**
   * The fewest RU/s per partition a layout may have: partitions are only ever made by splits, at
   * 10,000 RU/s each, and a table's throughput can be lowered to no less than a hundredth of the
   * highest it had (https://learn.microsoft.com/azure/cosmos-db/concepts-limits).
   */
  static final int MIN_RU_PER_PARTITION = MAX_RU_PER_PARTITION / 100;

  private final String scope;
  private final byte[] secret;
  private final boolean burstCapacity;
  private Throughput throughput;
  private Budget[] budgets;
  private double charged;
  private long requests;
  private long rateLimited;
  private final Map<Long, Double> perSecond = new HashMap<>();
  private final Map<Integer, Long> writeFailures = new java.util.TreeMap<>();

  PhysicalPartitions(
      String scope, Throughput throughput, int count, byte[] secret, boolean burstCapacity) {
    this.scope = scope;
    this.secret = secret.clone();
    this.burstCapacity = burstCapacity;
    this.throughput = throughput;
    this.budgets = budgets(count, System.nanoTime());
  }

  /**
   * How many physical partitions Cosmos starts a scope with: its starting RU/s over 6,000 for a
   * table with dedicated manual throughput, over 10,000 for autoscale and for shared keyspaces
   * (Microsoft's support article "Know how many physical partitions does a database or collection
   * start with", Azure self-help content, article 95a235a8-1ca7-4555-8a7f-959b3b66f5ef).
   */
  static int startingCount(Throughput throughput, boolean keyspace) {
    double perPartition = !throughput.autoscale() && !keyspace ? 6_000 : MAX_RU_PER_PARTITION;
    return Math.max(1, (int) Math.ceil(throughput.ruPerSecond() / perPartition));
  }

  /** Why {@code count} partitions cannot carry {@code ruPerSecond}, or null if they can. */
  static String refusal(String scope, int count, int ruPerSecond) {
    if (count < 1) {
      return "physicalPartitions for " + scope + " must be at least 1, got " + count;
    }
    if ((long) count * MAX_RU_PER_PARTITION < ruPerSecond) {
      return "physicalPartitions for "
          + scope
          + " must be at least "
          + (int) Math.ceil(ruPerSecond / (double) MAX_RU_PER_PARTITION)
          + " for "
          + ruPerSecond
          + " RU/s, since a physical partition serves at most "
          + MAX_RU_PER_PARTITION
          + " RU/s; got "
          + count;
    }
    if (count > 1 && (long) count * MIN_RU_PER_PARTITION > ruPerSecond) {
      return "physicalPartitions for "
          + scope
          + " can be at most "
          + Math.max(1, ruPerSecond / MIN_RU_PER_PARTITION)
          + " for "
          + ruPerSecond
          + " RU/s: Cosmos splits a partition at 10,000 RU/s and lets throughput fall to no less"
          + " than a hundredth of its highest, so a partition never has under "
          + MIN_RU_PER_PARTITION
          + " RU/s; got "
          + count;
    }
    return null;
  }

  synchronized int count() {
    return budgets.length;
  }

  synchronized Throughput throughput() {
    return throughput;
  }

  /**
   * New throughput, at once: more partitions (a split) if the layout cannot carry it, never fewer.
   */
  synchronized void provision(Throughput newThroughput) {
    throughput = newThroughput;
    long now = System.nanoTime();
    int needed = (int) Math.ceil(newThroughput.ruPerSecond() / (double) MAX_RU_PER_PARTITION);
    if (needed > budgets.length) {
      budgets = budgets(needed, now);
    } else {
      for (Budget budget : budgets) {
        budget.provision(share(), now);
      }
    }
  }

  /** Lays the scope out anew in {@code count} partitions; counters start again. */
  synchronized void repartition(int count) {
    budgets = budgets(count, System.nanoTime());
    reset();
  }

  /** The partition owning {@code key}, a serialized partition key. */
  synchronized int partitionOf(ByteBuffer key) {
    return indexOf(hash(key), budgets.length);
  }

  /** Where {@code key} falls in the placement hash space, 0 to 2^31 - 1 (feed ranges). */
  long hashPosition(ByteBuffer key) {
    return hash(key) >>> 33;
  }

  Budget budget(int index) {
    synchronized (this) {
      return budgets[index];
    }
  }

  /** Counts a request refused with a 429. */
  synchronized void countRefusal() {
    rateLimited++;
  }

  /** Counts a write refused with a write failure carrying Cosmos status {@code status}. */
  synchronized void countWriteFailure(int status) {
    writeFailures.merge(status, 1L, Long::sum);
  }

  /** Counts an executed request's whole charge, under the second it was admitted in. */
  synchronized void countCharge(double ru, long epochSecond) {
    charged += ru;
    requests++;
    perSecond.merge(epochSecond, ru, Double::sum);
  }

  synchronized TableStatistics statistics() {
    List<PartitionStatistics> partitions = new ArrayList<>();
    for (int i = 0; i < budgets.length; i++) {
      partitions.add(budgets[i].statistics(i));
    }
    return new TableStatistics(
        scope, charged, requests, rateLimited, writeFailures, perSecond, partitions);
  }

  synchronized void reset() {
    charged = 0;
    requests = 0;
    rateLimited = 0;
    perSecond.clear();
    writeFailures.clear();
    for (Budget budget : budgets) {
      budget.reset();
    }
  }

  private double share() {
    return throughput.ruPerSecond() / (double) budgets.length;
  }

  private Budget[] budgets(int count, long now) {
    Budget[] made = new Budget[count];
    double share = throughput.ruPerSecond() / (double) count;
    for (int i = 0; i < count; i++) {
      made[i] = new Budget(scope + "#" + i, share, burstCapacity, now);
    }
    return made;
  }

  /** Equal ranges of the hash space: the top 31 bits scaled to the partition count. */
  static int indexOf(long hash, int count) {
    return (int) (((hash >>> 33) * count) >>> 31);
  }

  private long hash(ByteBuffer key) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
    // The key alone decides, not the table: Cosmos hashes the partition key's value, so a key
    // falls in the same range of the hash space in every table, and a copy that arrives in one
    // table's token order arrives in the other's too.
    digest.update(secret);
    digest.update(key.duplicate());
    return ByteBuffer.wrap(digest.digest()).getLong();
  }
}

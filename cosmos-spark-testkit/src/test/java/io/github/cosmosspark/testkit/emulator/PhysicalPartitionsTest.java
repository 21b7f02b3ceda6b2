package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import com.datastax.oss.driver.internal.core.metadata.token.Murmur3Token;
import com.datastax.oss.driver.internal.core.metadata.token.Murmur3TokenFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layout rules and the placement of keys, without a server. */
class PhysicalPartitionsTest {

  private static final byte[] SECRET = {1, 2, 3, 4, 5, 6, 7, 8};

  @Test
  void startingLayoutsFollowMicrosoftsRule() {
    // Dedicated manual throughput: RU/s over 6,000; autoscale and shared keyspaces: over 10,000.
    assertEquals(1, PhysicalPartitions.startingCount(new Throughput(400, false), false));
    assertEquals(1, PhysicalPartitions.startingCount(new Throughput(6_000, false), false));
    assertEquals(2, PhysicalPartitions.startingCount(new Throughput(10_000, false), false));
    assertEquals(3, PhysicalPartitions.startingCount(new Throughput(25_000, true), false));
    assertEquals(1, PhysicalPartitions.startingCount(new Throughput(4_000, true), false));
    assertEquals(4, PhysicalPartitions.startingCount(new Throughput(35_000, false), true));
    assertEquals(1, PhysicalPartitions.startingCount(new Throughput(10_000, false), true));
  }

  @Test
  void layoutsCosmosCouldNotHaveAreRefusedNamingTheSetting() {
    assertEquals(
        "physicalPartitions for ks.t must be at least 1, got 0",
        PhysicalPartitions.refusal("ks.t", 0, 4_000));
    assertEquals(
        "physicalPartitions for ks.t must be at least 1, got -2",
        PhysicalPartitions.refusal("ks.t", -2, 4_000));
    assertEquals(
        "physicalPartitions for ks.t must be at least 3 for 25000 RU/s, since a physical partition"
            + " serves at most 10000 RU/s; got 2",
        PhysicalPartitions.refusal("ks.t", 2, 25_000));
    assertEquals(
        "physicalPartitions for ks.t can be at most 40 for 4000 RU/s: Cosmos splits a partition at"
            + " 10,000 RU/s and lets throughput fall to no less than a hundredth of its highest, so"
            + " a partition never has under 100 RU/s; got 41",
        PhysicalPartitions.refusal("ks.t", 41, 4_000));
    assertNull(PhysicalPartitions.refusal("ks.t", 4, 4_000));
    assertNull(PhysicalPartitions.refusal("ks.t", 40, 4_000));
    assertNull(PhysicalPartitions.refusal("ks.t", 1, 400));
  }

  @Test
  void eachPartitionOwnsAnEqualRangeOfTheHashSpace() {
    assertEquals(0, PhysicalPartitions.indexOf(0L, 4));
    assertEquals(0, PhysicalPartitions.indexOf(0x3FFF_FFFF_FFFF_FFFFL, 4));
    assertEquals(1, PhysicalPartitions.indexOf(0x4000_0000_0000_0000L, 4));
    assertEquals(2, PhysicalPartitions.indexOf(0x8000_0000_0000_0000L, 4));
    assertEquals(3, PhysicalPartitions.indexOf(-1L, 4));
    assertEquals(0, PhysicalPartitions.indexOf(-1L, 1));
  }

  @Test
  void keysSpreadEvenlyAndCassandrasTokenDoesNotTellTheirPartition() {
    PhysicalPartitions partitions =
        new PhysicalPartitions("ks.t", new Throughput(4_000, false), 4, SECRET, false);
    Murmur3TokenFactory murmur3 = new Murmur3TokenFactory();
    List<long[]> keys = new ArrayList<>();
    int[] perPartition = new int[4];
    for (int id = 0; id < 8_000; id++) {
      ByteBuffer key = TypeCodecs.INT.encode(id, ProtocolVersion.V4);
      int partition = partitions.partitionOf(key);
      perPartition[partition]++;
      long token = ((Murmur3Token) murmur3.hash(key)).getValue();
      keys.add(new long[] {token, partition});
    }
    for (int count : perPartition) {
      assertTrue(count > 1_800 && count < 2_200, "uneven placement: " + count);
    }
    // The quarter of keys with the lowest Cassandra tokens lies in every partition about equally,
    // where a layout by Cassandra's token would put them all in one.
    keys.sort(Comparator.comparingLong(k -> k[0]));
    int[] firstQuarter = new int[4];
    for (int i = 0; i < 2_000; i++) {
      firstQuarter[(int) keys.get(i)[1]]++;
    }
    for (int count : firstQuarter) {
      assertTrue(count > 400 && count < 600, "Cassandra's token predicts placement: " + count);
    }
  }

  @Test
  void aKeyFallsInTheSameRangeOfTheHashSpaceInEveryTable() {
    PhysicalPartitions four =
        new PhysicalPartitions("ks.a", new Throughput(4_000, false), 4, SECRET, false);
    PhysicalPartitions eight =
        new PhysicalPartitions("ks.b", new Throughput(8_000, false), 8, SECRET, false);
    for (int id = 0; id < 200; id++) {
      ByteBuffer key = TypeCodecs.INT.encode(id, ProtocolVersion.V4);
      // Eight equal ranges halve each of four: the same hash value, the matching half.
      assertEquals(four.partitionOf(key), eight.partitionOf(key) / 2, "key " + id);
    }
  }

  @Test
  void raisingThroughputPastTheLayoutSplitsAndLoweringItKeepsThePartitions() {
    PhysicalPartitions partitions =
        new PhysicalPartitions("ks.t", new Throughput(4_000, false), 1, SECRET, false);
    partitions.provision(new Throughput(25_000, false));
    assertEquals(3, partitions.count());
    assertEquals(25_000 / 3.0, partitions.budget(0).ruPerSecond(), 1e-9);
    partitions.provision(new Throughput(1_000, false));
    assertEquals(3, partitions.count());
    assertEquals(1_000 / 3.0, partitions.budget(2).ruPerSecond(), 1e-9);
  }
}

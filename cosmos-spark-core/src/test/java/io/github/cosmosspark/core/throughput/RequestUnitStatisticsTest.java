package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The request units counted per table are the ones the emulator charged, to the hundredth. */
@CosmosEmulatorTest
class RequestUnitStatisticsTest {
  private static final String KEYSPACE = "request_units";
  private static final int ROWS = 300;

  private final SparkSession spark = LocalSpark.session();

  @Test
  void countsEveryChargeOfRequestsSentAtOnce(CosmosEmulator emulator) {
    assertCountsWhatWasCharged(emulator, "unthrottled", "throughput.control", "false");
  }

  @Test
  void countsEveryChargeOfRequestsAdmittedByABudget(CosmosEmulator emulator) {
    assertCountsWhatWasCharged(emulator, "throttled", "throughput.targetRuPerSecond", "1000000");
  }

  private void assertCountsWhatWasCharged(
      CosmosEmulator emulator, String table, String option, String value) {
    String name = KEYSPACE + "." + table;
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 10_000);
    Map<String, String> options = EmulatorBooks.options(emulator, KEYSPACE, table);
    options.put(option, value);
    try {
      EmulatorBooks.books(spark, 0, ROWS)
          .write()
          .format("cosmoscassandra")
          .options(options)
          .mode("append")
          .save();
      RequestUnitStatistics.Snapshot written = CosmosRuntime.get().requestUnits().of(name);
      assertEquals(ROWS, written.answers(), "one charged answer per row written");
      assertEquals(ROWS, spark.read().format("cosmoscassandra").options(options).load().count());

      assertEquals(
          emulator.statistics(name).get().requestUnits(),
          CosmosRuntime.get().requestUnits().of(name).requestUnits(),
          0.01);
    } finally {
      CosmosRuntimes.forgetJobs();
    }
  }
}

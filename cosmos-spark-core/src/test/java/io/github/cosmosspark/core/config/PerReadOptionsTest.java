package io.github.cosmosspark.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which per-read keys pass, which are mapped, which are refused; no Spark needed. */
class PerReadOptionsTest {
  private static final ConnectorNames CONNECTOR =
      ConnectorNames.of(
          Arrays.asList(
              "spark.cassandra.output.consistency.level",
              "spark.cassandra.output.concurrent.writes",
              "spark.cassandra.input.fetch.sizeInRows",
              "ttl",
              "writetime",
              "directJoinSetting"),
          Arrays.asList("keyspace", "table", "cluster", "pushdown", "confirm.truncate"));

  @Test
  void cosmosOptionsConnectorNamesAndSparksOwnPassUnchanged() {
    Map<String, String> given = new LinkedHashMap<>();
    for (String key :
        Arrays.asList(
            "account",
            "spark.cosmos.cassandra.host",
            "THROUGHPUT.targetRuPerSecond",
            "keyspace",
            "table",
            "cluster",
            "pushdown",
            "confirm.truncate",
            "ttl",
            "WriteTime",
            "directjoinsetting",
            "spark.cassandra.input.fetch.sizeinrows",
            "spark.cassandra.query.retry.count",
            "spark.cassandra.splitCount",
            "path",
            "checkpointLocation")) {
      given.put(key, "1");
    }
    assertEquals(given, PerReadOptions.check(given, CONNECTOR, new WarnOnce()));
  }

  @Test
  void shortAndSqlNamesOfConnectorSettingsAreMappedToTheirFullNames() {
    Map<String, String> given = new LinkedHashMap<>();
    given.put("output.consistency.level", "ALL");
    given.put("spark_cassandra_input_fetch_sizeInRows", "100");
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("spark.cassandra.output.consistency.level", "ALL");
    expected.put("spark.cassandra.input.fetch.sizeInRows", "100");
    assertEquals(expected, PerReadOptions.check(given, CONNECTOR, new WarnOnce()));
  }

  @Test
  void aShortNameBesideItsFullNameWithTheSameValueIsDropped() {
    Map<String, String> given = new LinkedHashMap<>();
    given.put("output.consistency.level", "ALL");
    given.put("spark.cassandra.output.consistency.level", "ALL");
    assertEquals(
        Collections.singletonMap("spark.cassandra.output.consistency.level", "ALL"),
        PerReadOptions.check(given, CONNECTOR, new WarnOnce()));
  }

  @Test
  void keysMeantForCosmosSparkOrTheConnectorAreRefusedWithTheNearestName() {
    assertRefused("throughput.targetRuPerSecnd", "throughput.targetRuPerSecond");
    assertRefused("retry.maxAtempts", "retry.maxAttempts");
    assertRefused("tls.enable", "tls.enabled");
    assertRefused("keyspce", "keyspace");
    assertRefused("tabel", "table");
    assertRefused("tl", "ttl");
    assertRefused("output.concurrent.write", "spark.cassandra.output.concurrent.writes");
    assertRefused("input.fetch.size", "spark.cassandra.input.fetch.sizeInRows");
    assertRefused("spark.cassandra.splitcounts", "spark.cassandra.splitCount");
    assertRefused("spark.cassandra.whatever", null);
  }

  @Test
  void unrelatedKeysPass() {
    Map<String, String> given = new LinkedHashMap<>();
    for (String key : Arrays.asList("mergeSchema", "header", "url", "mode", "queryName")) {
      given.put(key, "x");
    }
    assertEquals(given, PerReadOptions.check(given, CONNECTOR, new WarnOnce()));
  }

  private static void assertRefused(String key, String meant) {
    CosmosConfigException error =
        assertThrows(
            CosmosConfigException.class,
            () ->
                PerReadOptions.check(
                    Collections.singletonMap(key, "1"), CONNECTOR, new WarnOnce()));
    String expected = "Unknown option '" + key + "'; did you mean '";
    if (meant != null) {
      expected += meant + "'?";
    }
    String message = error.getMessage();
    assertEquals(true, message.startsWith(expected), message);
  }
}

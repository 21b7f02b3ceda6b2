package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.config.WarnOnce;
import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Notebooks written for Microsoft's helper and connector 2.x run unchanged, with warnings. */
@CassandraTest
class LegacySettingsTest {
  private static final String FACTORY = "spark.cassandra.connection.factory";
  private static final String CONNECTIONS = LegacySettings.CONNECTIONS_PER_EXECUTOR_MAX;
  private static final String RETRY_COUNT = LegacySettings.QUERY_RETRY_COUNT;

  @Test
  void theHelpersFactoryAndOldSettingNamesWorkAndEachIsWarnedAboutOnce(
      TestKeyspace keyspace, CassandraServer server) {
    keyspace
        .session()
        .execute(
            "CREATE TABLE " + keyspace.qualified("books") + " (id int PRIMARY KEY, title text)");
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books =
        spark.range(100).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");
    List<String> warnings = new CopyOnWriteArrayList<>();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig logger =
        context.getConfiguration().getLoggerConfig(LegacySettings.class.getName());
    AbstractAppender capture =
        new AbstractAppender("capture-legacy", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            // The appender sits on the logger's configuration, which may be the root's: warnings
            // of background work in this JVM (another test's token renewals) are not this test's.
            if (event.getLoggerName().startsWith("io.github.cosmosspark.core.")
                && !event.getLoggerName().contains(".session.Entra")) {
              warnings.add(event.getMessage().getFormattedMessage());
            }
          }
        };
    capture.start();
    CosmosRuntimes.forgetJobs();
    logger.addAppender(capture, Level.WARN, null);
    context.updateLoggers();
    spark.conf().set(FACTORY, LegacySettings.HELPER_FACTORY);
    spark.conf().set(CONNECTIONS, "10");
    spark.conf().set(RETRY_COUNT, "-1");
    Dataset<Row> read;
    try {
      TestServerOptions.writer(books, server, keyspace.name(), "books").mode("append").save();
      read = TestServerOptions.reader(spark, server, keyspace.name(), "books").load();
      assertEquals(100, read.count());
      assertSameRowsByKey(books, read, "id");
      assertFalse(
          spark.conf().contains(CONNECTIONS), "taken out, or the connector would refuse to run");
    } finally {
      spark.conf().unset(FACTORY);
      spark.conf().unset(CONNECTIONS);
      spark.conf().unset(RETRY_COUNT);
      logger.removeAppender("capture-legacy");
      context.updateLoggers();
    }

    assertEquals(3, warnings.size(), String.valueOf(warnings));
    assertTrue(
        about(warnings, FACTORY).get(0).contains(LegacySettings.HELPER_FACTORY),
        warnings.toString());
    assertTrue(
        about(warnings, CONNECTIONS).get(0).contains("remoteConnectionsPerExecutor"),
        warnings.toString());
    assertTrue(
        about(warnings, RETRY_COUNT)
            .get(0)
            .contains("'spark.cosmos.cassandra.retry.maxAttempts=unlimited'"),
        warnings.toString());
  }

  @Test
  void connectionsPerExecutorMaxSetsBothPoolSizesUnlessTheyAreSet() {
    Map<String, String> perRead = new HashMap<>();
    perRead.put("account", "acct");
    perRead.put("password", "secret");
    perRead.put("keyspace", "ks");
    perRead.put("table", "t");
    perRead.put(CONNECTIONS, "10");
    Map<String, String> configuration = new HashMap<>();
    configuration.put("spark.cassandra.connection.localConnectionsPerExecutor", "2");
    CosmosCassandraConfig config = CosmosCassandraConfig.resolve(perRead, configuration);

    Map<String, String> translated =
        ConnectorOptions.translate(config, perRead, configuration, new WarnOnce());

    assertEquals("10", translated.get("spark.cassandra.connection.remoteConnectionsPerExecutor"));
    assertFalse(translated.containsKey("spark.cassandra.connection.localConnectionsPerExecutor"));
    assertFalse(translated.containsKey(CONNECTIONS));
  }

  private static List<String> about(List<String> warnings, String key) {
    return warnings.stream().filter(w -> w.contains("'" + key)).collect(Collectors.toList());
  }
}

package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.session.CosmosRuntimes;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@CassandraTest
class RunTimeSecretWarningTest {

  @Test
  void aKeySetInTheSessionAtRunTimeIsWarnedAboutOnceWithoutItsValue(
      TestKeyspace keyspace, CassandraServer server) {
    keyspace
        .session()
        .execute("CREATE TABLE " + keyspace.qualified("books") + " (id int PRIMARY KEY)");
    SparkSession spark = LocalSpark.session();
    List<String> warnings = new CopyOnWriteArrayList<>();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig logger =
        context.getConfiguration().getLoggerConfig(CosmosCassandraTableProvider.class.getName());
    AbstractAppender capture =
        new AbstractAppender("capture-warnings", null, null, true, Property.EMPTY_ARRAY) {
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
    spark.conf().set("spark.cosmos.cassandra.password", server.password());
    try {
      for (int i = 0; i < 2; i++) {
        TestServerOptions.reader(spark, server, keyspace.name(), "books").load();
      }
    } finally {
      spark.conf().unset("spark.cosmos.cassandra.password");
      logger.removeAppender("capture-warnings");
      context.updateLoggers();
    }

    List<String> aboutTheKey =
        warnings.stream()
            .filter(w -> w.contains("'spark.cosmos.cassandra.password'"))
            .collect(Collectors.toList());
    assertEquals(1, aboutTheKey.size(), String.valueOf(warnings));
    assertTrue(aboutTheKey.get(0).contains("event log"), aboutTheKey.get(0));
    assertFalse(String.join("\n", warnings).contains(server.password()));
  }
}

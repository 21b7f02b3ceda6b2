package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.around;
import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.read;
import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.readAll;
import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.runWithDebugLogging;
import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.tail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * After each failure of the reliability suite (a 429 storm, Cassandra killed mid-write, connections
 * dropped mid-scan, a latency spike, a read-only key, a wrong key, a missing table, an untrusted
 * certificate), with DEBUG logging everywhere, neither the account's read-write key nor its
 * read-only key appears in the logs, exceptions, plans, event log or the Spark UI's pages.
 */
class SecretsAfterFailuresTest {

  @TempDir Path out;
  @TempDir Path keys;

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void noKeyAppearsAnywhereAfterTheFailureScenarios() throws Exception {
    byte[] bytes = new byte[64];
    new SecureRandom().nextBytes(bytes);
    String key = Base64.getEncoder().encodeToString(bytes);
    Path readOnlyKeyFile = keys.resolve("read-only-key");
    Path output =
        runWithDebugLogging(
            out,
            FailureScenarios.class,
            Collections.singletonMap("SCENARIO_KEY", key),
            7,
            out.toString(),
            readOnlyKeyFile.toString());

    String logs = read(output);
    String readOnlyKey = read(readOnlyKeyFile);
    assertTrue(logs.contains("SCENARIOS DONE"), tail(logs));
    assertTrue(logs.contains("DEBUG "), "DEBUG logging was not on");
    assertTrue(logs.contains("STORM ROWS: 1000"), tail(logs));
    assertTrue(logs.contains("KILLED WRITE: killed true, rows 4000"), tail(logs));
    assertTrue(logs.contains("DROPPED SCAN: dropped true, rows 4000"), tail(logs));
    for (String failure :
        Arrays.asList(
            "LATENCY", "READ-ONLY KEY", "WRONG KEY", "MISSING TABLE", "UNTRUSTED CERTIFICATE")) {
      assertTrue(logs.contains(failure + ": FAILED AS EXPECTED"), failure + "\n" + tail(logs));
    }
    assertTrue(logs.contains("Operation not allowed with a read-only key"), "read-only refusal");
    assertTrue(logs.contains("FILTERED ROWS: 1"), tail(logs));
    assertTrue(logs.contains("== Physical Plan =="), "no plan was printed");

    String eventLog = readAll(out.resolve("events"));
    assertTrue(eventLog.contains("SparkListenerSQLExecutionStart"), "event log is incomplete");
    assertTrue(eventLog.contains("spark.cosmos.cassandra.password"), "event log lacks the env");
    String environment = read(out.resolve("ui-environment.html"));
    assertTrue(environment.contains("spark.cosmos.cassandra.password"), environment);
    String uiPages = readAll(out, "ui-");
    assertTrue(uiPages.contains("BatchScan"), "the UI's SQL pages show no plan");

    // Whole keys, and each run of 12 or more letters and digits in them: a key escaped for a URL
    // or a page differs only in its '+', '/' and '='.
    List<String> secrets = new ArrayList<>(Arrays.asList(key, readOnlyKey));
    for (String whole : Arrays.asList(key, readOnlyKey)) {
      for (String run : whole.split("[^A-Za-z0-9]+")) {
        if (run.length() >= 12) {
          secrets.add(run);
        }
      }
    }
    for (String secret : secrets) {
      assertEquals(-1, logs.indexOf(secret), "key in logs: " + around(logs, secret));
      assertEquals(-1, eventLog.indexOf(secret), "key in event log: " + around(eventLog, secret));
      assertEquals(-1, uiPages.indexOf(secret), "key on a UI page: " + around(uiPages, secret));
    }
    System.out.printf(
        "secrets after failures: %,d bytes of DEBUG output, %,d of event log, %,d of UI pages"
            + " searched; no key found%n",
        logs.length(), eventLog.length(), uiPages.length());
  }
}

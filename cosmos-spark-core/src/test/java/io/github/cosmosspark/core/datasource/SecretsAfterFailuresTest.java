package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.around;
import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.read;
import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.readAll;
import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.runWithDebugLogging;
import static io.github.cosmosspark.core.datasource.SecretsNeverLeakTest.tail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * After every scenario of the reliability suite, each small (a 429 storm on a write and on a scan,
 * Cassandra killed mid-write, connections dropped mid-scan, latency spikes while planning, bridged
 * mid-write and mid-scan and failing a task, a read-only key, a wrong key, a missing table, bad
 * input holding the key, certificates from another CA and for another host, TLS weakened through a
 * relay, concurrent writes), with DEBUG logging everywhere, neither the account's read-write key
 * nor its read-only key appears in the logs, exceptions, plans, event log or the Spark UI's pages
 * (HTML, and the REST API's JSON its scripts render). Each scenario's outcome is checked too, so
 * that a scenario that did not happen cannot pass for one that leaked nothing.
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
    numbers(logs, "SCENARIO TIMES \\(ms\\): \\{storm=(\\d+), .*, UI pages=(\\d+)\\}");

    long[] stormWrite =
        numbers(logs, "STORM WRITE: rows (\\d+), 429s (\\d+), connector saw (\\d+)");
    assertEquals(1_000, stormWrite[0]);
    assertTrue(stormWrite[1] > 0, "the emulator answered the storm's writes with 429s");
    assertTrue(stormWrite[2] > 0, "the connector saw the storm's 429s");
    long[] stormScan = numbers(logs, "STORM SCAN: rows (\\d+), 429s (\\d+), connector saw (\\d+)");
    assertEquals(200, stormScan[0]);
    assertTrue(stormScan[1] > 0, "the emulator answered the scan's pages with 429s");
    assertTrue(stormScan[2] > 0, "the connector saw the scan's 429s");
    assertTrue(logs.contains("KILLED WRITE: killed true, rows 4000"), tail(logs));
    assertTrue(logs.contains("DROPPED SCAN: dropped true, rows 4000"), tail(logs));
    long[] bridgedWrite =
        numbers(
            logs, "LATENCY BRIDGED WRITE: rows (\\d+), timeouts resent (\\d+), spike (\\d+) ms");
    assertEquals(2_000, bridgedWrite[0]);
    assertTrue(bridgedWrite[1] > 0, "writes timed out in the spike and were resent");
    long[] bridgedScan =
        numbers(logs, "LATENCY BRIDGED SCAN: rows (\\d+), timeouts resent (\\d+), spike (\\d+) ms");
    assertEquals(4_000, bridgedScan[0]);
    assertTrue(bridgedScan[1] > 0, "pages timed out in the spike and were resent");
    for (String failure :
        Arrays.asList(
            "LATENCY WHILE PLANNING",
            "LATENCY IN A TASK",
            "READ-ONLY KEY",
            "WRONG KEY",
            "MISSING TABLE",
            "UNTRUSTED CERTIFICATE",
            "NOSQL CONNECTION STRING",
            "OTHER ACCOUNT'S CONNECTION STRING",
            "EMPTY KEY",
            "COLUMN THE TABLE LACKS",
            "NULL PRIMARY KEY",
            "ROW OVER 2 MB",
            "CERTIFICATE FOR ANOTHER HOST")) {
      assertTrue(logs.contains(failure + ": FAILED AS EXPECTED"), failure + "\n" + tail(logs));
    }
    assertTrue(logs.contains("BAD INPUT TABLE: rows 0"), tail(logs));
    long[] hostnameOff =
        numbers(
            logs,
            "TLS HOSTNAME VERIFICATION OFF: rows (\\d+), relayed (\\d+) bytes, refused handshakes"
                + " (\\d+)");
    assertEquals(200, hostnameOff[0]);
    assertTrue(hostnameOff[1] > 0, "the rows went through the relay");
    assertTrue(hostnameOff[2] > 0, "the certificate for another host was refused first");
    long[] tlsOff = numbers(logs, "TLS OFF: rows (\\d+), relayed (\\d+) bytes");
    assertEquals(200, tlsOff[0]);
    assertTrue(tlsOff[1] > 0, "the rows went through the plain-text relay");
    assertTrue(logs.contains("LOAD: shared 1500, a 1000, b 1000"), tail(logs));
    assertTrue(logs.contains("FILTERED ROWS: 1"), tail(logs));
    assertTrue(logs.contains("== Physical Plan =="), "no plan was printed");

    String eventLog = readAll(out.resolve("events"));
    assertTrue(eventLog.contains("SparkListenerSQLExecutionStart"), "event log is incomplete");
    assertTrue(eventLog.contains("spark.cosmos.cassandra.password"), "event log lacks the env");

    long[] ui =
        numbers(
            logs,
            "UI PAGES: (\\d+) saved with HTTP 200 \\((\\d+) jobs, (\\d+) failed stage attempts,"
                + " (\\d+) SQL executions\\)");
    // The tasks that failed: the read with no timeout retries, the read-only key's write, the
    // null primary key and the row over 2 MB.
    assertEquals(4, ui[2], "failed stage attempts");
    // Seven fixed pages, one per job and SQL execution, two per failed stage attempt.
    assertEquals(7 + ui[1] + ui[3] + 2 * ui[2], ui[0]);
    assertEquals(ui[0], countFiles(out, "ui-"), "pages saved");
    String environment = read(out.resolve("ui-environment.html"));
    assertTrue(
        Pattern.compile(
                "<td>spark\\.cosmos\\.cassandra\\.password</td>\\s*<td>\\*{9}\\(redacted\\)</td>")
            .matcher(environment)
            .find(),
        "the Environment page shows the key's setting, redacted: "
            + around(environment, "spark.cosmos.cassandra.password"));
    String uiPages = readAll(out, "ui-");
    assertTrue(uiPages.contains("BatchScan"), "the UI's SQL pages show no plan");
    for (String taskFailure :
        Arrays.asList(
            "timed out once (spark.cosmos.cassandra.retry.timeoutRetries=0)",
            "Operation not allowed with a read-only key",
            "has no value in its partition key column",
            "Cosmos DB stores at most 2097152 bytes (2 MB) in one row")) {
      assertTrue(uiPages.contains(taskFailure), "the UI shows the failed task's " + taskFailure);
    }

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
        "secrets after failures: %,d bytes of DEBUG output, %,d of event log, %,d of %d UI pages"
            + " searched for %d strings; no key found%n",
        logs.length(), eventLog.length(), uiPages.length(), ui[0], secrets.size());
  }

  /** The numbers {@code pattern}'s groups matched in the first line that matches it. */
  private static long[] numbers(String logs, String pattern) {
    Matcher line = Pattern.compile(pattern).matcher(logs);
    assertTrue(line.find(), "no line matches " + pattern + "\n" + tail(logs));
    long[] numbers = new long[line.groupCount()];
    for (int group = 1; group <= numbers.length; group++) {
      numbers[group - 1] = Long.parseLong(line.group(group));
    }
    System.out.println("secrets after failures: " + line.group());
    return numbers;
  }

  private static long countFiles(Path directory, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix)).count();
    }
  }
}

package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.DataPlaneRole;
import io.github.cosmosspark.testkit.entra.EntraTokenEndpoint;
import io.github.cosmosspark.testkit.entra.TestTokenIssuer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account key and the trust store password, used the ways users use them, must appear in no log
 * line at any level, no printed plan or exception, no event log and no page of the Spark UI: given
 * as a value, named by an environment variable ({@code passwordEnv}) and held in a file ({@code
 * passwordFile}).
 */
@CassandraTest
class SecretsNeverLeakTest {

  @TempDir Path out;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void noSecretAppearsInLogsPlansExceptionsEventLogOrUi(TestKeyspace ks, CassandraServer server)
      throws Exception {
    ks.session()
        .execute("CREATE TABLE " + ks.qualified("books") + " (id int PRIMARY KEY, title text)");
    Map<String, String> secrets = new HashMap<>();
    secrets.put("SCENARIO_PASSWORD", server.password());
    secrets.put("SCENARIO_STORE_PASSWORD", server.truststorePassword());
    secrets.put("SCENARIO_KEY", server.password());
    Path keyFile =
        Files.write(
            out.resolve("cosmos.key"), (server.password() + "\n").getBytes(StandardCharsets.UTF_8));
    Path wrongKeyFile =
        Files.write(
            out.resolve("wrong.key"),
            (server.password() + "-but-wrong").getBytes(StandardCharsets.UTF_8));
    Path output =
        runWithDebugLogging(
            out,
            SecretsScenario.class,
            secrets,
            4,
            out.toString(),
            server.host(),
            Integer.toString(server.port()),
            ks.name(),
            server.truststorePath().toString(),
            keyFile.toString(),
            wrongKeyFile.toString());

    String logs = read(output);
    assertTrue(logs.contains("SCENARIO DONE"), failureOf(logs));
    assertTrue(logs.contains("ROWS READ: 1"), tail(logs));
    assertTrue(logs.contains("DEBUG "), "DEBUG logging was not on");
    assertTrue(logs.contains("refused the credentials of account 'cassandra'"), tail(logs));
    assertTrue(logs.contains("== Physical Plan =="), "no plan was printed");
    assertTrue(logs.contains("CATALOG COUNT: 100"), "the catalog did not log in with passwordEnv");
    assertTrue(logs.contains("FILE KEY COUNT: 111"), "a read did not log in with passwordFile");
    assertTrue(
        logs.contains(
            "Environment variable 'SCENARIO_UNSET_VARIABLE', named by option 'passwordEnv', is not"
                + " set on the driver."),
        tail(logs));
    assertTrue(
        logs.contains(
            "File '"
                + out.resolve("no-such.key")
                + "', named by option 'passwordFile', does not exist on the driver."),
        tail(logs));

    String eventLog = readAll(out.resolve("events"));
    assertTrue(eventLog.contains("SparkListenerSQLExecutionStart"), "event log is incomplete");
    assertTrue(eventLog.contains("spark.cosmos.cassandra.password"), "event log lacks the env");

    String environment = read(out.resolve("ui-environment.html"));
    assertTrue(environment.contains("spark.cosmos.cassandra.password"), environment);
    String sqlPages = readAll(out, "ui-sql");
    assertTrue(sqlPages.contains("BatchScan"), "the UI's SQL pages show no plan");
    String uiPages = readAll(out, "ui-");

    for (String secret : Arrays.asList(server.password(), server.truststorePassword())) {
      assertEquals(-1, logs.indexOf(secret), "secret in logs: " + around(logs, secret));
      assertEquals(
          -1, eventLog.indexOf(secret), "secret in event log: " + around(eventLog, secret));
      assertEquals(-1, environment.indexOf(secret), "secret on the Environment page");
      assertEquals(-1, uiPages.indexOf(secret), "secret on a UI page: " + around(uiPages, secret));
    }
  }

  /**
   * The same for Microsoft Entra ID: the service principal's secret (in the Spark configuration and
   * as a read option, the wrong one too) and the tokens Entra issued appear nowhere. A token is a
   * JWT, whose text starts with {@code eyJ} (a JSON object in base64url); none may appear at all.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void noEntraSecretOrTokenAppearsInLogsPlansExceptionsEventLogOrUi(CassandraServer cassandra)
      throws Exception {
    TestTokenIssuer entra = TestTokenIssuer.create();
    String app = UUID.randomUUID().toString();
    String principal = UUID.randomUUID().toString();
    String secret = "entra~Scenario." + UUID.randomUUID();
    Path events = out.resolve("entra");
    try (EntraTokenEndpoint login =
            EntraTokenEndpoint.builder(entra).clientSecret(app, principal, secret).start();
        CosmosEmulator emulator =
            CosmosEmulator.builder(cassandra)
                .entraIssuer(entra)
                .disableLocalAuth()
                .grantRole(principal, DataPlaneRole.DATA_CONTRIBUTOR)
                .build()
                .start()) {
      try (CqlSession session = emulator.sessionBuilder(entra.token(principal).sign()).build()) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS entra_secrets WITH replication ="
                + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute(
            "CREATE TABLE IF NOT EXISTS entra_secrets.books (id int PRIMARY KEY, title text)");
      }
      Path truststore =
          emulator.writeTruststoreAlsoTrusting(
              login.truststore(), Files.createDirectories(events).resolve("trust.p12"));
      Map<String, String> secrets = new HashMap<>();
      secrets.put("SCENARIO_CLIENT_SECRET", secret);
      secrets.put("SCENARIO_STORE_PASSWORD", emulator.truststorePassword());
      Path output =
          runWithDebugLogging(
              events,
              EntraSecretsScenario.class,
              secrets,
              4,
              events.toString(),
              emulator.host(),
              Integer.toString(emulator.port()),
              "entra_secrets",
              truststore.toString(),
              login.authorityHost(),
              entra.tenantId(),
              app,
              emulator.account());

      String logs = read(output);
      assertTrue(logs.contains("SCENARIO DONE"), failureOf(logs));
      assertTrue(logs.contains("ROWS READ: 100"), tail(logs));
      assertTrue(logs.contains("DEBUG "), "DEBUG logging was not on");
      assertTrue(logs.contains("== Physical Plan =="), "no plan was printed");
      assertTrue(logs.contains("AADSTS7000215"), "the wrong secret was not refused: " + tail(logs));
      assertTrue(login.tokensIssued() > 0, "no token was issued");
      String eventLog = readAll(events.resolve("events"));
      assertTrue(eventLog.contains("SparkListenerSQLExecutionStart"), "event log is incomplete");
      assertTrue(
          eventLog.contains("spark.cosmos.cassandra.auth.entra.clientSecret"),
          "event log lacks the setting");
      String uiPages = readAll(events, "ui-");
      assertTrue(uiPages.contains("auth.entra.clientSecret"), "the UI lacks the setting");

      for (String hidden : Arrays.asList(secret, "eyJ")) {
        assertEquals(-1, logs.indexOf(hidden), "in logs: " + around(logs, hidden));
        assertEquals(-1, eventLog.indexOf(hidden), "in event log: " + around(eventLog, hidden));
        assertEquals(-1, uiPages.indexOf(hidden), "on a UI page: " + around(uiPages, hidden));
      }
    }
  }

  /**
   * Runs {@code main} in a JVM of its own with DEBUG logging for every logger, this JVM's class
   * path and Spark's JVM options; waits up to {@code minutes} for it. Returns the file holding all
   * it printed.
   */
  static Path runWithDebugLogging(
      Path out, Class<?> main, Map<String, String> environment, int minutes, String... arguments)
      throws IOException, InterruptedException {
    Path log4j = out.resolve("log4j2-debug.properties");
    Files.write(
        log4j,
        Arrays.asList(
            "rootLogger.level = debug",
            "rootLogger.appenderRef.stdout.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %p %c - %m%n"));
    Path output = out.resolve("scenario-output.txt");
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    command.addAll(sparkJvmOptions());
    command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(Arrays.asList(arguments));
    ProcessBuilder scenario =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    scenario.environment().putAll(environment);
    Process process = scenario.start();
    try {
      assertTrue(process.waitFor(minutes, TimeUnit.MINUTES), main.getSimpleName() + " did not end");
    } finally {
      process.destroyForcibly();
    }
    return output;
  }

  /** Spark's own --add-opens list, as the build passes it to this JVM. */
  static List<String> sparkJvmOptions() {
    List<String> options = new ArrayList<>();
    for (String argument :
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("--add-opens") || argument.startsWith("-Djdk.reflect")) {
        options.add(argument);
      }
    }
    return options;
  }

  static String read(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  static String readAll(Path directory) throws IOException {
    return readAll(directory, "");
  }

  static String readAll(Path directory, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      List<Path> matching =
          files
              .filter(f -> f.getFileName().toString().startsWith(prefix))
              .collect(Collectors.toList());
      StringBuilder all = new StringBuilder();
      for (Path file : matching) {
        all.append(read(file)).append('\n');
      }
      return all.toString();
    }
  }

  static String around(String text, String secret) {
    int at = text.indexOf(secret);
    return at < 0 ? "" : text.substring(Math.max(0, at - 300), Math.min(text.length(), at + 50));
  }

  /** What ended a scenario early: its main thread's exception, or else the end of its output. */
  static String failureOf(String logs) {
    int at = logs.indexOf("Exception in thread \"main\"");
    return at < 0 ? tail(logs) : logs.substring(at, Math.min(logs.length(), at + 6000));
  }

  static String tail(String text) {
    return text.substring(Math.max(0, text.length() - 3000));
  }
}

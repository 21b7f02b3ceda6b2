package io.github.cosmosspark.core.datasource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.DataPlaneRole;
import io.github.cosmosspark.testkit.entra.EntraTokenEndpoint;
import io.github.cosmosspark.testkit.entra.TestTokenIssuer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import java.io.IOException;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.entra.credential=managedIdentity} on an account whose keys are disabled: the real
 * (relocated) azure-identity finds App Service's managed identity endpoint through {@code
 * IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER}, served by the testkit, in a Spark program of its
 * own ({@link ManagedIdentityScenario}); this JVM checks what it wrote, row by row.
 */
@CassandraTest
class ManagedIdentityLoginTest {

  private static final String SYSTEM_ASSIGNED = UUID.randomUUID().toString();
  private static final String USER_CLIENT = UUID.randomUUID().toString();
  private static final String USER_ASSIGNED = UUID.randomUUID().toString();
  private static final String UNKNOWN_CLIENT = UUID.randomUUID().toString();
  private static final String KEYSPACE = "managed_identity";

  /** Variables that would make azure-identity or MSAL choose another source than App Service. */
  private static final List<String> OTHER_SOURCES =
      Arrays.asList(
          "AZURE_TENANT_ID",
          "AZURE_CLIENT_ID",
          "AZURE_FEDERATED_TOKEN_FILE",
          "IDENTITY_SERVER_THUMBPRINT",
          "MSI_ENDPOINT",
          "IMDS_ENDPOINT",
          "AZURE_POD_IDENTITY_AUTHORITY_HOST");

  private static final TestTokenIssuer ENTRA = TestTokenIssuer.create();
  private static EntraTokenEndpoint identities;
  private static CosmosEmulator emulator;
  private static String output;

  @TempDir static Path directory;

  @BeforeAll
  static void runScenario(CassandraServer cassandra) throws Exception {
    identities =
        EntraTokenEndpoint.builder(ENTRA)
            .managedIdentity(SYSTEM_ASSIGNED)
            .userAssignedIdentity(USER_CLIENT, USER_ASSIGNED)
            .start();
    emulator =
        CosmosEmulator.builder(cassandra)
            .entraIssuer(ENTRA)
            .disableLocalAuth()
            .grantRole(SYSTEM_ASSIGNED, DataPlaneRole.DATA_CONTRIBUTOR)
            .grantRole(USER_ASSIGNED, DataPlaneRole.DATA_CONTRIBUTOR)
            .build()
            .start();
    // The identity endpoint is plain HTTP, as App Service's; the trust store still holds the
    // endpoint's CA, as a job that also reaches the HTTPS Entra endpoint would have it.
    Path truststore =
        emulator.writeTruststoreAlsoTrusting(
            identities.truststore(), directory.resolve("trust.p12"));
    try (CqlSession session = session()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS "
              + KEYSPACE
              + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      for (String table : new String[] {"system_assigned", "user_assigned", "refused"}) {
        session.execute(
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + "."
                + table
                + " (id int PRIMARY KEY, title text) WITH cosmosdb_provisioned_throughput=100000");
      }
    }
    Map<String, String> environment = new HashMap<>(identities.managedIdentityEnvironment());
    environment.put("SCENARIO_STORE_PASSWORD", emulator.truststorePassword());
    long started = System.nanoTime();
    output =
        run(
            environment,
            emulator.host(),
            Integer.toString(emulator.port()),
            emulator.account(),
            KEYSPACE,
            truststore.toString(),
            USER_CLIENT,
            UNKNOWN_CLIENT);
    System.out.printf(
        "ManagedIdentityScenario ran in %.1f s; tokens issued: system-assigned %d,"
            + " user-assigned %d%n",
        (System.nanoTime() - started) / 1e9,
        identities.tokensIssuedTo(identities.systemAssignedClientId()),
        identities.tokensIssuedTo(USER_CLIENT));
  }

  @AfterAll
  static void stop() {
    if (emulator != null) {
      emulator.close();
    }
    if (identities != null) {
      identities.close();
    }
  }

  @Test
  void theSystemAssignedIdentityWritesAndReadsEveryRowWhereKeysAreDisabled() {
    assertTrue(output.contains("SCENARIO DONE"), output);
    assertTrue(output.contains("READ system_assigned: 1000\n"), output);
    assertRowsByKey("system_assigned", "system-");
    assertTrue(emulator.localAuthDisabled());
    assertTrue(
        identities.tokensIssuedTo(identities.systemAssignedClientId()) > 0,
        "the system-assigned identity got its tokens from the identity endpoint");
  }

  @Test
  void aUserAssignedIdentityChosenByClientIdWritesAndReadsEveryRow() {
    assertTrue(output.contains("READ user_assigned: 1000\n"), output);
    assertRowsByKey("user_assigned", "user-");
    assertTrue(
        identities.tokensIssuedTo(USER_CLIENT) > 0,
        "the user-assigned identity got its tokens from the identity endpoint");
  }

  @Test
  void anUnknownUserAssignedClientIdIsRefusedNamingTheClientIdOption() throws Exception {
    String refusal = line(output, "REFUSED: ");

    assertTrue(
        refusal.startsWith(
            "REFUSED: Microsoft Entra ID gave no token to user-assigned managed identity "
                + UNKNOWN_CLIENT
                + " for scope https://cosmos.azure.com/.default: "),
        refusal);
    assertTrue(
        refusal.contains(
            "[Managed Identity] Error Message: Unable to load the proper Managed Identity."),
        refusal);
    assertTrue(
        refusal.endsWith(
            " This machine has no managed identity with that client id: set"
                + " spark.cosmos.cassandra.auth.entra.clientId to the Client ID of a user-assigned"
                + " identity attached to the cluster's machines (the identity's Overview page shows"
                + " it), or remove it to use the system-assigned identity."),
        refusal);
    assertEquals(0, identities.tokensIssuedTo(UNKNOWN_CLIENT));
    for (String secret : Arrays.asList("eyJ", identities.identityHeader())) {
      assertEquals(-1, output.indexOf(secret), "a token or the identity header's secret leaked");
    }
    try (CqlSession session = session()) {
      assertEquals(0, session.execute("SELECT id FROM " + KEYSPACE + ".refused").all().size());
    }
  }

  private static void assertRowsByKey(String table, String prefix) {
    Map<Integer, String> titles = new HashMap<>();
    try (CqlSession session = session()) {
      for (Row row : session.execute("SELECT id, title FROM " + KEYSPACE + "." + table)) {
        titles.put(row.getInt("id"), row.getString("title"));
      }
    }
    assertEquals(1_000, titles.size());
    for (int id = 0; id < 1_000; id++) {
      assertEquals(prefix + id, titles.get(id), "title of id " + id);
    }
  }

  /** A session of the test's own, with a token signed directly by the issuer. */
  private static CqlSession session() {
    return emulator.sessionBuilder(ENTRA.token(SYSTEM_ASSIGNED).sign()).build();
  }

  private static String line(String text, String prefix) {
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new AssertionError("no line starting '" + prefix + "' in:\n" + text);
  }

  /**
   * Runs {@link ManagedIdentityScenario} in a JVM of its own, with WARN logging (DEBUG would slow
   * it down) and {@code environment} in place of any managed identity variables of this one.
   */
  private static String run(Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    Path log4j = directory.resolve("log4j2-warn.properties");
    Files.write(
        log4j,
        Arrays.asList(
            "rootLogger.level = warn",
            "rootLogger.appenderRef.stdout.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %p %c - %m%n"));
    Path log = directory.resolve("scenario-output.txt");
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.addAll(SecretsNeverLeakTest.sparkJvmOptions());
    command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ManagedIdentityScenario.class.getName());
    command.addAll(Arrays.asList(arguments));
    ProcessBuilder scenario =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    scenario.environment().keySet().removeAll(OTHER_SOURCES);
    scenario.environment().putAll(environment);
    Process process = scenario.start();
    try {
      assertTrue(process.waitFor(5, TimeUnit.MINUTES), "ManagedIdentityScenario did not end");
    } finally {
      process.destroyForcibly();
    }
    return SecretsNeverLeakTest.read(log);
  }
}

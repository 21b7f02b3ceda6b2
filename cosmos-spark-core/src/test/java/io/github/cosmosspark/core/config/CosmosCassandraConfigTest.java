package io.github.cosmosspark.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CosmosCassandraConfigTest {

  private static final String KEY = "k3y-Secret-Value==";
  private static final String PORTAL_STRING =
      "HostName=acct.cassandra.cosmos.azure.com;Username=acct;Password=" + KEY + ";Port=10350";

  @Test
  void anAccountAndKeyGiveCosmosDefaults() {
    CosmosCassandraConfig config = resolve(map("account", "acct", "password", KEY), map());
    assertEquals("acct", config.account());
    assertEquals(KEY, config.password());
    assertEquals("acct.cassandra.cosmos.azure.com", config.host());
    assertEquals(10350, config.port());
    assertTrue(config.tlsEnabled());
    assertTrue(config.hostnameVerification());
    assertNull(config.truststorePath());
    assertEquals("JKS", config.truststoreType());
  }

  @Test
  void thePortalsConnectionStringSetsAccountKeyHostAndPort() {
    CosmosCassandraConfig config =
        resolve(
            map(),
            map(
                "spark.cosmos.cassandra.connectionString",
                "HostName=h.example;Username=acct;Password=" + KEY + ";Port=12345"));
    assertEquals("acct", config.account());
    assertEquals(KEY, config.password());
    assertEquals("h.example", config.host());
    assertEquals(12345, config.port());
  }

  @Test
  void perReadOptionsBeatCosmosSettingsWhichBeatConnectorSettings() {
    Map<String, String> configuration =
        map(
            "spark.cosmos.cassandra.account", "fromCosmosConf",
            "spark.cassandra.auth.username", "fromSccConf",
            "spark.cosmos.cassandra.password", KEY,
            "spark.cassandra.connection.port", "9042",
            "spark.cosmos.cassandra.host", "cosmos.example",
            "spark.cassandra.connection.host", "scc.example");
    CosmosCassandraConfig perRead = resolve(map("account", "fromOption"), configuration);
    assertEquals("fromOption", perRead.account());
    assertEquals("cosmos.example", perRead.host());
    assertEquals(9042, perRead.port(), "the SCC key is used when no Cosmos key is set");

    CosmosCassandraConfig fromConf = resolve(map(), configuration);
    assertEquals("fromCosmosConf", fromConf.account());

    CosmosCassandraConfig fullKeyPerRead =
        resolve(map("SPARK.COSMOS.CASSANDRA.ACCOUNT", "upper"), configuration);
    assertEquals("upper", fullKeyPerRead.account(), "keys are matched without regard to case");
  }

  @Test
  void aPerReadAccountReplacesAConnectionStringFromTheConfiguration() {
    CosmosCassandraConfig config =
        resolve(
            map("account", "other", "password", "other-key"),
            map("spark.cosmos.cassandra.connectionString", PORTAL_STRING));
    assertEquals("other", config.account());
    assertEquals("other-key", config.password());
    assertEquals("other.cassandra.cosmos.azure.com", config.host());
  }

  @Test
  void aPerReadConnectionStringBeatsLeftoverConnectorCredentials() {
    CosmosCassandraConfig config =
        resolve(
            map("connectionString", PORTAL_STRING),
            map(
                "spark.cassandra.auth.username", "cassandra",
                "spark.cassandra.auth.password", "old-password",
                "spark.cassandra.connection.host", "10.0.0.1",
                "spark.cosmos.cassandra.password", "conf-key"));
    assertEquals("acct", config.account());
    assertEquals(KEY, config.password());
    assertEquals("acct.cassandra.cosmos.azure.com", config.host());
  }

  @Test
  void aPerReadHostOverridesThePartOfAConfigurationConnectionString() {
    CosmosCassandraConfig config =
        resolve(
            map("host", "private.example"),
            map("spark.cosmos.cassandra.connectionString", PORTAL_STRING));
    assertEquals("acct", config.account());
    assertEquals(KEY, config.password());
    assertEquals("private.example", config.host());
  }

  @Test
  void resolvedOptionsReadBackToTheSameConnectionWhateverElseIsSet() {
    CosmosCassandraConfig config =
        resolve(
            map(
                "account", "acct",
                "password", KEY,
                "host", "h.example",
                "tls.hostnameVerification", "false",
                "tls.truststore.path", "/t.p12",
                "tls.truststore.password", "pw",
                "keyspace", "ks",
                "table", "t"),
            map());
    Map<String, String> merged = new HashMap<>();
    for (Map.Entry<String, String> entry : config.encode().entrySet()) {
      merged.put(entry.getKey().toLowerCase(java.util.Locale.ROOT), entry.getValue());
    }
    merged.put("spark.cosmos.cassandra.host", "elsewhere.example");
    merged.put("spark.cassandra.connection.host", "10.0.0.1");

    CosmosCassandraConfig readBack = CosmosCassandraConfig.decode(merged);

    assertEquals(config.forConnection(), readBack);
    assertNull(readBack.keyspace());
    assertFalse(readBack.hostnameVerification());
  }

  @Test
  void aBareKeyInTheConnectionStringIsNotEchoed() {
    String message = failure(map("connectionString", KEY), map());
    assertTrue(message.contains("not a Name=value field"), message);
    assertFalse(message.contains("k3y"), message);
  }

  @Test
  void toStringNeverShowsASecret() {
    CosmosCassandraConfig config =
        resolve(
            map("account", "acct", "password", KEY, "tls.truststore.password", "storeSecret"),
            map());
    assertFalse(config.toString().contains(KEY), config.toString());
    assertFalse(config.toString().contains("storeSecret"), config.toString());
    assertTrue(config.toString().contains("acct"), config.toString());
  }

  @Test
  void equalConfigurationsAreEqualSoSessionsAreShared() {
    CosmosCassandraConfig a = resolve(map("account", "acct", "password", KEY), map());
    CosmosCassandraConfig b = resolve(map("account", "acct", "password", KEY), map());
    CosmosCassandraConfig other = resolve(map("account", "acct", "password", KEY + "x"), map());
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertFalse(a.equals(other));
  }

  @Test
  void noAccountSaysWhichOptionsToSet() {
    String message = failure(map(), map());
    assertTrue(message.contains("spark.cosmos.cassandra.account"), message);
    assertTrue(message.contains("spark.cosmos.cassandra.connectionString"), message);
  }

  @Test
  void noKeyNamesTheAccountAndTheOption() {
    String message = failure(map("account", "acct"), map());
    assertTrue(message.contains("'acct'"), message);
    assertTrue(message.contains("spark.cosmos.cassandra.password"), message);
  }

  @Test
  void aMalformedConnectionStringIsNamedWithoutItsSecret() {
    String message =
        failure(map("connectionString", "HostName=h;User=acct;Password=" + KEY), map());
    assertTrue(message.contains("'connectionString'"), message);
    assertTrue(message.contains("field 'User'"), message);
    assertFalse(message.contains(KEY), message);
    String noPassword = failure(map("connectionString", "HostName=h;Username=acct"), map());
    assertTrue(noPassword.contains("no Password"), noPassword);
    String noEquals = failure(map("connectionString", "just-a-key"), map());
    assertTrue(noEquals.contains("'Name=value'"), noEquals);
  }

  @Test
  void aConnectionStringAndAnAccountThatDisagreeAreRejected() {
    String message = failure(map("account", "other", "connectionString", PORTAL_STRING), map());
    assertTrue(message.contains("'other'"), message);
    assertTrue(message.contains("'acct'"), message);
    assertFalse(message.contains(KEY), message);
  }

  @Test
  void anUnknownCosmosKeySuggestsTheClosest() {
    String message =
        failure(
            map("account", "acct", "password", KEY),
            map("spark.cosmos.cassandra.tls.hostnameVerificaton", "false"));
    assertTrue(message.contains("'spark.cosmos.cassandra.tls.hostnameVerificaton'"), message);
    assertTrue(
        message.contains("did you mean 'spark.cosmos.cassandra.tls.hostnameVerification'"),
        message);
  }

  @Test
  void aPortThatIsNotANumberOrOutOfRangeIsNamed() {
    String words = failure(map("account", "a", "password", KEY, "port", "ten"), map());
    assertTrue(words.contains("'port'") && words.contains("'ten'"), words);
    String negative = failure(map("account", "a", "password", KEY, "port", "-1"), map());
    assertTrue(negative.contains("from 1 to 65535") && negative.contains("-1"), negative);
    String tooLarge =
        failure(
            map("account", "a", "password", KEY), map("spark.cassandra.connection.port", "70000"));
    assertTrue(tooLarge.contains("'spark.cassandra.connection.port'"), tooLarge);
    assertTrue(tooLarge.contains("70000"), tooLarge);
  }

  @Test
  void aBooleanMustBeTrueOrFalse() {
    String message = failure(map("account", "a", "password", KEY, "tls.enabled", "yes"), map());
    assertTrue(message.contains("'tls.enabled' must be true or false, got 'yes'"), message);
  }

  @Test
  void tlsCannotBeTurnedOffThroughTheConnectorsKey() {
    String message =
        failure(
            map("account", "a", "password", KEY),
            map("spark.cassandra.connection.ssl.enabled", "false"));
    assertTrue(message.contains("spark.cosmos.cassandra.tls.enabled"), message);
    CosmosCassandraConfig explicit =
        resolve(map("account", "a", "password", KEY, "tls.enabled", "false"), map());
    assertFalse(explicit.tlsEnabled());
  }

  @Test
  void anEmptyValueIsNamed() {
    String message = failure(map("account", " ", "password", KEY), map());
    assertTrue(message.contains("'account' is set but empty"), message);
  }

  @Test
  void retryLimitsHaveDocumentedDefaultsAndCanBeSetPerReadOrInTheConfiguration() {
    assertEquals(
        new RetrySettings(100_000, 300_000, 3),
        resolve(map("account", "acct", "password", KEY), map()).retry());
    CosmosCassandraConfig config =
        resolve(
            map("account", "acct", "password", KEY, "retry.maxAttempts", "20"),
            map(
                "spark.cosmos.cassandra.retry.maxAttempts", "99",
                "spark.cosmos.cassandra.retry.maxTimeMs", "5000",
                "spark.cosmos.cassandra.retry.timeoutRetries", "0"));
    assertEquals(new RetrySettings(20, 5000, 0), config.retry());
  }

  @Test
  void theHelpersRetryCountBecomesMaxAttemptsAndMinusOneMeansNoLimit() {
    Map<String, String> account = map("account", "acct", "password", KEY);
    assertEquals(
        6, resolve(account, map("spark.cassandra.query.retry.count", "5")).retry().maxAttempts());
    assertEquals(
        Integer.MAX_VALUE,
        resolve(account, map("spark.cassandra.query.retry.count", "-1")).retry().maxAttempts());
    assertEquals(
        300_000,
        resolve(account, map("spark.cassandra.query.retry.count", "-1")).retry().maxTimeMillis(),
        "-1 lifts the attempt limit only; the time limit stays");
    assertEquals(
        4,
        resolve(
                account,
                map(
                    "spark.cassandra.query.retry.count", "-1",
                    "spark.cosmos.cassandra.retry.maxAttempts", "4"))
            .retry()
            .maxAttempts(),
        "our own option wins over the helper's");
  }

  @Test
  void badRetryLimitsAreRejectedByName() {
    Map<String, String> account = map("account", "acct", "password", KEY);
    assertEquals(
        "Option 'spark.cosmos.cassandra.retry.maxAttempts' must be a number of attempts from 1 to"
            + " 2147483647, got 0.",
        failure(account, map("spark.cosmos.cassandra.retry.maxAttempts", "0")));
    assertEquals(
        "Option 'retry.maxTimeMs' must be a whole number of milliseconds, got 'soon'.",
        failure(map("account", "acct", "password", KEY, "retry.maxTimeMs", "soon"), map()));
    assertEquals(
        "Option 'spark.cosmos.cassandra.retry.timeoutRetries' must be a number of retries from 0"
            + " to 100, got -1.",
        failure(account, map("spark.cosmos.cassandra.retry.timeoutRetries", "-1")));
    assertEquals(
        "Option 'spark.cassandra.query.retry.count' must be -1 (no limit) or a number of retries,"
            + " got -2.",
        failure(account, map("spark.cassandra.query.retry.count", "-2")));
  }

  @Test
  void throughputSettingsHaveDocumentedDefaultsAndBadValuesAreRejectedByName() {
    Map<String, String> account = map("account", "acct", "password", KEY);
    assertEquals(
        new ThroughputSettings(true, null, null, 0.9), resolve(account, map()).throughput());
    assertEquals(
        new ThroughputSettings(false, 500, 4000, 0.5),
        resolve(
                account,
                map(
                    "spark.cosmos.cassandra.throughput.control", "false",
                    "spark.cosmos.cassandra.throughput.targetRuPerSecond", "500",
                    "spark.cosmos.cassandra.throughput.provisionedRuPerSecond", "4000",
                    "spark.cosmos.cassandra.throughput.fraction", "0.5"))
            .throughput());
    assertEquals(
        "Option 'spark.cosmos.cassandra.throughput.targetRuPerSecond' must be a number of RU/s"
            + " from 1 to 100000000, got 0.",
        failure(account, map("spark.cosmos.cassandra.throughput.targetRuPerSecond", "0")));
    assertEquals(
        "Option 'spark.cosmos.cassandra.throughput.targetRuPerSecond' must be a number of RU/s"
            + " from 1 to 100000000, got -5.",
        failure(account, map("spark.cosmos.cassandra.throughput.targetRuPerSecond", "-5")));
    assertEquals(
        "Option 'spark.cosmos.cassandra.throughput.provisionedRuPerSecond' must be a whole number"
            + " of RU/s, got 'lots'.",
        failure(account, map("spark.cosmos.cassandra.throughput.provisionedRuPerSecond", "lots")));
    for (String bad : new String[] {"1.5", "0", "-0.2", "abc", "NaN"}) {
      assertEquals(
          "Option 'spark.cosmos.cassandra.throughput.fraction' must be a fraction greater than 0"
              + " and at most 1 (0.9 = 90 %), got '"
              + bad
              + "'.",
          failure(account, map("spark.cosmos.cassandra.throughput.fraction", bad)));
    }
  }

  @Test
  void retryLimitsTravelToExecutorsWithTheConnectionSettings() {
    CosmosCassandraConfig config =
        resolve(
            map("account", "acct", "password", KEY),
            map(
                "spark.cosmos.cassandra.retry.maxAttempts", "12",
                "spark.cosmos.cassandra.retry.maxTimeMs", "3456",
                "spark.cosmos.cassandra.retry.timeoutRetries", "7"));
    Map<String, String> shipped = new HashMap<>();
    config.encode().forEach((key, value) -> shipped.put(key.toLowerCase(), value));

    assertEquals(new RetrySettings(12, 3456, 7), CosmosCassandraConfig.decode(shipped).retry());
  }

  @Test
  void theKeyCanComeFromAnEnvironmentVariableOfTheDriver() {
    CosmosCassandraConfig config =
        resolve(
            map(),
            map(
                "spark.cosmos.cassandra.account", "acct",
                "spark.cosmos.cassandra.passwordEnv", "COSMOS_KEY"),
            env("COSMOS_KEY", " " + KEY + "\n"));
    assertEquals(KEY, config.password());
    assertEquals(
        KEY,
        CosmosCassandraConfig.decode(lowerCased(config.encode())).password(),
        "the key travels as the password does");
    assertFalse(config.encode().containsValue("COSMOS_KEY"), "the variable's name stays behind");
  }

  @Test
  void theKeyCanComeFromAFileOnTheDriver(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("cosmos.key");
    Files.write(file, (KEY + "\n").getBytes(StandardCharsets.UTF_8));
    CosmosCassandraConfig config =
        resolve(map("account", "acct", "passwordFile", file.toString()), map());
    assertEquals(KEY, config.password());
    CosmosCassandraConfig asUri =
        resolve(map("account", "acct", "passwordFile", file.toUri().toString()), map());
    assertEquals(KEY, asUri.password());
  }

  @Test
  void twoKeySourcesAtOneLevelAreRefusedByName() {
    String perRead =
        failure(map("account", "acct", "password", KEY, "passwordEnv", "COSMOS_KEY"), map());
    assertTrue(perRead.contains("'password'"), perRead);
    assertTrue(perRead.contains("'passwordEnv'"), perRead);
    assertTrue(perRead.contains("Give exactly one of"), perRead);
    assertFalse(perRead.contains(KEY), perRead);

    String configured =
        failure(
            map(),
            map(
                "spark.cosmos.cassandra.connectionString",
                PORTAL_STRING,
                "spark.cosmos.cassandra.passwordFile",
                "/keys/cosmos"));
    assertTrue(configured.contains("'spark.cosmos.cassandra.connectionString'"), configured);
    assertTrue(configured.contains("'spark.cosmos.cassandra.passwordFile'"), configured);
    assertTrue(configured.contains("Spark or session configuration"), configured);
    assertFalse(configured.contains(KEY), configured);

    String withString =
        failure(map("connectionString", PORTAL_STRING, "password", "other-key"), map());
    assertTrue(withString.contains("'connectionString'"), withString);
  }

  @Test
  void aKeyGivenAtAMoreSpecificLevelReplacesTheConfigurationsKeySource() {
    Map<String, String> configuration =
        map(
            "spark.cosmos.cassandra.account", "acct",
            "spark.cosmos.cassandra.passwordEnv", "UNSET_VARIABLE");
    assertEquals("read-key", resolve(map("password", "read-key"), configuration, env()).password());
    assertEquals(
        KEY,
        resolve(
                map("passwordEnv", "COSMOS_KEY"),
                map("spark.cosmos.cassandra.connectionString", PORTAL_STRING),
                env("COSMOS_KEY", KEY))
            .password());
    assertEquals(
        KEY,
        resolve(
                map("connectionString", PORTAL_STRING),
                map("spark.cosmos.cassandra.passwordEnv", "UNSET_VARIABLE"),
                env())
            .password());
  }

  @Test
  void aMissingOrEmptyVariableIsNamed() {
    Map<String, String> options = map("account", "acct", "passwordEnv", "COSMOS_KEY");
    assertEquals(
        "Environment variable 'COSMOS_KEY', named by option 'passwordEnv', is not set on the"
            + " driver. Set it in the driver's environment (on Databricks, in the cluster's"
            + " environment variables: COSMOS_KEY={{secrets/<scope>/<key>}}), or give the key"
            + " another way.",
        failure(options, map(), env()));
    assertEquals(
        "Environment variable 'COSMOS_KEY', named by option 'passwordEnv', is empty; it must"
            + " hold the account key.",
        failure(options, map(), env("COSMOS_KEY", " \n")));
  }

  @Test
  void aKeyPutWhereTheVariablesOrFilesNameBelongsIsNotEchoed() {
    String env = failure(map("account", "acct", "passwordEnv", KEY), map(), env());
    assertTrue(env.contains("'passwordEnv' must be the name of an environment variable"), env);
    assertFalse(env.contains("k3y"), env);
    String file = failure(map("account", "acct", "passwordFile", KEY), map());
    assertTrue(file.contains("'passwordFile' must be the path of a file"), file);
    assertFalse(file.contains("k3y"), file);
  }

  @Test
  void aMissingEmptyOrWrongFileIsNamedWithoutWhatItHolds(@TempDir Path directory)
      throws IOException {
    Path missing = directory.resolve("nothing-here.key");
    assertEquals(
        "File '"
            + missing
            + "', named by option 'passwordFile', does not exist on the driver. The driver reads"
            + " the key from it; executors do not need it.",
        failure(map("account", "acct", "passwordFile", missing.toString()), map()));

    Path empty = Files.write(directory.resolve("empty.key"), new byte[0]);
    assertEquals(
        "File '"
            + empty
            + "', named by option 'passwordFile', is empty; it must hold the account"
            + " key.",
        failure(map("account", "acct", "passwordFile", empty.toString()), map()));

    Path twoLines =
        Files.write(
            directory.resolve("notes.txt"),
            ("account acct\nkey " + KEY + "\n").getBytes(StandardCharsets.UTF_8));
    String notes = failure(map("account", "acct", "passwordFile", twoLines.toString()), map());
    assertTrue(notes.contains("holds more than one word or line"), notes);
    assertFalse(notes.contains("k3y"), notes);

    String directoryMessage =
        failure(map("account", "acct", "passwordFile", directory.toString()), map());
    assertTrue(directoryMessage.contains("is a directory"), directoryMessage);

    String dbfs = failure(map("account", "acct", "passwordFile", "dbfs:/keys/cosmos"), map());
    assertTrue(dbfs.contains("'dbfs:/keys/cosmos', which is not a local path"), dbfs);
  }

  @Test
  void noKeyNamesEveryWayToGiveOne() {
    String message = failure(map("account", "acct"), map());
    assertTrue(message.contains("spark.cosmos.cassandra.passwordEnv"), message);
    assertTrue(message.contains("spark.cosmos.cassandra.passwordFile"), message);
  }

  private static CosmosCassandraConfig resolve(
      Map<String, String> perRead, Map<String, String> configuration) {
    return CosmosCassandraConfig.resolve(perRead, configuration);
  }

  private static CosmosCassandraConfig resolve(
      Map<String, String> perRead,
      Map<String, String> configuration,
      Map<String, String> environment) {
    return CosmosCassandraConfig.resolve(perRead, configuration, new WarnOnce(), environment::get);
  }

  private static String failure(Map<String, String> perRead, Map<String, String> configuration) {
    return assertThrows(CosmosConfigException.class, () -> resolve(perRead, configuration))
        .getMessage();
  }

  private static String failure(
      Map<String, String> perRead,
      Map<String, String> configuration,
      Map<String, String> environment) {
    return assertThrows(
            CosmosConfigException.class, () -> resolve(perRead, configuration, environment))
        .getMessage();
  }

  /** A driver environment holding only the given variables. */
  private static Map<String, String> env(String... namesAndValues) {
    return map(namesAndValues);
  }

  /** SCC lower-cases the per-read keys it merges over the configuration's. */
  private static Map<String, String> lowerCased(Map<String, String> encoded) {
    Map<String, String> merged = new HashMap<>();
    encoded.forEach((key, value) -> merged.put(key.toLowerCase(java.util.Locale.ROOT), value));
    return merged;
  }

  private static Map<String, String> map(String... keysAndValues) {
    if (keysAndValues.length == 0) {
      return Collections.emptyMap();
    }
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}

package io.github.cosmosspark.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code auth.type=entra} and the {@code auth.entra.*} options resolve, and what is refused.
 */
class EntraSettingsTest {

  private static final String SECRET = "app-Secret~Value.123";
  private static final String TENANT = "11111111-2222-3333-4444-555555555555";
  private static final String CLIENT = "66666666-7777-8888-9999-000000000000";

  @TempDir Path directory;

  @Test
  void aServicePrincipalWithASecretNeedsNoKeyAndInfersItsCredential() {
    CosmosCassandraConfig config = resolve(servicePrincipal(), map());
    EntraSettings entra = config.entra();
    assertNull(config.password());
    assertEquals(EntraSettings.CLIENT_SECRET, entra.credential());
    assertEquals(TENANT, entra.tenantId());
    assertEquals(CLIENT, entra.clientId());
    assertEquals(SECRET, entra.clientSecret());
    assertEquals("https://login.microsoftonline.com/", entra.authorityHost());
    assertEquals("https://cosmos.azure.com/.default", entra.scope());
    assertFalse(config.toString().contains(SECRET), config.toString());
    assertTrue(
        config
            .toString()
            .contains("login=service principal " + CLIENT + " (clientSecret) of tenant"),
        config.toString());
  }

  @Test
  void theSettingsTravelToExecutorsAndComeBackEqual() {
    CosmosCassandraConfig config = resolve(servicePrincipal(), map()).forConnection();
    Map<String, String> encoded = config.encode();
    assertEquals(SECRET, encoded.get("spark.cosmos.cassandra.resolved.auth.entra.clientSecret"));
    CosmosCassandraConfig decoded = CosmosCassandraConfig.decode(encoded);
    assertEquals(config, decoded);
    assertEquals(config.entra(), decoded.entra());
  }

  @Test
  void sparkConfigurationCarriesTheSecretAsDatabricksSecretScopesDo() {
    Map<String, String> configuration =
        map(
            "spark.cosmos.cassandra.auth.type", "ENTRA",
            "spark.cosmos.cassandra.auth.entra.tenantId", TENANT,
            "spark.cosmos.cassandra.auth.entra.clientId", CLIENT,
            "spark.cosmos.cassandra.auth.entra.clientSecret", SECRET);
    CosmosCassandraConfig config = resolve(map("account", "acct"), configuration);
    assertEquals(SECRET, config.entra().clientSecret());
  }

  @Test
  void aKeyTogetherWithEntraIsRefusedWhereverTheKeyComesFrom() {
    Map<String, String> withPassword = servicePrincipal();
    withPassword.put("password", "k3y");
    String message = failure(withPassword, map());
    assertTrue(
        message.contains("'spark.cosmos.cassandra.auth.type' is 'entra', but 'password'"), message);

    Map<String, String> entraFromConfiguration = servicePrincipal();
    entraFromConfiguration.remove("auth.type");
    String fromConfiguration =
        failure(
            entraFromConfiguration,
            map(
                "spark.cosmos.cassandra.auth.type",
                "entra",
                "spark.cassandra.auth.password",
                "k3y"));
    assertTrue(
        fromConfiguration.contains("but 'spark.cassandra.auth.password' gives an account key"),
        fromConfiguration);

    Map<String, String> withString = servicePrincipal();
    withString.remove("account");
    withString.put(
        "connectionString",
        "HostName=acct.cassandra.cosmos.azure.com;Username=acct;Password=k3y;Port=10350");
    assertTrue(failure(withString, map()).contains("but 'connectionString' gives an account key"));
  }

  @Test
  void aLoginChosenForOneReadReplacesTheConfigurationsOtherLogin() {
    Map<String, String> clusterKey =
        map("spark.cosmos.cassandra.account", "keyed", "spark.cosmos.cassandra.password", "k3y");
    CosmosCassandraConfig entra = resolve(servicePrincipal(), clusterKey);
    assertNull(entra.password(), "the cluster's key does not travel with an Entra read");
    assertEquals(CLIENT, entra.entra().clientId());
    assertFalse(entra.encode().containsValue("k3y"));

    Map<String, String> clusterEntra = new HashMap<>();
    servicePrincipal()
        .forEach((key, value) -> clusterEntra.put("spark.cosmos.cassandra." + key, value));
    CosmosCassandraConfig keyed =
        resolve(map("account", "acct", "auth.type", "key", "password", "k3y"), clusterEntra);
    assertEquals("k3y", keyed.password());
    assertNull(keyed.entra());
    assertFalse(keyed.encode().containsValue(SECRET), "the cluster's Entra secret stays behind");
  }

  @Test
  void entraSettingsWithKeyLoginAreRefusedRatherThanIgnored() {
    String message =
        failure(map("account", "acct", "password", "k3y", "auth.entra.clientId", CLIENT), map());
    assertEquals(
        "'auth.entra.clientId' is set, but 'spark.cosmos.cassandra.auth.type' is 'key' (its"
            + " default), which logs in with the account key and ignores Microsoft Entra ID"
            + " settings. Set 'spark.cosmos.cassandra.auth.type' to 'entra' (and give no key), or"
            + " remove 'auth.entra.clientId'.",
        message);
  }

  @Test
  void anUnknownAuthTypeOrCredentialNamesTheChoices() {
    assertEquals(
        "Option 'auth.type' is 'aad'; it takes one of: key, entra.",
        failure(map("account", "acct", "auth.type", "aad"), map()));
    Map<String, String> options = servicePrincipal();
    options.put("auth.entra.credential", "password");
    assertEquals(
        "Option 'auth.entra.credential' is 'password'; it takes one of: clientSecret,"
            + " clientCertificate, managedIdentity, workloadIdentity, azureCli.",
        failure(options, map()));
  }

  @Test
  void eachCredentialNamesWhatItLacks() {
    Map<String, String> noTenant = servicePrincipal();
    noTenant.remove("auth.entra.tenantId");
    assertEquals(
        "'spark.cosmos.cassandra.auth.entra.credential' is 'clientSecret', which needs"
            + " 'spark.cosmos.cassandra.auth.entra.tenantId'. Set it.",
        failure(noTenant, map()));

    Map<String, String> nothing = map("account", "acct", "auth.type", "entra");
    assertTrue(
        failure(nothing, map()).contains("nothing says which identity to log in as"),
        failure(nothing, map()));

    Map<String, String> noSecret = servicePrincipal();
    noSecret.remove("auth.entra.clientSecret");
    noSecret.put("auth.entra.credential", "clientSecret");
    assertEquals(
        "'spark.cosmos.cassandra.auth.entra.credential' is 'clientSecret', which needs"
            + " 'spark.cosmos.cassandra.auth.entra.clientSecret'. Set it (on Databricks, from a"
            + " secret scope: {{secrets/<scope>/<key>}}).",
        failure(noSecret, map()));
  }

  @Test
  void aSettingTheChosenCredentialDoesNotUseIsRefused() {
    Map<String, String> options = servicePrincipal();
    options.put("auth.entra.credential", "managedIdentity");
    assertEquals(
        "'spark.cosmos.cassandra.auth.entra.tenantId' is set, but"
            + " 'spark.cosmos.cassandra.auth.entra.credential' is 'managedIdentity', which does not"
            + " use it. Remove it, or choose the credential it belongs to.",
        failure(options, map()));
  }

  @Test
  void bothASecretAndACertificateAreAmbiguous() throws IOException {
    Map<String, String> options = servicePrincipal();
    options.put("auth.entra.certificatePath", certificateFile().toString());
    assertTrue(failure(options, map()).startsWith("Both 'spark.cosmos.cassandra.auth.entra"));
  }

  @Test
  void aCertificateThatIsNotOnTheDriverFailsThePlan() {
    Map<String, String> options = servicePrincipal();
    options.remove("auth.entra.clientSecret");
    options.put("auth.entra.certificatePath", directory.resolve("missing.pem").toString());
    String message = failure(options, map());
    assertTrue(message.contains("which is not a readable file on the driver"), message);
    assertEquals(
        EntraSettings.CLIENT_CERTIFICATE,
        withCertificate().entra().credential(),
        "a readable certificate file infers clientCertificate");
  }

  @Test
  void workloadIdentityReadsTheWebhooksVariablesOnTheDriver() throws IOException {
    Path tokenFile = Files.write(directory.resolve("azure-identity-token"), "jwt".getBytes());
    Map<String, String> environment = new HashMap<>();
    environment.put("AZURE_TENANT_ID", TENANT);
    environment.put("AZURE_CLIENT_ID", CLIENT);
    environment.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
    CosmosCassandraConfig config =
        CosmosCassandraConfig.resolve(
            map(
                "account",
                "acct",
                "auth.type",
                "entra",
                "auth.entra.credential",
                "workload" + "Identity"),
            map(),
            new WarnOnce(),
            environment::get);
    assertEquals(TENANT, config.entra().tenantId());
    assertEquals(CLIENT, config.entra().clientId());
    assertEquals(tokenFile.toString(), config.entra().tokenFilePath());
  }

  @Test
  void theAuthorityMustBeHttps() {
    Map<String, String> options = servicePrincipal();
    options.put("auth.entra.authorityHost", "http://localhost:8080/");
    assertEquals(
        "'spark.cosmos.cassandra.auth.entra.authorityHost' is 'http://localhost:8080/'; it must be"
            + " an https:// URL such as https://login.microsoftonline.com/.",
        failure(options, map()));
  }

  private CosmosCassandraConfig withCertificate() {
    try {
      Map<String, String> options = servicePrincipal();
      options.remove("auth.entra.clientSecret");
      options.put("auth.entra.certificatePath", certificateFile().toString());
      return resolve(options, map());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path certificateFile() throws IOException {
    Path file = directory.resolve("app.pem");
    if (!Files.exists(file)) {
      Files.write(file, "-----BEGIN CERTIFICATE-----".getBytes());
    }
    return file;
  }

  private static Map<String, String> servicePrincipal() {
    Map<String, String> options = new HashMap<>();
    options.put("account", "acct");
    options.put("auth.type", "entra");
    options.put("auth.entra.tenantId", TENANT);
    options.put("auth.entra.clientId", CLIENT);
    options.put("auth.entra.clientSecret", SECRET);
    return options;
  }

  private static CosmosCassandraConfig resolve(
      Map<String, String> perRead, Map<String, String> configuration) {
    return CosmosCassandraConfig.resolve(perRead, configuration, new WarnOnce(), name -> null);
  }

  private static String failure(Map<String, String> perRead, Map<String, String> configuration) {
    String message =
        assertThrows(CosmosConfigException.class, () -> resolve(perRead, configuration))
            .getMessage();
    assertFalse(message.contains(SECRET), "the secret in a message: " + message);
    return message;
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

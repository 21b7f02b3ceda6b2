package io.github.cosmosspark.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one codec that carries a resolved configuration to executors: every declared option either
 * makes the trip with its value intact, or says why it stays on the driver. An option added without
 * a value here fails the first test, so nobody can add one that silently does not arrive.
 */
class ConfigCodecTest {

  /** A value for every declared option, none of them its default. */
  private static final Map<String, String> NOT_DEFAULT = new LinkedHashMap<>();

  static {
    NOT_DEFAULT.put("account", "acct");
    NOT_DEFAULT.put("password", "k3y-Secret==");
    NOT_DEFAULT.put(
        "connectionString",
        "HostName=private.example;Username=acct;Password=k3y-Secret==;Port=12345");
    NOT_DEFAULT.put("passwordEnv", "COSMOS_TEST_KEY");
    NOT_DEFAULT.put("passwordFile", "/keys/cosmos.key");
    NOT_DEFAULT.put("host", "private.example");
    NOT_DEFAULT.put("port", "12345");
    NOT_DEFAULT.put("tls.enabled", "false");
    NOT_DEFAULT.put("tls.hostnameVerification", "false");
    NOT_DEFAULT.put("tls.truststore.path", "/stores/ca.p12");
    NOT_DEFAULT.put("tls.truststore.password", "store-pw");
    NOT_DEFAULT.put("tls.truststore.type", "PKCS12");
    NOT_DEFAULT.put("keyspace", "ks");
    NOT_DEFAULT.put("table", "t");
    NOT_DEFAULT.put("retry.maxAttempts", "12");
    NOT_DEFAULT.put("retry.maxTimeMs", "3456");
    NOT_DEFAULT.put("retry.timeoutRetries", "7");
    NOT_DEFAULT.put("throughput.control", "false");
    NOT_DEFAULT.put("throughput.targetRuPerSecond", "1500");
    NOT_DEFAULT.put("throughput.provisionedRuPerSecond", "4000");
    NOT_DEFAULT.put("throughput.fraction", "0.5");
    NOT_DEFAULT.put("write.spreadOverPartitions", "false");
    NOT_DEFAULT.put("read.splitTaskSeconds", "30");
    NOT_DEFAULT.put("preferredRegions", "East US, westeurope");
    NOT_DEFAULT.put("multiRegionWrites", "true");
    NOT_DEFAULT.put("changeFeed.startFrom", "beginning");
    NOT_DEFAULT.put("changeFeed.endAt", "2026-01-01T00:00:00Z");
    NOT_DEFAULT.put("changeFeed.maxRowsPerTrigger", "500");
    NOT_DEFAULT.put("changeFeed.writeTimes", "false");
  }

  /**
   * The key sources are alternatives: at one level only one may be given. The connection string
   * stands for them here (it also sets account, host and port); each of the others is tested below.
   */
  private static final List<String> OTHER_KEY_SOURCES =
      Arrays.asList("password", "passwordEnv", "passwordFile");

  @Test
  void everyCarriedOptionArrivesWithItsValueAndEveryOtherSaysWhyNot() {
    List<CosmosCassandraConfig> configs = new ArrayList<>();
    for (Map<String, String> login : logins()) {
      configs.add(CosmosCassandraConfig.resolve(login, new HashMap<>()));
    }
    for (CosmosOption<?> option : CosmosOptions.all()) {
      assertTrue(
          NOT_DEFAULT.containsKey(option.name()) || ENTRA.containsKey(option.name()),
          "no test value for option '" + option.name() + "': add one above");
      boolean checked = false;
      for (CosmosCassandraConfig config : configs) {
        CosmosCassandraConfig arrived =
            CosmosCassandraConfig.decode(asSccMergesIt(config.encode()));
        assertNotNull(arrived);
        assertEquals(config.forConnection(), arrived);
        if (option.isCarried() && config.get(option) != null) {
          assertEquals(config.get(option), arrived.get(option), option.name());
          // A default that travels proves nothing: some login must carry another value.
          checked |= !config.get(option).equals(option.defaultValue());
        } else if (!option.isCarried()) {
          assertFalse(option.notCarriedBecause().trim().isEmpty(), option.name());
          assertNull(arrived.get(option), option.name() + " is not carried");
          checked = true;
        }
      }
      assertTrue(checked, option.name() + " travelled at its default value only");
    }
  }

  @Test
  void theKeyTravelsAsThePasswordWhicheverSourceGaveItAndTheSourceStaysBehind(
      @TempDir Path directory) throws IOException {
    String key = "k3y-From-Elsewhere==";
    Path file = Files.write(directory.resolve("cosmos.key"), key.getBytes(StandardCharsets.UTF_8));
    Map<String, String> environment = new HashMap<>();
    environment.put("COSMOS_TEST_KEY", key);
    Map<String, Map<String, String>> sources = new LinkedHashMap<>();
    sources.put("password", single("password", key));
    sources.put("passwordEnv", single("passwordEnv", "COSMOS_TEST_KEY"));
    sources.put("passwordFile", single("passwordFile", file.toString()));

    for (Map.Entry<String, Map<String, String>> source : sources.entrySet()) {
      Map<String, String> options = new LinkedHashMap<>(source.getValue());
      options.put("account", "acct");
      Map<String, String> encoded =
          CosmosCassandraConfig.resolve(options, new HashMap<>(), new WarnOnce(), environment::get)
              .encode();
      CosmosCassandraConfig arrived = CosmosCassandraConfig.decode(asSccMergesIt(encoded));
      assertEquals(key, arrived.password(), source.getKey());
      assertEquals(
          key, encoded.get(CosmosCassandraConfig.RESOLVED_PREFIX + "password"), source.getKey());
      assertFalse(encoded.containsValue("COSMOS_TEST_KEY"), source.getKey());
      assertFalse(encoded.containsValue(file.toString()), source.getKey());
    }
  }

  @Test
  void theCodecWritesOneKeyPerCarriedOptionAndNothingElse() {
    for (Map<String, String> login : logins()) {
      CosmosCassandraConfig config = CosmosCassandraConfig.resolve(login, new HashMap<>());
      Map<String, String> encoded = config.encode();
      int carried = 0;
      for (CosmosOption<?> option : CosmosOptions.all()) {
        if (option.isCarried() && config.get(option) != null) {
          carried++;
          assertTrue(
              encoded.containsKey(CosmosCassandraConfig.RESOLVED_PREFIX + option.name()),
              option.name());
        }
      }
      assertEquals(carried, encoded.size(), encoded.keySet().toString());
    }
  }

  @Test
  void secretsTravelUnderKeysSparksRedactionPatternHides() {
    for (Map<String, String> login : logins()) {
      Map<String, String> encoded = CosmosCassandraConfig.resolve(login, new HashMap<>()).encode();
      for (CosmosOption<?> option : CosmosOptions.all()) {
        String key = CosmosCassandraConfig.RESOLVED_PREFIX + option.name();
        if (option.isSecret() && encoded.containsKey(key)) {
          assertTrue(
              key.toLowerCase(Locale.ROOT).matches(".*(secret|password|token|access[.]?key).*"),
              key);
        }
      }
    }
  }

  @Test
  void noResolvedAccountMeansNothingToDecode() {
    Map<String, String> plain = new HashMap<>();
    plain.put("spark.cassandra.connection.host", "h.example");
    assertNull(CosmosCassandraConfig.decode(plain));
  }

  /**
   * Values for the Microsoft Entra ID options, none of them the default. The credentials exclude
   * one another, so each login below takes its share.
   */
  private static final Map<String, String> ENTRA = new LinkedHashMap<>();

  static {
    ENTRA.put("auth.type", "entra");
    ENTRA.put("auth.entra.tenantId", "11111111-2222-3333-4444-555555555555");
    ENTRA.put("auth.entra.clientId", "66666666-7777-8888-9999-000000000000");
    ENTRA.put("auth.entra.clientSecret", "app-Secret~1");
    ENTRA.put("auth.entra.authorityHost", "https://login.microsoftonline.us/");
    ENTRA.put("auth.entra.scope", "https://cosmos.azure.us/.default");
    ENTRA.put("auth.entra.credential", "clientSecret");
    ENTRA.put("auth.entra.certificatePath", existingFile("app.pfx"));
    ENTRA.put("auth.entra.certificatePassword", "pfx-pw");
    ENTRA.put("auth.entra.tokenFilePath", existingFile("azure-identity-token"));
  }

  /** Key login with every key-login value, then the Entra credentials' shares of theirs. */
  private static List<Map<String, String>> logins() {
    Map<String, String> secret = entraLogin("auth.entra.clientSecret");
    Map<String, String> certificate =
        entraLogin("auth.entra.certificatePath", "auth.entra.certificatePassword");
    certificate.put("auth.entra.credential", "clientCertificate");
    Map<String, String> workload = entraLogin("auth.entra.tokenFilePath");
    workload.put("auth.entra.credential", "workloadIdentity");
    return Arrays.asList(oneKeySource(), secret, certificate, workload);
  }

  private static Map<String, String> entraLogin(String... credentialOptions) {
    Map<String, String> options = oneKeySource();
    options.keySet().removeAll(Arrays.asList("connectionString", "passwordEnv", "passwordFile"));
    options.remove("password");
    options.put("account", "acct");
    options.put("host", "private.example");
    options.put("port", "12345");
    for (String common :
        Arrays.asList(
            "auth.type",
            "auth.entra.credential",
            "auth.entra.tenantId",
            "auth.entra.clientId",
            "auth.entra.authorityHost",
            "auth.entra.scope")) {
      options.put(common, ENTRA.get(common));
    }
    for (String option : credentialOptions) {
      options.put(option, ENTRA.get(option));
    }
    return options;
  }

  private static String existingFile(String name) {
    try {
      Path file = Files.createTempFile("codec-", "-" + name);
      file.toFile().deleteOnExit();
      return file.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every test value, with the connection string as the one key source. */
  private static Map<String, String> oneKeySource() {
    Map<String, String> options = new LinkedHashMap<>(NOT_DEFAULT);
    options.keySet().removeAll(OTHER_KEY_SOURCES);
    return options;
  }

  private static Map<String, String> single(String key, String value) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put(key, value);
    return map;
  }

  /** SCC lower-cases the per-read keys it merges over the configuration's. */
  private static Map<String, String> asSccMergesIt(Map<String, String> encoded) {
    Map<String, String> merged = new HashMap<>();
    encoded.forEach((key, value) -> merged.put(key.toLowerCase(Locale.ROOT), value));
    return merged;
  }
}

package io.github.cosmosspark.core.datasource;

import static io.github.cosmosspark.testkit.spark.DataFrameAssertions.assertSameRowsByKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.DataPlaneRole;
import io.github.cosmosspark.testkit.entra.EntraTokenEndpoint;
import io.github.cosmosspark.testkit.entra.TestTokenIssuer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads and writes with {@code auth.type=entra} on an account whose keys are disabled:
 * azure-identity gets tokens from the testkit's Entra endpoint over HTTPS, the emulator checks
 * them, and each refusal is named with its fix before any row moves (issue 21).
 */
@CassandraTest
class EntraLoginTest {

  private static final String WRITER_APP = UUID.randomUUID().toString();
  private static final String WRITER = UUID.randomUUID().toString();
  private static final String WRITER_SECRET = "writer~Secret." + UUID.randomUUID();
  private static final String READER_APP = UUID.randomUUID().toString();
  private static final String READER = UUID.randomUUID().toString();
  private static final String READER_SECRET = "reader~Secret." + UUID.randomUUID();
  private static final String NO_ROLE_APP = UUID.randomUUID().toString();
  private static final String NO_ROLE_SECRET = "norole~Secret." + UUID.randomUUID();
  private static final String EXPIRED_APP = UUID.randomUUID().toString();
  private static final String EXPIRED_SECRET = "expired~Secret." + UUID.randomUUID();

  private static final String CERTIFICATE_APP = UUID.randomUUID().toString();
  private static final String CERTIFICATE_PRINCIPAL = UUID.randomUUID().toString();
  private static final String WORKLOAD_APP = UUID.randomUUID().toString();
  private static final String WORKLOAD_PRINCIPAL = UUID.randomUUID().toString();
  private static final String SERVICE_ACCOUNT = "system:serviceaccount:spark:jobs";

  /** The Kubernetes cluster's OIDC issuer, which signs the pod's service account token. */
  private static final TestTokenIssuer KUBERNETES = TestTokenIssuer.create();

  private static final IssuedCertificate CLIENT_CERTIFICATE =
      TestCertificateAuthority.create("app certificates")
          .issueServerCertificate(
              "cosmos-spark-app",
              Collections.singletonList("cosmos-spark-app"),
              Collections.emptyList());

  /** The issue asks for 60-second tokens: a job must outlive one. */
  private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(60);

  private static final TestTokenIssuer ENTRA = TestTokenIssuer.create();
  private static EntraTokenEndpoint login;
  private static CosmosEmulator emulator;
  private static Path truststore;

  @TempDir static Path directory;

  @BeforeAll
  static void start(CassandraServer cassandra) throws Exception {
    login =
        EntraTokenEndpoint.builder(ENTRA)
            .clientSecret(WRITER_APP, WRITER, WRITER_SECRET)
            .clientSecret(READER_APP, READER, READER_SECRET)
            .clientSecret(NO_ROLE_APP, UUID.randomUUID().toString(), NO_ROLE_SECRET)
            .expiredClientSecret(EXPIRED_APP, UUID.randomUUID().toString(), EXPIRED_SECRET)
            .clientCertificate(
                CERTIFICATE_APP, CERTIFICATE_PRINCIPAL, CLIENT_CERTIFICATE.certificate())
            .federatedCredential(WORKLOAD_APP, WORKLOAD_PRINCIPAL, KUBERNETES, SERVICE_ACCOUNT)
            .tokenLifetime(TOKEN_LIFETIME)
            .start();
    emulator =
        CosmosEmulator.builder(cassandra)
            .entraIssuer(ENTRA)
            .disableLocalAuth()
            .grantRole(WRITER, DataPlaneRole.DATA_CONTRIBUTOR)
            .grantRole(READER, DataPlaneRole.DATA_READER)
            .grantRole(CERTIFICATE_PRINCIPAL, DataPlaneRole.DATA_CONTRIBUTOR)
            .grantRole(WORKLOAD_PRINCIPAL, DataPlaneRole.DATA_CONTRIBUTOR)
            .build()
            .start();
    truststore =
        emulator.writeTruststoreAlsoTrusting(login.truststore(), directory.resolve("trust.p12"));
    try (CqlSession session = emulator.sessionBuilder(ENTRA.token(WRITER).sign()).build()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS entra_login WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      for (String table :
          new String[] {"books", "outlived", "refused", "by_reader", "other_credentials"}) {
        session.execute(
            "CREATE TABLE entra_login."
                + table
                + " (id int PRIMARY KEY, title text) WITH cosmosdb_provisioned_throughput=100000");
      }
    }
  }

  @AfterAll
  static void stop() {
    emulator.close();
    login.close();
  }

  @Test
  void aServicePrincipalWritesAndReadsExactlyWhereKeysAreDisabled() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> books =
        spark.range(2_000).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");
    long tokensBefore = login.tokensIssued();

    books
        .write()
        .format("cosmoscassandra")
        .options(table("books", WRITER_APP, WRITER_SECRET))
        .mode("append")
        .save();
    Dataset<Row> read =
        spark
            .read()
            .format("cosmoscassandra")
            .options(table("books", WRITER_APP, WRITER_SECRET))
            .load();

    assertSameRowsByKey(books, read, "id");
    assertTrue(emulator.localAuthDisabled());
    assertTrue(login.tokensIssued() > tokensBefore, "the job logged in with Entra tokens");
  }

  /**
   * The other credentials a service principal or a Kubernetes pod uses: a certificate as PFX with a
   * password and as PEM, and workload identity's federated token file. Each writes its own rows.
   */
  @Test
  void aCertificateInPfxOrPemAndAWorkloadIdentityLogInToo() throws Exception {
    SparkSession spark = LocalSpark.session();
    Path pfx = directory.resolve("app.pfx");
    CLIENT_CERTIFICATE.writeKeystore(pfx, "app", "pfx-password".toCharArray());
    Path pem = directory.resolve("app.pem");
    Files.write(
        pem,
        (pem("PRIVATE KEY", CLIENT_CERTIFICATE.privateKey().getEncoded())
                + pem("CERTIFICATE", CLIENT_CERTIFICATE.certificate().getEncoded()))
            .getBytes(StandardCharsets.US_ASCII));
    Path serviceAccountToken = directory.resolve("azure-identity-token");
    Files.write(
        serviceAccountToken,
        KUBERNETES
            .token(WORKLOAD_PRINCIPAL)
            .subject(SERVICE_ACCOUNT)
            .audience(EntraTokenEndpoint.TOKEN_EXCHANGE_AUDIENCE)
            .expiresIn(Duration.ofHours(1))
            .sign()
            .getBytes(StandardCharsets.US_ASCII));

    Map<String, Map<String, String>> logins = new LinkedHashMap<>();
    Map<String, String> withPfx = table("other_credentials", CERTIFICATE_APP, null);
    withPfx.put("auth.entra.certificatePath", pfx.toString());
    withPfx.put("auth.entra.certificatePassword", "pfx-password");
    logins.put("pfx", withPfx);
    Map<String, String> withPem = table("other_credentials", CERTIFICATE_APP, null);
    withPem.put("auth.entra.certificatePath", pem.toString());
    logins.put("pem", withPem);
    Map<String, String> workload = table("other_credentials", WORKLOAD_APP, null);
    workload.put("auth.entra.credential", "workloadIdentity");
    workload.put("auth.entra.tokenFilePath", serviceAccountToken.toString());
    logins.put("workload", workload);

    int base = 0;
    for (Map.Entry<String, Map<String, String>> login : logins.entrySet()) {
      Dataset<Row> rows =
          spark
              .range(base, base + 300)
              .selectExpr(
                  "CAST(id AS INT) AS id", "CONCAT('" + login.getKey() + "-', id) AS title");
      rows.write().format("cosmoscassandra").options(login.getValue()).mode("append").save();
      assertSameRowsByKey(
          rows,
          spark
              .read()
              .format("cosmoscassandra")
              .options(login.getValue())
              .load()
              .where("id >= " + base + " AND id < " + (base + 300)),
          "id");
      base += 300;
    }
    assertEquals(900, countAsWriter("other_credentials"));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /**
   * One task pauses 70 s between its rows, longer than a token lives: the emulator closes every
   * connection whose token expired, and the driver reconnects with the renewed token.
   */
  @Test
  void aJobThatOutlivesItsTokenWritesEveryRow() {
    SparkSession spark = LocalSpark.session();
    spark
        .udf()
        .register(
            "pauseAt300",
            (UDF1<Long, Long>)
                id -> {
                  if (id == 300) {
                    Thread.sleep(TOKEN_LIFETIME.plusSeconds(10).toMillis());
                  }
                  return id;
                },
            DataTypes.LongType);
    Dataset<Row> books =
        spark.range(600).selectExpr("CAST(id AS INT) AS id", "CONCAT('title-', id) AS title");
    long closedBefore = emulator.connectionsClosedOnTokenExpiry();
    long tokensBefore = login.tokensIssued();
    long started = System.nanoTime();

    books
        .coalesce(1)
        .selectExpr("CAST(pauseAt300(CAST(id AS BIGINT)) AS INT) AS id", "title")
        .write()
        .format("cosmoscassandra")
        .options(table("outlived", WRITER_APP, WRITER_SECRET))
        .option("write.spreadOverPartitions", "false")
        .mode("append")
        .save();

    long closed = emulator.connectionsClosedOnTokenExpiry() - closedBefore;
    long tokens = login.tokensIssued() - tokensBefore;
    System.out.printf(
        "Token outlived: 600 rows in %.1f s with %d s tokens; %d connections closed at expiry,"
            + " %d tokens issued%n",
        (System.nanoTime() - started) / 1e9, TOKEN_LIFETIME.getSeconds(), closed, tokens);
    assertTrue(closed > 0, "a connection outlived its token and was closed");
    assertTrue(tokens >= 2, "the token was renewed: " + tokens);
    assertSameRowsByKey(
        books,
        spark
            .read()
            .format("cosmoscassandra")
            .options(table("outlived", WRITER_APP, WRITER_SECRET))
            .load(),
        "id");
  }

  @Test
  void aReaderReadsButItsWriteIsRefusedNamingTheRoleAndWritesNothing() {
    SparkSession spark = LocalSpark.session();
    assertEquals(
        0,
        spark
            .read()
            .format("cosmoscassandra")
            .options(table("by_reader", READER_APP, READER_SECRET))
            .load()
            .count());
    Dataset<Row> rows = spark.range(50).selectExpr("CAST(id AS INT) AS id", "'x' AS title");

    String message =
        messages(
            assertThrows(
                Exception.class,
                () ->
                    rows.write()
                        .format("cosmoscassandra")
                        .options(table("by_reader", READER_APP, READER_SECRET))
                        .mode("append")
                        .save()));

    assertTrue(
        message.contains(
            "The Microsoft Entra identity may read but not write: give it the Cosmos"
                + " DB Built-in Data Contributor role (id 00000000-0000-0000-0000-000000000004)"),
        message);
    assertEquals(0, countAsWriter("by_reader"));
  }

  @Test
  void entraRefusalsAreNamedWithTheirFixBeforeAnyRowMoves() {
    SparkSession spark = LocalSpark.session();
    Dataset<Row> rows = spark.range(10).selectExpr("CAST(id AS INT) AS id", "'x' AS title");

    Map<String, String> otherTenant = table("refused", WRITER_APP, WRITER_SECRET);
    otherTenant.put("auth.entra.tenantId", UUID.randomUUID().toString());
    assertRefused(
        rows, otherTenant, "AADSTS90002", "check spark.cosmos.cassandra.auth.entra.tenantId");

    assertRefused(
        rows,
        table("refused", EXPIRED_APP, EXPIRED_SECRET),
        "AADSTS7000222",
        "The client secret has expired: add a new one on the app registration's Certificates &"
            + " secrets page and update spark.cosmos.cassandra.auth.entra.clientSecret");

    assertRefused(
        rows,
        table("refused", WRITER_APP, WRITER_SECRET + "-wrong"),
        "AADSTS7000215",
        "set spark.cosmos.cassandra.auth.entra.clientSecret to the secret's Value");

    Map<String, String> otherAudience = table("refused", WRITER_APP, WRITER_SECRET);
    otherAudience.put("auth.entra.scope", "https://management.azure.com/.default");
    assertRefused(
        rows,
        otherAudience,
        "Cosmos DB refused the Microsoft Entra ID token of service principal "
            + WRITER_APP
            + " (clientSecret) of tenant",
        "the token must be for the account's tenant and for https://cosmos.azure.com");

    assertRefused(
        rows,
        table("refused", NO_ROLE_APP, NO_ROLE_SECRET),
        "Cosmos DB refused the Microsoft Entra ID token",
        "The identity needs a data-plane role on the account");

    Map<String, String> withKey = table("refused", WRITER_APP, WRITER_SECRET);
    withKey.put("password", emulator.key());
    assertRefused(
        rows,
        withKey,
        "'spark.cosmos.cassandra.auth.type' is 'entra', but 'password' gives an account key.",
        "Log in one way");

    assertEquals(0, countAsWriter("refused"), "nothing was written by a refused write");
  }

  private static void assertRefused(
      Dataset<Row> rows, Map<String, String> options, String... expected) {
    String message =
        messages(
            assertThrows(
                Exception.class,
                () ->
                    rows.write().format("cosmoscassandra").options(options).mode("append").save()));
    // For docs/reliability.md: the message a user reads.
    System.out.println("Entra refusal: " + message.replace("\n", " | "));
    for (String part : expected) {
      assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }
    for (String secret :
        new String[] {WRITER_SECRET, READER_SECRET, NO_ROLE_SECRET, EXPIRED_SECRET, "eyJ"}) {
      assertEquals(-1, message.indexOf(secret), "a secret or token in: " + message);
    }
  }

  private static long countAsWriter(String table) {
    return LocalSpark.session()
        .read()
        .format("cosmoscassandra")
        .options(table(table, WRITER_APP, WRITER_SECRET))
        .load()
        .count();
  }

  /** Connection options for the emulator with Entra login as {@code clientId}, no key. */
  private static Map<String, String> table(String table, String clientId, String secret) {
    Map<String, String> options = new HashMap<>();
    options.put("account", emulator.account());
    options.put("host", emulator.host());
    options.put("port", Integer.toString(emulator.port()));
    options.put("tls.truststore.path", truststore.toString());
    options.put("tls.truststore.type", "PKCS12");
    options.put("tls.truststore.password", emulator.truststorePassword());
    options.put("auth.type", "entra");
    options.put("auth.entra.authorityHost", login.authorityHost());
    options.put("auth.entra.tenantId", ENTRA.tenantId());
    options.put("auth.entra.clientId", clientId);
    if (secret != null) {
      options.put("auth.entra.clientSecret", secret);
    }
    options.put("keyspace", "entra_login");
    options.put("table", table);
    return options;
  }

  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      all.append(cause.getMessage()).append('\n');
    }
    return all.toString();
  }
}

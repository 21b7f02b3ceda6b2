package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.entra.TestTokenIssuer;
import io.github.cosmosspark.testkit.junit.CassandraTest;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Logins with Microsoft Entra ID tokens and the data-plane roles (issue 21). */
@CassandraTest
class EntraIdTest {

  private static final String CONTRIBUTOR = "1d6c3f0e-7b2a-4c59-8e1d-3a4b5c6d7e8f";
  private static final String READER = "2e7d4a1f-8c3b-4d6a-9f2e-4b5c6d7e8f90";
  private static final String BOTH = "3f8e5b20-9d4c-4e7b-a03f-5c6d7e8f9a01";
  private static final String NO_ROLE = "4a9f6c31-ae5d-4f8c-b14a-6d7e8f9a0b12";

  private static final TestTokenIssuer ENTRA = TestTokenIssuer.create();
  private static CosmosEmulator emulator;

  @BeforeAll
  static void startEmulator(CassandraServer cassandra) {
    emulator =
        CosmosEmulator.builder(cassandra)
            .entraIssuer(ENTRA)
            .grantRole(CONTRIBUTOR, DataPlaneRole.DATA_CONTRIBUTOR)
            .grantRole(READER, DataPlaneRole.DATA_READER)
            .grantRole(BOTH, DataPlaneRole.DATA_READER)
            .grantRole(BOTH.toUpperCase(), DataPlaneRole.DATA_CONTRIBUTOR)
            .build()
            .start();
  }

  @AfterAll
  static void stopEmulator() {
    emulator.close();
  }

  @Test
  void aContributorsTokenLogsInAsTheAccountAndWritesAndReads(TestKeyspace direct) {
    String table = direct.name() + ".by_contributor";
    try (CqlSession session = connect(emulator, ENTRA.token(CONTRIBUTOR).sign()).build()) {
      session.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, title text)");
      session.execute("INSERT INTO " + table + " (id, title) VALUES (1, 'one')");
      assertEquals(
          "one",
          session.execute("SELECT title FROM " + table + " WHERE id = 1").one().getString(0));
    }
    assertEquals(
        "one",
        direct
            .session()
            .execute("SELECT title FROM " + table + " WHERE id = 1")
            .one()
            .getString(0));
  }

  @Test
  void aReadersTokenReadsButItsWritesAreRefusedAsUnauthorized(TestKeyspace direct) {
    String table = direct.name() + ".for_reader";
    direct.session().execute("CREATE TABLE " + table + " (id int PRIMARY KEY, title text)");
    direct.session().execute("INSERT INTO " + table + " (id, title) VALUES (1, 'one')");
    try (CqlSession reader = connect(emulator, ENTRA.token(READER).sign()).build()) {
      assertEquals(
          "one", reader.execute("SELECT title FROM " + table + " WHERE id = 1").one().getString(0));
      UnauthorizedException refused =
          assertThrows(
              UnauthorizedException.class,
              () -> reader.execute("INSERT INTO " + table + " (id, title) VALUES (2, 'two')"));
      assertEquals(
          "Principal "
              + READER
              + " is not allowed to write: its role Cosmos DB Built-in Data Reader"
              + " (00000000-0000-0000-0000-000000000003) only reads. Writes, schema changes and"
              + " batches need Cosmos DB Built-in Data Contributor"
              + " (00000000-0000-0000-0000-000000000004)",
          refused.getMessage());
    }
    assertEquals(1, direct.session().execute("SELECT * FROM " + table).all().size());
  }

  @Test
  void aReaderCannotChangeTheSchema(TestKeyspace direct) {
    try (CqlSession reader = connect(emulator, ENTRA.token(READER).sign()).build()) {
      assertThrows(
          UnauthorizedException.class,
          () ->
              reader.execute(
                  "CREATE TABLE " + direct.name() + ".not_made (id int PRIMARY KEY, v int)"));
    }
    assertEquals(
        0,
        direct
            .session()
            .execute(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
                direct.name())
            .all()
            .size());
  }

  @Test
  void aPrincipalGivenBothRolesWrites(TestKeyspace direct) {
    String table = direct.name() + ".by_both";
    direct.session().execute("CREATE TABLE " + table + " (id int PRIMARY KEY, title text)");
    try (CqlSession session = connect(emulator, ENTRA.token(BOTH).sign()).build()) {
      session.execute("INSERT INTO " + table + " (id, title) VALUES (7, 'seven')");
    }
    assertEquals(
        "seven",
        direct
            .session()
            .execute("SELECT title FROM " + table + " WHERE id = 7")
            .one()
            .getString(0));
  }

  @Test
  void aPrincipalWithoutARoleIsRefusedAtLogin() {
    assertLoginRefused(
        ENTRA.token(NO_ROLE).sign(),
        "Principal "
            + NO_ROLE
            + " has no data-plane role on account localcosmos: assign it Cosmos DB Built-in Data"
            + " Reader (00000000-0000-0000-0000-000000000003) or Cosmos DB Built-in Data"
            + " Contributor (00000000-0000-0000-0000-000000000004)");
  }

  @Test
  void anExpiredTokenIsRefusedWithItsExpiry() {
    Instant expired = Instant.parse("2026-01-01T00:00:00Z");
    String message =
        loginRefusal(
            ENTRA
                .token(CONTRIBUTOR)
                .issuedAt(expired.minus(Duration.ofHours(1)))
                .expiresAt(expired)
                .sign());
    assertTrue(
        message.startsWith(
            "Microsoft Entra ID token refused for account localcosmos: it expired at"
                + " 2026-01-01T00:00:00Z; the server's time is "),
        message);
    assertTrue(message.endsWith(". Acquire a new token"), message);
  }

  @Test
  void aTokenNotYetValidIsRefused() {
    Instant later = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    String message = loginRefusal(ENTRA.token(CONTRIBUTOR).notBefore(later).sign());
    assertTrue(
        message.startsWith(
            "Microsoft Entra ID token refused for account localcosmos: it is not valid before "
                + later
                + "; the server's time is "),
        message);
  }

  @Test
  void aTokenForAnotherAudienceIsRefused() {
    // The management plane's audience, and the account's NoSQL endpoint, which Cosmos's Data
    // Explorer uses as scope for the NoSQL API but not for Cassandra.
    for (String audience :
        new String[] {"https://management.azure.com/", "https://localcosmos.documents.azure.com"}) {
      assertLoginRefused(
          ENTRA.token(CONTRIBUTOR).audience(audience).sign(),
          "Microsoft Entra ID token refused for account localcosmos: its audience ["
              + audience
              + "] is not https://cosmos.azure.com (ask for the scope"
              + " https://cosmos.azure.com/.default)");
    }
  }

  @Test
  void aTokenFromAnotherTenantIsRefusedThoughEntraSignedIt() {
    String otherTenant = "9c8b7a60-5f4e-4d3c-8b2a-190807060504";
    assertLoginRefused(
        ENTRA.token(CONTRIBUTOR).tenant(otherTenant).sign(),
        "Microsoft Entra ID token refused for account localcosmos: it was issued by"
            + " https://sts.windows.net/"
            + otherTenant
            + "/ (tenant "
            + otherTenant
            + "), but account localcosmos belongs to tenant "
            + ENTRA.tenantId()
            + " ("
            + ENTRA.issuer()
            + ")");
  }

  @Test
  void aTokenWhoseIssuerIsNotItsTenantsIsRefused() {
    assertTrue(
        loginRefusal(
                ENTRA
                    .token(CONTRIBUTOR)
                    .issuer("https://login.microsoftonline.com/" + ENTRA.tenantId() + "/v2.0")
                    .sign())
            .contains("it was issued by https://login.microsoftonline.com/"));
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() {
    // The same tenant and claims, signed by a key the account was never shown.
    TestTokenIssuer impostor = TestTokenIssuer.forTenant(ENTRA.tenantId());
    assertLoginRefused(
        impostor.token(CONTRIBUTOR).sign(),
        "Microsoft Entra ID token refused for account localcosmos: its signature is not from a"
            + " signing key of "
            + ENTRA.issuer());
  }

  @Test
  void aReadersTokenEditedToNameAContributorIsRefused() throws Exception {
    SignedJWT reader = SignedJWT.parse(ENTRA.token(READER).sign());
    Map<String, Object> claims = new HashMap<>(reader.getJWTClaimsSet().toJSONObject());
    claims.put("oid", CONTRIBUTOR);
    String payload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(JWTClaimsSet.parse(claims).toString().getBytes(StandardCharsets.UTF_8));
    String[] parts = reader.serialize().split("\\.");
    assertLoginRefused(
        parts[0] + "." + payload + "." + parts[2],
        "Microsoft Entra ID token refused for account localcosmos: its signature is not from a"
            + " signing key of "
            + ENTRA.issuer());
  }

  @Test
  void anUnsignedTokenIsRefused() throws Exception {
    JWTClaimsSet claims = SignedJWT.parse(ENTRA.token(CONTRIBUTOR).sign()).getJWTClaimsSet();
    assertLoginRefused(
        new PlainJWT(new PlainHeader(), claims).serialize(),
        "Microsoft Entra ID token refused for account localcosmos: its signature is not from a"
            + " signing key of "
            + ENTRA.issuer());
  }

  @Test
  void aTokenWithAnotherUserNameIsRefused() {
    AllNodesFailedException error =
        assertThrows(
            AllNodesFailedException.class,
            () ->
                connect(emulator, "unused")
                    .withAuthCredentials("someoneelse", ENTRA.token(CONTRIBUTOR).sign())
                    .build()
                    .close());
    assertTrue(
        firstError(error)
            .getMessage()
            .contains("Provided username someoneelse and/or password are incorrect"),
        firstError(error).getMessage());
  }

  @Test
  void keysStillLogInBesideTokensUnlessLocalAuthIsDisabled(TestKeyspace direct) {
    String table = direct.name() + ".both_ways";
    try (CqlSession byToken = connect(emulator, ENTRA.token(CONTRIBUTOR).sign()).build();
        CqlSession byKey = connect(emulator, emulator.key()).build();
        CqlSession byReadOnlyKey = connect(emulator, emulator.readOnlyKey()).build()) {
      byToken.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, title text)");
      byKey.execute("INSERT INTO " + table + " (id, title) VALUES (1, 'key')");
      byToken.execute("INSERT INTO " + table + " (id, title) VALUES (2, 'token')");
      assertEquals(2, byReadOnlyKey.execute("SELECT * FROM " + table).all().size());
      UnauthorizedException refused =
          assertThrows(
              UnauthorizedException.class,
              () -> byReadOnlyKey.execute("INSERT INTO " + table + " (id, title) VALUES (3, 'x')"));
      assertTrue(refused.getMessage().contains("read-only key"), refused.getMessage());
    }
    assertEquals(false, emulator.localAuthDisabled());
  }

  @Test
  void withLocalAuthDisabledKeysAreRefusedAndTokensLogIn(
      CassandraServer cassandra, TestKeyspace direct) {
    try (CosmosEmulator keyless =
        CosmosEmulator.builder(cassandra)
            .entraIssuer(ENTRA)
            .grantRole(CONTRIBUTOR, DataPlaneRole.DATA_CONTRIBUTOR)
            .disableLocalAuth()
            .build()
            .start()) {
      assertTrue(keyless.localAuthDisabled());
      String refusal =
          "Local authorization (account keys) is disabled for account localcosmos: log in with a"
              + " Microsoft Entra ID access token as the password";
      for (String key : new String[] {keyless.key(), keyless.readOnlyKey()}) {
        AllNodesFailedException error =
            assertThrows(
                AllNodesFailedException.class, () -> connect(keyless, key).build().close());
        assertEquals(refusalOf(error), refusal);
      }
      // A wrong key is still just wrong.
      AllNodesFailedException wrong =
          assertThrows(
              AllNodesFailedException.class,
              () -> connect(keyless, keyless.key() + "x").build().close());
      assertTrue(refusalOf(wrong).contains("and/or password are incorrect"), refusalOf(wrong));

      try (CqlSession session = connect(keyless, ENTRA.token(CONTRIBUTOR).sign()).build()) {
        assertEquals(
            0,
            session
                .execute(
                    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
                    direct.name())
                .all()
                .size());
      }
    }
  }

  @Test
  void aConnectionIsClosedWhenItsTokenExpires(CassandraServer cassandra) throws Exception {
    try (CosmosEmulator closing =
            CosmosEmulator.builder(cassandra)
                .entraIssuer(ENTRA)
                .grantRole(CONTRIBUTOR, DataPlaneRole.DATA_CONTRIBUTOR)
                .build()
                .start();
        CqlSession session = connect(closing, tokenExpiringAt(soon())).build()) {
      assertEquals(2, closing.openClientConnections(), "control connection and pool");
      waitUntil(() -> closing.connectionsClosedOnTokenExpiry() == 2);
      // The driver reconnects with the token it has, which has expired: refused at login.
      waitUntil(() -> closing.openClientConnections() == 0);
      assertEquals(2, closing.connectionsClosedOnTokenExpiry());
      assertThrows(
          AllNodesFailedException.class, () -> session.execute("SELECT * FROM system.local"));
    }
  }

  @Test
  void withRefuseRequestsAConnectionStaysOpenButRefusesRequestsAfterItsTokenExpires(
      CassandraServer cassandra) throws Exception {
    Instant expiry = soon();
    try (CosmosEmulator refusing =
            CosmosEmulator.builder(cassandra)
                .entraIssuer(ENTRA)
                .grantRole(CONTRIBUTOR, DataPlaneRole.DATA_CONTRIBUTOR)
                .onTokenExpiry(TokenExpiry.REFUSE_REQUESTS)
                .build()
                .start();
        CqlSession session = connect(refusing, tokenExpiringAt(expiry)).build()) {
      sleepUntilAfter(expiry);
      UnauthorizedException refused =
          assertThrows(
              UnauthorizedException.class,
              () -> session.execute("SELECT release_version FROM system.local"));
      assertEquals(
          "The Microsoft Entra ID token this connection logged in with expired at "
              + expiry
              + ": open a new connection with a fresh token",
          refused.getMessage());
      assertEquals(2, refusing.openClientConnections());
      assertEquals(0, refusing.connectionsClosedOnTokenExpiry());
    }
  }

  @Test
  void withKeepConnectionAConnectionOutlivesItsToken(CassandraServer cassandra) throws Exception {
    Instant expiry = soon();
    try (CosmosEmulator keeping =
            CosmosEmulator.builder(cassandra)
                .entraIssuer(ENTRA)
                .grantRole(CONTRIBUTOR, DataPlaneRole.DATA_CONTRIBUTOR)
                .onTokenExpiry(TokenExpiry.KEEP_CONNECTION)
                .build()
                .start();
        CqlSession session = connect(keeping, tokenExpiringAt(expiry)).build()) {
      sleepUntilAfter(expiry);
      assertEquals(
          "3.11.0", session.execute("SELECT release_version FROM system.local").one().getString(0));
      assertEquals(2, keeping.openClientConnections());
    }
  }

  @Test
  void entraSettingsWithoutAnIssuerAndIdsThatAreNotGuidsAreRefusedByTheBuilder(
      CassandraServer cassandra) {
    IllegalArgumentException keyless =
        assertThrows(
            IllegalArgumentException.class,
            () -> CosmosEmulator.builder(cassandra).disableLocalAuth().build());
    assertEquals(
        "disableLocalAuth() leaves no way to log in without entraIssuer(...)",
        keyless.getMessage());
    IllegalArgumentException role =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CosmosEmulator.builder(cassandra)
                    .grantRole(READER, DataPlaneRole.DATA_READER)
                    .build());
    assertEquals(
        "grantRole(...) applies to Microsoft Entra ID logins: set entraIssuer(...) too",
        role.getMessage());
    IllegalArgumentException expiry =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CosmosEmulator.builder(cassandra)
                    .onTokenExpiry(TokenExpiry.KEEP_CONNECTION)
                    .build());
    assertEquals(
        "onTokenExpiry(...) applies to Microsoft Entra ID logins: set entraIssuer(...) too",
        expiry.getMessage());
    IllegalArgumentException principal =
        assertThrows(
            IllegalArgumentException.class,
            () -> CosmosEmulator.builder(cassandra).grantRole("alice", DataPlaneRole.DATA_READER));
    assertEquals(
        "principalId must be an Entra object id (a GUID), got 'alice'", principal.getMessage());
  }

  /**
   * A session builder as {@link CosmosEmulator#sessionBuilder(String)} gives, whose close does not
   * wait out Netty's default quiet period of 2 s: most tests here open sessions that are refused or
   * short, and would spend most of their time closing them.
   */
  private static CqlSessionBuilder connect(CosmosEmulator cosmos, String password) {
    return cosmos
        .sessionBuilder(password)
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60))
                .withDuration(
                    DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(
                    DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(
                    DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(60))
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                .build());
  }

  // 3 to 4 s from now (exp has whole seconds): time to connect, and little to wait.
  private static Instant soon() {
    return Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
  }

  private static String tokenExpiringAt(Instant expiry) {
    return ENTRA.token(CONTRIBUTOR).expiresAt(expiry).sign();
  }

  private static void sleepUntilAfter(Instant expiry) throws InterruptedException {
    long wait = expiry.toEpochMilli() - System.currentTimeMillis() + 200;
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting");
      Thread.sleep(20);
    }
  }

  private static void assertLoginRefused(String token, String expected) {
    assertEquals(expected, loginRefusal(token));
  }

  private static String loginRefusal(String token) {
    AllNodesFailedException error =
        assertThrows(AllNodesFailedException.class, () -> connect(emulator, token).build().close());
    return refusalOf(error);
  }

  private static Throwable firstError(AllNodesFailedException error) {
    return error.getAllErrors().values().iterator().next().get(0);
  }

  // Driver 4 wraps the server's text: "Authentication error on node ...: server replied with
  // '<text>' to AuthResponse request".
  private static String refusalOf(AllNodesFailedException error) {
    Throwable first = firstError(error);
    assertInstanceOf(AuthenticationException.class, first);
    String message = first.getMessage();
    int start = message.indexOf("server replied with '");
    int end = message.lastIndexOf("' to AuthResponse request");
    assertTrue(start >= 0 && end > start, message);
    return message.substring(start + "server replied with '".length(), end);
  }
}

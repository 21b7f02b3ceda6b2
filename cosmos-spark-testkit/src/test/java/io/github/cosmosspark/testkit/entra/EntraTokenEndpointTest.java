package io.github.cosmosspark.testkit.entra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.emulator.DataPlaneRole;
import io.github.cosmosspark.testkit.junit.CassandraExtension;
import io.github.cosmosspark.testkit.junit.TestKeyspace;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MSAL4J, Microsoft's own client, obtains tokens from {@link EntraTokenEndpoint}. */
class EntraTokenEndpointTest {

  private static final String SECRET_APP = "5b1c2d3e-4f50-4617-8829-3a4b5c6d7e01";
  private static final String SECRET_APP_OBJECT = "6c2d3e4f-5061-4728-9930-4b5c6d7e8f02";
  private static final String SECRET = "s3cret~value";
  private static final String EXPIRED_APP = "7d3e4f50-6172-4839-aa41-5c6d7e8f9003";
  private static final String EXPIRED_APP_OBJECT = "8e4f5061-7283-494a-bb52-6d7e8f9a0104";
  private static final String EXPIRED_SECRET = "old~secret";
  private static final String CERTIFICATE_APP = "9f506172-8394-4a5b-8c63-7e8f9a0b1205";
  private static final String CERTIFICATE_APP_OBJECT = "a0617283-94a5-4b6c-9d74-8f9a0b1c2306";
  private static final String WORKLOAD_APP = "b1728394-a5b6-4c7d-ae85-9a0b1c2d3407";
  private static final String WORKLOAD_APP_OBJECT = "c28394a5-b6c7-4d8e-bf96-0b1c2d3e4508";
  private static final String SERVICE_ACCOUNT = "system:serviceaccount:spark:cosmos-writer";
  private static final String UNKNOWN_APP = "d394a5b6-c7d8-4e9f-8a07-1c2d3e4f5609";

  private static final TestTokenIssuer ENTRA = TestTokenIssuer.create();
  // The Kubernetes cluster's OIDC issuer, which signs the pod's service account token.
  private static final TestTokenIssuer CLUSTER = TestTokenIssuer.create();
  private static final TestCertificateAuthority CLIENT_CERTIFICATES =
      TestCertificateAuthority.create("client certificates");
  private static final IssuedCertificate CLIENT_CERTIFICATE =
      CLIENT_CERTIFICATES.issueServerCertificate(
          "cosmos-spark-client",
          Collections.singletonList("cosmos-spark-client"),
          Collections.emptyList());

  private static EntraTokenEndpoint login;

  @BeforeAll
  static void startEndpoint() {
    login =
        EntraTokenEndpoint.builder(ENTRA)
            .clientSecret(SECRET_APP, SECRET_APP_OBJECT, SECRET)
            .expiredClientSecret(EXPIRED_APP, EXPIRED_APP_OBJECT, EXPIRED_SECRET)
            .clientCertificate(
                CERTIFICATE_APP, CERTIFICATE_APP_OBJECT, CLIENT_CERTIFICATE.certificate())
            .federatedCredential(WORKLOAD_APP, WORKLOAD_APP_OBJECT, CLUSTER, SERVICE_ACCOUNT)
            .tokenLifetime(Duration.ofSeconds(600))
            .start();
  }

  @AfterAll
  static void stopEndpoint() {
    login.close();
  }

  @Test
  void aClientSecretGetsATokenForCosmosWithTheServicePrincipalsClaims() throws Exception {
    long before = login.tokensIssued();
    IAuthenticationResult result =
        acquire(SECRET_APP, ClientCredentialFactory.createFromSecret(SECRET), cosmosScope());

    JWTClaimsSet claims = SignedJWT.parse(result.accessToken()).getJWTClaimsSet();
    assertEquals(Collections.singletonList("https://cosmos.azure.com"), claims.getAudience());
    assertEquals(SECRET_APP_OBJECT, claims.getStringClaim("oid"));
    assertEquals(ENTRA.tenantId(), claims.getStringClaim("tid"));
    assertEquals(SECRET_APP, claims.getStringClaim("appid"));
    assertEquals("https://sts.windows.net/" + ENTRA.tenantId() + "/", claims.getIssuer());
    assertEquals(
        600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);
    assertEquals(before + 1, login.tokensIssued());
  }

  @Test
  void aCertificateCredentialGetsAToken() throws Exception {
    IAuthenticationResult result =
        acquire(
            CERTIFICATE_APP,
            ClientCredentialFactory.createFromCertificate(
                CLIENT_CERTIFICATE.privateKey(), CLIENT_CERTIFICATE.certificate()),
            cosmosScope());

    JWTClaimsSet claims = SignedJWT.parse(result.accessToken()).getJWTClaimsSet();
    assertEquals(CERTIFICATE_APP_OBJECT, claims.getStringClaim("oid"));
    assertEquals(CERTIFICATE_APP, claims.getStringClaim("appid"));
    assertEquals(Collections.singletonList("https://cosmos.azure.com"), claims.getAudience());
  }

  @Test
  void aServiceAccountTokenOfTheFederatedIssuerGetsAToken() throws Exception {
    IAuthenticationResult result =
        acquire(
            WORKLOAD_APP,
            ClientCredentialFactory.createFromClientAssertion(serviceAccountToken().sign()),
            cosmosScope());

    JWTClaimsSet claims = SignedJWT.parse(result.accessToken()).getJWTClaimsSet();
    assertEquals(WORKLOAD_APP_OBJECT, claims.getStringClaim("oid"));
    assertEquals(WORKLOAD_APP, claims.getStringClaim("appid"));
    assertEquals(ENTRA.tenantId(), claims.getStringClaim("tid"));
  }

  @Test
  void theManagementScopeGetsATokenForTheManagementAudience() throws Exception {
    IAuthenticationResult result =
        acquire(
            SECRET_APP,
            ClientCredentialFactory.createFromSecret(SECRET),
            "https://management.azure.com/.default");

    assertEquals(
        Collections.singletonList("https://management.azure.com"),
        SignedJWT.parse(result.accessToken()).getJWTClaimsSet().getAudience());
  }

  @Test
  void anUnknownTenantIsRefusedWithAadsts90002() {
    String otherTenant = "e4a5b6c7-d8e9-4f0a-9b18-2d3e4f5a6b7c";
    ConfidentialClientApplication app =
        application(
            SECRET_APP,
            ClientCredentialFactory.createFromSecret(SECRET),
            login.authorityHost() + otherTenant + "/");

    MsalServiceException refused = refusal(app, cosmosScope());

    assertEquals("invalid_request", refused.errorCode());
    assertEquals(400, refused.statusCode());
    assertTrue(
        refused.getMessage().startsWith("AADSTS90002: Tenant '" + otherTenant + "' not found."),
        refused.getMessage());
  }

  @Test
  void anUnknownClientIsRefusedWithAadsts700016() {
    MsalServiceException refused =
        refusal(UNKNOWN_APP, ClientCredentialFactory.createFromSecret(SECRET), cosmosScope());

    assertEquals("unauthorized_client", refused.errorCode());
    assertEquals(400, refused.statusCode());
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "AADSTS700016: Application with identifier '"
                    + UNKNOWN_APP
                    + "' was not found in the directory '"
                    + ENTRA.tenantId()
                    + "'."),
        refused.getMessage());
  }

  @Test
  void aWrongSecretIsRefusedWithAadsts7000215AndIsNotEchoed() {
    MsalServiceException refused =
        refusal(
            SECRET_APP, ClientCredentialFactory.createFromSecret("not-the-secret"), cosmosScope());

    assertEquals("invalid_client", refused.errorCode());
    assertEquals(401, refused.statusCode());
    assertTrue(
        refused.getMessage().startsWith("AADSTS7000215: Invalid client secret provided."),
        refused.getMessage());
    assertFalse(refused.getMessage().contains("not-the-secret"), refused.getMessage());
  }

  @Test
  void anExpiredSecretIsRefusedWithAadsts7000222() {
    MsalServiceException refused =
        refusal(
            EXPIRED_APP, ClientCredentialFactory.createFromSecret(EXPIRED_SECRET), cosmosScope());

    assertEquals("invalid_client", refused.errorCode());
    assertEquals(401, refused.statusCode());
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "AADSTS7000222: The provided client secret keys for app '"
                    + EXPIRED_APP
                    + "' are expired."),
        refused.getMessage());
  }

  @Test
  void aScopeOfAnUnknownResourceIsRefusedWithAadsts500011() {
    MsalServiceException refused =
        refusal(
            SECRET_APP,
            ClientCredentialFactory.createFromSecret(SECRET),
            "https://unknown.example.com/.default");

    assertEquals("invalid_scope", refused.errorCode());
    assertEquals(400, refused.statusCode());
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "AADSTS500011: The resource principal named https://unknown.example.com was not"
                    + " found in the tenant named "
                    + ENTRA.tenantId()
                    + "."),
        refused.getMessage());
  }

  @Test
  void aCertificateThatIsNotRegisteredIsRefusedWithAadsts700027() {
    IssuedCertificate stranger =
        CLIENT_CERTIFICATES.issueServerCertificate(
            "stranger", Collections.singletonList("stranger"), Collections.emptyList());

    MsalServiceException refused =
        refusal(
            CERTIFICATE_APP,
            ClientCredentialFactory.createFromCertificate(
                stranger.privateKey(), stranger.certificate()),
            cosmosScope());

    assertEquals("invalid_client", refused.errorCode());
    assertEquals(401, refused.statusCode());
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "AADSTS700027: The certificate with identifier used to sign the client assertion"
                    + " is not registered on application."),
        refused.getMessage());
  }

  @Test
  void anAssertionSignedWithAnotherKeyThanTheRegisteredCertificatesFailsSignatureValidation() {
    // The registered certificate's thumbprint with a stranger's key: only the signature is wrong.
    IssuedCertificate stranger =
        CLIENT_CERTIFICATES.issueServerCertificate(
            "stranger", Collections.singletonList("stranger"), Collections.emptyList());

    MsalServiceException refused =
        refusal(
            CERTIFICATE_APP,
            ClientCredentialFactory.createFromCertificate(
                stranger.privateKey(), CLIENT_CERTIFICATE.certificate()),
            cosmosScope());

    assertEquals("invalid_client", refused.errorCode());
    assertTrue(
        refused
            .getMessage()
            .startsWith("AADSTS700027: Client assertion failed signature validation."),
        refused.getMessage());
  }

  @Test
  void anExpiredServiceAccountTokenIsRefusedWithAadsts700024() {
    String expired =
        serviceAccountToken()
            .issuedAt(Instant.now().minus(Duration.ofHours(2)))
            .expiresAt(Instant.now().minus(Duration.ofHours(1)))
            .sign();

    MsalServiceException refused =
        refusal(
            WORKLOAD_APP,
            ClientCredentialFactory.createFromClientAssertion(expired),
            cosmosScope());

    assertEquals("invalid_client", refused.errorCode());
    assertEquals(401, refused.statusCode());
    assertTrue(
        refused
            .getMessage()
            .startsWith("AADSTS700024: Client assertion is not within its valid time range."),
        refused.getMessage());
  }

  @Test
  void aServiceAccountTokenOfAnotherSubjectHasNoMatchingFederatedCredential() {
    String otherAccount = "system:serviceaccount:spark:someone-else";
    String assertion = serviceAccountToken().subject(otherAccount).sign();

    MsalServiceException refused =
        refusal(
            WORKLOAD_APP,
            ClientCredentialFactory.createFromClientAssertion(assertion),
            cosmosScope());

    assertEquals("invalid_request", refused.errorCode());
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "AADSTS70021: No matching federated identity record found for presented"
                    + " assertion. Assertion Issuer: '"
                    + CLUSTER.issuer()
                    + "'. Assertion Subject: '"
                    + otherAccount
                    + "'. Assertion Audience: 'api://AzureADTokenExchange'."),
        refused.getMessage());
  }

  @Test
  void aServiceAccountTokenSignedByAnotherIssuerOfTheSameUrlFailsSignatureValidation() {
    // Same tenant id, so the same iss, but another key: as a token forged for the cluster.
    TestTokenIssuer impostor = TestTokenIssuer.forTenant(CLUSTER.tenantId());
    String forged =
        impostor
            .token(WORKLOAD_APP_OBJECT)
            .subject(SERVICE_ACCOUNT)
            .audience(EntraTokenEndpoint.TOKEN_EXCHANGE_AUDIENCE)
            .sign();

    MsalServiceException refused =
        refusal(
            WORKLOAD_APP, ClientCredentialFactory.createFromClientAssertion(forged), cosmosScope());

    assertEquals("invalid_client", refused.errorCode());
    assertTrue(
        refused
            .getMessage()
            .startsWith("AADSTS700027: Client assertion failed signature validation."),
        refused.getMessage());
  }

  @Test
  void anErrorHasEntrasFieldsAndNeverTheSecret() throws Exception {
    String form =
        "grant_type=client_credentials&client_id="
            + SECRET_APP
            + "&scope="
            + URLEncoder.encode(TestTokenIssuer.COSMOS_SCOPE, "UTF-8")
            + "&client_secret=wrong%2Bsecret";

    HttpsURLConnection connection = post(login.tokenEndpoint(), form);

    assertEquals(401, connection.getResponseCode());
    assertEquals("application/json; charset=utf-8", connection.getContentType());
    String body = read(connection.getErrorStream());
    assertFalse(body.contains("wrong"), body);
    Map<String, Object> json = JSONObjectUtils.parse(body);
    assertEquals(
        new HashSet<>(
            Arrays.asList(
                "error",
                "error_description",
                "error_codes",
                "timestamp",
                "trace_id",
                "correlation_id",
                "error_uri")),
        json.keySet());
    assertEquals("invalid_client", json.get("error"));
    assertEquals(Collections.singletonList(7000215L), json.get("error_codes"));
    String description = (String) json.get("error_description");
    assertTrue(
        description.endsWith(
            "\r\nTrace ID: "
                + json.get("trace_id")
                + "\r\nCorrelation ID: "
                + json.get("correlation_id")
                + "\r\nTimestamp: "
                + json.get("timestamp")),
        description);
  }

  @Test
  void aSuccessfulResponseHasEntrasFields() throws Exception {
    String form =
        "grant_type=client_credentials&client_id="
            + SECRET_APP
            + "&scope="
            + URLEncoder.encode(TestTokenIssuer.COSMOS_SCOPE, "UTF-8")
            + "&client_secret="
            + URLEncoder.encode(SECRET, "UTF-8");

    HttpsURLConnection connection = post(login.tokenEndpoint(), form);

    assertEquals(200, connection.getResponseCode());
    Map<String, Object> json = JSONObjectUtils.parse(read(connection.getInputStream()));
    assertEquals(
        Arrays.asList("token_type", "expires_in", "ext_expires_in", "access_token"),
        new ArrayList<>(json.keySet()));
    assertEquals("Bearer", json.get("token_type"));
    assertEquals(600L, json.get("expires_in"));
    assertEquals(600L, json.get("ext_expires_in"));
  }

  @Test
  void concurrentRequestsAreAllAnswered() throws Exception {
    long before = login.tokensIssued();
    List<CompletableFuture<IAuthenticationResult>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(
          application(
                  SECRET_APP,
                  ClientCredentialFactory.createFromSecret(SECRET),
                  login.authorityHost() + ENTRA.tenantId() + "/")
              .acquireToken(ClientCredentialParameters.builder(cosmosScopes()).build()));
    }
    for (CompletableFuture<IAuthenticationResult> result : results) {
      assertEquals(
          SECRET_APP_OBJECT,
          SignedJWT.parse(result.get().accessToken()).getJWTClaimsSet().getStringClaim("oid"));
    }
    assertEquals(before + 8, login.tokensIssued());
  }

  @Test
  void closeStopsTheServerWithinASecond() throws Exception {
    EntraTokenEndpoint endpoint =
        EntraTokenEndpoint.builder(ENTRA)
            .certificateAuthority(CLIENT_CERTIFICATES)
            .clientSecret(SECRET_APP, SECRET_APP_OBJECT, SECRET)
            .start();
    String tokenEndpoint = endpoint.tokenEndpoint();
    long start = System.nanoTime();
    endpoint.close();
    long closeMillis = (System.nanoTime() - start) / 1_000_000;

    assertTrue(closeMillis < 1000, "close() took " + closeMillis + " ms");
    IOException refused =
        assertThrows(
            IOException.class,
            () -> post(tokenEndpoint, "grant_type=client_credentials").getResponseCode());
    assertInstanceOf(ConnectException.class, refused, refused.toString());
  }

  @Test
  @ExtendWith(CassandraExtension.class)
  void aTokenFromTheEndpointLogsIntoTheEmulatorWhichRefusesTheManagementAudience(
      CassandraServer cassandra, TestKeyspace direct) throws Exception {
    String cosmosToken =
        acquire(SECRET_APP, ClientCredentialFactory.createFromSecret(SECRET), cosmosScope())
            .accessToken();
    String managementToken =
        acquire(
                SECRET_APP,
                ClientCredentialFactory.createFromSecret(SECRET),
                "https://management.azure.com/.default")
            .accessToken();
    String table = direct.name() + ".by_service_principal";

    try (CosmosEmulator cosmos =
        CosmosEmulator.builder(cassandra)
            .entraIssuer(ENTRA)
            .disableLocalAuth()
            .grantRole(SECRET_APP_OBJECT, DataPlaneRole.DATA_CONTRIBUTOR)
            .build()
            .start()) {
      try (CqlSession session = session(cosmos, cosmosToken)) {
        session.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, title text)");
        session.execute("INSERT INTO " + table + " (id, title) VALUES (1, 'one')");
        assertEquals(
            "one",
            session.execute("SELECT title FROM " + table + " WHERE id = 1").one().getString(0));
      }
      AllNodesFailedException refused =
          assertThrows(
              AllNodesFailedException.class, () -> session(cosmos, managementToken).close());
      Throwable first = refused.getAllErrors().values().iterator().next().get(0);
      assertInstanceOf(AuthenticationException.class, first);
      assertTrue(
          first
              .getMessage()
              .contains(
                  "Microsoft Entra ID token refused for account localcosmos: its audience"
                      + " [https://management.azure.com] is not https://cosmos.azure.com"),
          first.getMessage());
    }
  }

  private static CqlSession session(CosmosEmulator cosmos, String token) {
    return cosmos
        .sessionBuilder(token)
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
                .build())
        .build();
  }

  private static TestTokenIssuer.Token serviceAccountToken() {
    // The oid is irrelevant to a Kubernetes token; TestTokenIssuer needs one.
    return CLUSTER
        .token(WORKLOAD_APP_OBJECT)
        .subject(SERVICE_ACCOUNT)
        .audience(EntraTokenEndpoint.TOKEN_EXCHANGE_AUDIENCE)
        .expiresIn(Duration.ofHours(1));
  }

  private static String cosmosScope() {
    return TestTokenIssuer.COSMOS_SCOPE;
  }

  private static java.util.Set<String> cosmosScopes() {
    return Collections.singleton(TestTokenIssuer.COSMOS_SCOPE);
  }

  private static SSLSocketFactory trustingTheEndpoint() {
    return TestCertificateAuthority.sslContextTrusting(login.truststore()).getSocketFactory();
  }

  private static ConfidentialClientApplication application(
      String clientId, IClientCredential credential, String authority) {
    try {
      return ConfidentialClientApplication.builder(clientId, credential)
          .authority(authority)
          .instanceDiscovery(false)
          .sslSocketFactory(trustingTheEndpoint())
          .build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static IAuthenticationResult acquire(
      String clientId, IClientCredential credential, String scope) throws Exception {
    return application(clientId, credential, login.authorityHost() + ENTRA.tenantId() + "/")
        .acquireToken(ClientCredentialParameters.builder(Collections.singleton(scope)).build())
        .get();
  }

  private static MsalServiceException refusal(
      String clientId, IClientCredential credential, String scope) {
    return refusal(
        application(clientId, credential, login.authorityHost() + ENTRA.tenantId() + "/"), scope);
  }

  private static MsalServiceException refusal(ConfidentialClientApplication app, String scope) {
    ExecutionException failed =
        assertThrows(
            ExecutionException.class,
            () ->
                app.acquireToken(
                        ClientCredentialParameters.builder(Collections.singleton(scope)).build())
                    .get());
    return assertInstanceOf(MsalServiceException.class, failed.getCause());
  }

  private static HttpsURLConnection post(String url, String form) throws IOException {
    HttpsURLConnection connection = (HttpsURLConnection) new URL(url).openConnection();
    connection.setSSLSocketFactory(trustingTheEndpoint());
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
    try (OutputStream out = connection.getOutputStream()) {
      out.write(form.getBytes(StandardCharsets.UTF_8));
    }
    return connection;
  }

  private static String read(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    int read;
    while ((read = in.read(buffer)) != -1) {
      bytes.write(buffer, 0, read);
    }
    return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
  }
}

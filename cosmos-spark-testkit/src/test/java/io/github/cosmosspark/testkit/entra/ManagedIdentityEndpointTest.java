package io.github.cosmosspark.testkit.entra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link EntraTokenEndpoint}'s managed identity endpoint answers plain HTTP requests shaped as
 * MSAL4J's {@code AppServiceManagedIdentitySource} sends them.
 */
class ManagedIdentityEndpointTest {

  private static final String SYSTEM_OBJECT = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c01";
  private static final String USER_CLIENT = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d02";
  private static final String USER_OBJECT = "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e03";
  private static final String UNKNOWN_CLIENT = "4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f04";
  private static final Duration LIFETIME = Duration.ofMinutes(10);

  private static final TestTokenIssuer ENTRA = TestTokenIssuer.create();
  private static EntraTokenEndpoint endpoint;

  @BeforeAll
  static void start() {
    endpoint =
        EntraTokenEndpoint.builder(ENTRA)
            .managedIdentity(SYSTEM_OBJECT)
            .userAssignedIdentity(USER_CLIENT, USER_OBJECT)
            .tokenLifetime(LIFETIME)
            .start();
  }

  @AfterAll
  static void stop() {
    endpoint.close();
  }

  @Test
  void theEnvironmentNamesAPlainHttpEndpointOnLoopbackAndItsSecret() {
    Map<String, String> environment = endpoint.managedIdentityEnvironment();

    assertEquals(Arrays.asList("IDENTITY_ENDPOINT", "IDENTITY_HEADER"), keys(environment));
    assertEquals(
        "http://127.0.0.1:" + URI.create(endpoint.identityEndpoint()).getPort() + "/msi/token",
        environment.get("IDENTITY_ENDPOINT"));
    assertEquals(endpoint.identityHeader(), environment.get("IDENTITY_HEADER"));
    assertEquals(32, endpoint.identityHeader().length(), "24 random bytes in base64url");
  }

  @Test
  void aRequestNamingNoIdentityGetsTheSystemAssignedIdentitysTokenForTheResource()
      throws Exception {
    long before = endpoint.tokensIssuedTo(endpoint.systemAssignedClientId());
    long now = Instant.now().getEpochSecond();

    Answer answer = get(query("https://cosmos.azure.com", null), endpoint.identityHeader());

    assertEquals(200, answer.status, answer.body);
    Map<String, Object> body = JSONObjectUtils.parse(answer.body);
    assertEquals(
        Arrays.asList("access_token", "expires_on", "resource", "token_type", "client_id"),
        keys(body));
    assertEquals("https://cosmos.azure.com", body.get("resource"));
    assertEquals("Bearer", body.get("token_type"));
    assertEquals(endpoint.systemAssignedClientId(), body.get("client_id"));
    long expiresOn = Long.parseLong((String) body.get("expires_on"));
    assertTrue(
        Math.abs(expiresOn - (now + LIFETIME.getSeconds())) <= 5,
        "expires_on " + expiresOn + " is not 10 minutes from " + now);
    JWTClaimsSet claims = SignedJWT.parse((String) body.get("access_token")).getJWTClaimsSet();
    assertEquals(Collections.singletonList("https://cosmos.azure.com"), claims.getAudience());
    assertEquals(SYSTEM_OBJECT, claims.getStringClaim("oid"));
    assertEquals(endpoint.systemAssignedClientId(), claims.getStringClaim("appid"));
    assertEquals(ENTRA.tenantId(), claims.getStringClaim("tid"));
    assertEquals(ENTRA.issuer(), claims.getIssuer());
    assertEquals(expiresOn, claims.getExpirationTime().toInstant().getEpochSecond(), 1);
    assertEquals(before + 1, endpoint.tokensIssuedTo(endpoint.systemAssignedClientId()));
  }

  @Test
  void aUserAssignedIdentityIsChosenByItsClientIdOrItsObjectId() throws Exception {
    long before = endpoint.tokensIssuedTo(USER_CLIENT);

    Answer byClientId =
        get(
            query("https://cosmos.azure.com", "&client_id=" + USER_CLIENT),
            endpoint.identityHeader());
    Answer byObjectId =
        get(
            query("https://cosmos.azure.com", "&object_id=" + USER_OBJECT),
            endpoint.identityHeader());

    for (Answer answer : Arrays.asList(byClientId, byObjectId)) {
      assertEquals(200, answer.status, answer.body);
      Map<String, Object> body = JSONObjectUtils.parse(answer.body);
      assertEquals(USER_CLIENT, body.get("client_id"));
      JWTClaimsSet claims = SignedJWT.parse((String) body.get("access_token")).getJWTClaimsSet();
      assertEquals(USER_OBJECT, claims.getStringClaim("oid"));
      assertEquals(USER_CLIENT, claims.getStringClaim("appid"));
    }
    assertEquals(before + 2, endpoint.tokensIssuedTo(USER_CLIENT));
  }

  @Test
  void anUnknownUserAssignedClientIdIsRefusedAsAppServiceRefusesIt() throws Exception {
    long before = endpoint.tokensIssued();

    Answer answer =
        get(
            query("https://cosmos.azure.com", "&client_id=" + UNKNOWN_CLIENT),
            endpoint.identityHeader());

    assertEquals(400, answer.status);
    Map<String, Object> body = JSONObjectUtils.parse(answer.body);
    assertEquals(Arrays.asList("statusCode", "message", "correlationId"), keys(body));
    assertEquals(400L, ((Number) body.get("statusCode")).longValue());
    assertEquals("Unable to load the proper Managed Identity.", body.get("message"));
    UUID.fromString((String) body.get("correlationId"));
    assertEquals(before, endpoint.tokensIssued());
    assertEquals(0, endpoint.tokensIssuedTo(UNKNOWN_CLIENT));
  }

  @Test
  void aRequestWithoutTheRightSecretHeaderGetsNoToken() throws Exception {
    long before = endpoint.tokensIssued();

    Answer missing = get(query("https://cosmos.azure.com", null), null);
    Answer wrong = get(query("https://cosmos.azure.com", null), endpoint.identityHeader() + "x");

    assertEquals(401, missing.status);
    assertEquals(401, wrong.status);
    assertEquals(
        "The request must carry the X-IDENTITY-HEADER header's secret.",
        JSONObjectUtils.parse(wrong.body).get("message"));
    assertEquals(-1, wrong.body.indexOf(endpoint.identityHeader()), "the secret is not echoed");
    assertEquals(before, endpoint.tokensIssued());
  }

  @Test
  void anUnknownResourceOrApiVersionIsRefused() throws Exception {
    Answer resource = get(query("https://example.invalid", null), endpoint.identityHeader());
    Answer version =
        get(
            "?api-version=2017-09-01&resource=" + encode("https://cosmos.azure.com"),
            endpoint.identityHeader());

    assertEquals(400, resource.status);
    assertTrue(
        ((String) JSONObjectUtils.parse(resource.body).get("message")).startsWith("AADSTS500011:"),
        resource.body);
    assertEquals(400, version.status);
    assertEquals(
        "Unsupported api-version '2017-09-01'; use 2019-08-01",
        JSONObjectUtils.parse(version.body).get("message"));
  }

  @Test
  void anEndpointWithoutManagedIdentitiesHasNoIdentityEndpoint() {
    try (EntraTokenEndpoint plain = EntraTokenEndpoint.builder(ENTRA).start()) {
      IllegalStateException failure =
          assertThrows(IllegalStateException.class, plain::identityEndpoint);
      assertEquals(
          "No managed identity is registered: call managedIdentity or userAssignedIdentity on the"
              + " builder",
          failure.getMessage());
    }
  }

  private static String query(String resource, String more) {
    return "?api-version=2019-08-01&resource=" + encode(resource) + (more == null ? "" : more);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static Answer get(String query, String secret) throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection)
            URI.create(endpoint.identityEndpoint() + query).toURL().openConnection();
    if (secret != null) {
      connection.setRequestProperty("X-IDENTITY-HEADER", secret);
    }
    int status = connection.getResponseCode();
    try (InputStream in =
        status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      return new Answer(status, bytes.toString(StandardCharsets.UTF_8));
    } finally {
      connection.disconnect();
    }
  }

  private static List<String> keys(Map<String, ?> map) {
    return new ArrayList<>(new LinkedHashMap<>(map).keySet());
  }

  private record Answer(int status, String body) {}
}

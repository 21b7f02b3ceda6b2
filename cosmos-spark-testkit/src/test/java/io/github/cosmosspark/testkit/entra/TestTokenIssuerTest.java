package io.github.cosmosspark.testkit.entra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestTokenIssuerTest {

  private static final String PRINCIPAL = "5f2b7a1c-0d3e-4b8a-9c6f-1e2d3c4b5a69";
  private static final TestTokenIssuer ISSUER = TestTokenIssuer.create();

  @Test
  void aTokenCarriesTheClaimsEntraPutsInAV1AccessTokenForCosmos() throws Exception {
    Instant issued = Instant.parse("2026-12-04T10:00:00Z");
    SignedJWT jwt = SignedJWT.parse(ISSUER.token(PRINCIPAL).issuedAt(issued).sign());

    assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
    assertEquals(JOSEObjectType.JWT, jwt.getHeader().getType());
    assertEquals(ISSUER.keyId(), jwt.getHeader().getKeyID());
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertEquals(Collections.singletonList("https://cosmos.azure.com"), claims.getAudience());
    assertEquals("https://sts.windows.net/" + ISSUER.tenantId() + "/", claims.getIssuer());
    assertEquals(ISSUER.tenantId(), claims.getClaim("tid"));
    assertEquals(PRINCIPAL, claims.getClaim("oid"));
    assertEquals(PRINCIPAL, claims.getSubject());
    assertEquals("1.0", claims.getClaim("ver"));
    assertNull(claims.getClaim("appid"));
    assertEquals(issued, claims.getIssueTime().toInstant());
    assertEquals(issued, claims.getNotBeforeTime().toInstant());
    assertEquals(issued.plus(Duration.ofMinutes(75)), claims.getExpirationTime().toInstant());
  }

  @Test
  void aTokenVerifiesWithThePublishedKeyAndNotWithAnotherIssuersOfTheSameTenant() throws Exception {
    SignedJWT jwt = SignedJWT.parse(ISSUER.token(PRINCIPAL).sign());
    RSAKey published = (RSAKey) JWKSet.parse(ISSUER.jwkSet()).getKeyByKeyId(ISSUER.keyId());
    assertTrue(jwt.verify(new RSASSAVerifier(published)));

    TestTokenIssuer sameTenant = TestTokenIssuer.forTenant(ISSUER.tenantId());
    assertEquals(ISSUER.issuer(), sameTenant.issuer());
    assertNotEquals(ISSUER.keyId(), sameTenant.keyId());
    RSAKey other = JWKSet.parse(sameTenant.jwkSet()).getKeys().get(0).toRSAKey();
    assertFalse(jwt.verify(new RSASSAVerifier(other)));
  }

  @Test
  void theKeySetPublishesOnlyThePublicKey() throws Exception {
    JWKSet keys = JWKSet.parse(ISSUER.jwkSet());
    assertEquals(1, keys.getKeys().size());
    RSAKey key = keys.getKeys().get(0).toRSAKey();
    assertFalse(key.isPrivate());
    assertEquals(ISSUER.keyId(), key.getKeyID());
    assertEquals(2048, key.size());
    assertFalse(ISSUER.jwkSet().contains("\"d\""), ISSUER.jwkSet());
  }

  @Test
  void theMetadataNamesTheIssuerAndWhereItsKeysAre() throws Exception {
    Map<String, Object> metadata = JSONObjectUtils.parse(ISSUER.openIdConfiguration());
    String tenant = ISSUER.tenantId();
    assertEquals(ISSUER.issuer(), metadata.get("issuer"));
    assertEquals(
        "https://login.microsoftonline.com/" + tenant + "/discovery/keys",
        metadata.get("jwks_uri"));
    assertEquals(
        "https://login.microsoftonline.com/" + tenant + "/oauth2/token",
        metadata.get("token_endpoint"));
    assertEquals(
        Collections.singletonList("RS256"), metadata.get("id_token_signing_alg_values_supported"));
  }

  @Test
  void aTokenCanClaimAnotherTenantAudienceLifetimeAndApplication() throws Exception {
    String otherTenant = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    Instant expiry = Instant.parse("2026-01-01T00:00:00Z");
    Instant notBefore = Instant.parse("2025-12-31T23:00:00Z");
    JWTClaimsSet claims =
        SignedJWT.parse(
                ISSUER
                    .token(PRINCIPAL)
                    .tenant(otherTenant)
                    .audience("https://management.azure.com/")
                    .notBefore(notBefore)
                    .expiresAt(expiry)
                    .appId("11111111-2222-3333-4444-555555555555")
                    .sign())
            .getJWTClaimsSet();
    assertEquals(otherTenant, claims.getClaim("tid"));
    assertEquals("https://sts.windows.net/" + otherTenant + "/", claims.getIssuer());
    assertEquals(Collections.singletonList("https://management.azure.com/"), claims.getAudience());
    assertEquals(notBefore, claims.getNotBeforeTime().toInstant());
    assertEquals(expiry, claims.getExpirationTime().toInstant());
    assertEquals("11111111-2222-3333-4444-555555555555", claims.getClaim("appid"));
  }

  @Test
  void expiresInCountsFromTheIssueTime() throws Exception {
    Instant issued = Instant.parse("2026-12-04T10:00:00Z");
    JWTClaimsSet claims =
        SignedJWT.parse(
                ISSUER.token(PRINCIPAL).issuedAt(issued).expiresIn(Duration.ofSeconds(90)).sign())
            .getJWTClaimsSet();
    assertEquals(issued.plusSeconds(90), claims.getExpirationTime().toInstant());
  }

  @Test
  void idsThatAreNotGuidsAreRefused() {
    IllegalArgumentException principal =
        assertThrows(IllegalArgumentException.class, () -> ISSUER.token("alice"));
    assertEquals(
        "principalId must be a GUID (such as 72f988bf-86f1-41af-91ab-2d7cd011db47), got 'alice'",
        principal.getMessage());
    IllegalArgumentException tenant =
        assertThrows(IllegalArgumentException.class, () -> TestTokenIssuer.forTenant("1-1-1-1-1"));
    assertEquals(
        "tenantId must be a GUID (such as 72f988bf-86f1-41af-91ab-2d7cd011db47), got '1-1-1-1-1'",
        tenant.getMessage());
  }
}

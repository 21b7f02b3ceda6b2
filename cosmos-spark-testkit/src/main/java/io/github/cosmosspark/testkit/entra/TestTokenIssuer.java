package io.github.cosmosspark.testkit.entra;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A stand-in for Microsoft Entra ID in one tenant: an RSA signing key made when it is created, the
 * metadata a service reads to trust it (issuer and public keys, {@link #openIdConfiguration()} and
 * {@link #jwkSet()}), and access tokens shaped as Entra issues them for Cosmos DB, with the
 * audience, tenant, lifetime and principal a test chooses.
 *
 * <pre>{@code
 * TestTokenIssuer entra = TestTokenIssuer.create();
 * String reader = UUID.randomUUID().toString();                 // the identity's object id
 * try (CosmosEmulator cosmos = CosmosEmulator.builder(cassandra)
 *         .entraIssuer(entra).grantRole(reader, DataPlaneRole.DATA_READER).build().start();
 *     CqlSession session = cosmos.sessionBuilder(entra.token(reader).sign()).build()) { ... }
 * }</pre>
 *
 * <p>Tokens are Entra's v1.0 access tokens, which is what a client gets for the scope {@value
 * #COSMOS_SCOPE}: the audience is the resource ({@value #COSMOS_AUDIENCE}), the issuer {@code
 * https://sts.windows.net/<tenant id>/}, the principal in {@code oid}, the tenant in {@code tid},
 * signed RS256 with a {@code kid} header naming the key. The issuer serves nothing itself: the
 * metadata's URLs name where Entra would publish it, and the emulator is handed the metadata
 * itself; {@link EntraTokenEndpoint} hands its tokens to clients over HTTPS.
 *
 * <p>Thread-safe. Creating one makes an RSA 2048 key (tens to hundreds of milliseconds): share one
 * per test class.
 */
public final class TestTokenIssuer {

  /** The scope a client asks Entra for to reach Cosmos DB, in Microsoft's samples for Cassandra. */
  public static final String COSMOS_SCOPE = "https://cosmos.azure.com/.default";

  /** The audience of tokens for {@link #COSMOS_SCOPE}: the scope without {@code /.default}. */
  public static final String COSMOS_AUDIENCE = "https://cosmos.azure.com";

  /** Entra's default access-token lifetime is 60 to 90 minutes; 75 is its average. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(75);

  private final String tenantId;
  private final RSAKey signingKey;
  private final RSASSASigner signer;

  private TestTokenIssuer(String tenantId) {
    this.tenantId = tenantId;
    try {
      this.signingKey =
          new RSAKeyGenerator(2048)
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.RS256)
              .keyID(UUID.randomUUID().toString())
              .generate();
      this.signer = new RSASSASigner(signingKey);
    } catch (JOSEException e) {
      throw new IllegalStateException("Could not make the token issuer's RSA signing key", e);
    }
  }

  /** An issuer for a new tenant with a random id. */
  public static TestTokenIssuer create() {
    return new TestTokenIssuer(UUID.randomUUID().toString());
  }

  /**
   * An issuer for the tenant {@code tenantId}, with a signing key of its own: two issuers for one
   * tenant sign with different keys, so one's tokens fail the other's signature check.
   *
   * @throws IllegalArgumentException if {@code tenantId} is not a GUID, as Entra tenant ids are
   */
  public static TestTokenIssuer forTenant(String tenantId) {
    return new TestTokenIssuer(requireGuid("tenantId", tenantId));
  }

  /** The tenant's id (a GUID). */
  public String tenantId() {
    return tenantId;
  }

  /** The {@code iss} of this issuer's tokens: {@code https://sts.windows.net/<tenant id>/}. */
  public String issuer() {
    return issuerOf(tenantId);
  }

  /** The issuer URL Entra puts in v1.0 access tokens of {@code tenantId}. */
  public static String issuerOf(String tenantId) {
    return "https://sts.windows.net/" + tenantId + "/";
  }

  /** The id ({@code kid}) of the signing key. */
  public String keyId() {
    return signingKey.getKeyID();
  }

  /**
   * The public signing key as a JWK Set document (JSON), as Entra publishes at {@code jwks_uri}.
   */
  public String jwkSet() {
    // toJSONObject(true) keeps public parameters only: the private key never leaves this object.
    return JSONObjectUtils.toJSONString(new JWKSet(signingKey.toPublicJWK()).toJSONObject(true));
  }

  /** The tenant's OpenID Connect metadata (JSON): issuer, {@code jwks_uri} and algorithms. */
  public String openIdConfiguration() {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("issuer", issuer());
    metadata.put(
        "authorization_endpoint",
        "https://login.microsoftonline.com/" + tenantId + "/oauth2/authorize");
    metadata.put(
        "token_endpoint", "https://login.microsoftonline.com/" + tenantId + "/oauth2/token");
    metadata.put("jwks_uri", "https://login.microsoftonline.com/" + tenantId + "/discovery/keys");
    metadata.put("id_token_signing_alg_values_supported", Collections.singletonList("RS256"));
    metadata.put("tenant_region_scope", "WW");
    return JSONObjectUtils.toJSONString(metadata);
  }

  /**
   * A token for the principal with object id {@code principalId}: for Cosmos's audience, this
   * tenant, valid from now for {@link #DEFAULT_LIFETIME} unless the builder says otherwise.
   *
   * @throws IllegalArgumentException if {@code principalId} is not a GUID, as Entra object ids are
   */
  public Token token(String principalId) {
    return new Token(requireGuid("principalId", principalId));
  }

  private static String requireGuid(String what, String value) {
    Objects.requireNonNull(value, what);
    try {
      UUID parsed = UUID.fromString(value);
      // UUID.fromString accepts short groups ("1-1-1-1-1"); Entra ids are always 36 characters.
      if (parsed.toString().equalsIgnoreCase(value)) {
        return value;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        what
            + " must be a GUID (such as 72f988bf-86f1-41af-91ab-2d7cd011db47), got '"
            + value
            + "'");
  }

  /** The claims of one token, and its signing. */
  public final class Token {
    private final String principalId;
    private List<String> audience = Collections.singletonList(COSMOS_AUDIENCE);
    private String tokenTenantId = tenantId;
    private String tokenIssuer;
    private Instant issuedAt = Instant.now();
    private Instant notBefore;
    private Instant expiresAt;
    private String appId;
    private String subject;

    private Token(String principalId) {
      this.principalId = principalId;
    }

    /**
     * The {@code sub} claim, if it is to differ from the principal's object id: a Kubernetes
     * service account token, which workload identity federation presents to Entra, has the subject
     * {@code system:serviceaccount:<namespace>:<name>}.
     */
    public Token subject(String subject) {
      this.subject = Objects.requireNonNull(subject, "subject");
      return this;
    }

    /** The {@code aud} claim. Default {@value TestTokenIssuer#COSMOS_AUDIENCE}. */
    public Token audience(String... audience) {
      this.audience = Arrays.asList(audience);
      return this;
    }

    /**
     * The tenant the token says it is from: {@code tid} and the {@code iss} of that tenant. Signed
     * with this issuer's key all the same, as Entra signs every tenant's tokens with the same keys.
     */
    public Token tenant(String tenantId) {
      this.tokenTenantId = requireGuid("tenantId", tenantId);
      return this;
    }

    /** The {@code iss} claim, if it is to differ from the tenant's issuer. */
    public Token issuer(String issuer) {
      this.tokenIssuer = issuer;
      return this;
    }

    /** Valid for {@code lifetime} from its {@code iat}. */
    public Token expiresIn(Duration lifetime) {
      this.expiresAt = issuedAt.plus(lifetime);
      return this;
    }

    /** The {@code exp} claim; in the past for an expired token. */
    public Token expiresAt(Instant expiresAt) {
      this.expiresAt = expiresAt;
      return this;
    }

    /** The {@code iat} claim, also the default {@code nbf}. Default: now. */
    public Token issuedAt(Instant issuedAt) {
      this.issuedAt = issuedAt;
      return this;
    }

    /** The {@code nbf} claim; default the {@code iat}. */
    public Token notBefore(Instant notBefore) {
      this.notBefore = notBefore;
      return this;
    }

    /** The {@code appid} claim: the client application's id, for service principals. */
    public Token appId(String appId) {
      this.appId = appId;
      return this;
    }

    /** The signed token in compact form: what a client sends as its password. */
    public String sign() {
      Instant expiry = expiresAt != null ? expiresAt : issuedAt.plus(DEFAULT_LIFETIME);
      JWTClaimsSet.Builder claims =
          new JWTClaimsSet.Builder()
              .audience(audience)
              .issuer(tokenIssuer != null ? tokenIssuer : issuerOf(tokenTenantId))
              .issueTime(Date.from(issuedAt))
              .notBeforeTime(Date.from(notBefore != null ? notBefore : issuedAt))
              .expirationTime(Date.from(expiry))
              .subject(subject != null ? subject : principalId)
              .claim("oid", principalId)
              .claim("tid", tokenTenantId)
              .claim("ver", "1.0");
      if (appId != null) {
        claims.claim("appid", appId);
      }
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256)
                  .type(JOSEObjectType.JWT)
                  .keyID(signingKey.getKeyID())
                  .build(),
              claims.build());
      try {
        jwt.sign(signer);
      } catch (JOSEException e) {
        throw new IllegalStateException("Could not sign a test token", e);
      }
      return jwt.serialize();
    }
  }
}

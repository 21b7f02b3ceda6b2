package io.github.cosmosspark.testkit.emulator;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.github.cosmosspark.testkit.entra.TestTokenIssuer;
import java.text.ParseException;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Logins with Microsoft Entra ID access tokens: the token is the password, the account name the
 * user name (Microsoft Learn, "Connect to Azure Cosmos DB for Apache Cassandra using role-based
 * access control and Microsoft Entra ID"). A token is accepted when its signature is by a key the
 * issuer published, its issuer is the account's tenant's, its audience is Cosmos's, it is within
 * its lifetime, and its principal holds a data-plane role on the account.
 *
 * <p>The issuer is trusted only through its published metadata (issuer and JWK Set), as a service
 * trusts Entra. Signatures are checked by Nimbus JOSE + JWT; the claims are checked here, to refuse
 * each bad token with its own reason. Thread-safe: logins arrive on every event loop.
 */
final class EntraTokens {

  private final String account;
  private final String issuer;
  private final String tenantId;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  // By principal object id in lower case: the strongest role assigned.
  private final Map<String, DataPlaneRole> roles;

  EntraTokens(String account, TestTokenIssuer trusted, Map<String, DataPlaneRole> roles) {
    this.account = account;
    this.tenantId = trusted.tenantId();
    try {
      this.issuer = (String) JSONObjectUtils.parse(trusted.openIdConfiguration()).get("issuer");
      JWKSet keys = JWKSet.parse(trusted.jwkSet());
      // RS256 only, as Entra signs; a token naming another algorithm (none, HS256 with the public
      // key as secret) finds no key.
      processor.setJWSKeySelector(
          new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(keys)));
    } catch (ParseException e) {
      throw new IllegalArgumentException("The token issuer's metadata is not valid JSON", e);
    }
    // The claims are checked in login(), each with its own refusal.
    processor.setJWTClaimsSetVerifier((claims, context) -> {});
    Map<String, DataPlaneRole> copy = new HashMap<>();
    for (Map.Entry<String, DataPlaneRole> role : roles.entrySet()) {
      copy.put(role.getKey().toLowerCase(Locale.ROOT), role.getValue());
    }
    this.roles = Collections.unmodifiableMap(copy);
  }

  /**
   * A compact JWS (three Base64url parts): never an account key, which is Base64 with no dot. A
   * password that is neither is judged as a key.
   */
  static boolean looksLikeToken(String password) {
    int first = password.indexOf('.');
    return first > 0 && password.indexOf('.', first + 1) > first + 1 && !password.contains("=");
  }

  Accounts.Login login(String token, long nowMillis) {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      return refused("it is not a well-formed JWT");
    } catch (BadJOSEException e) {
      // Never says more about the token: it is a credential.
      return refused("its signature is not from a signing key of " + issuer);
    } catch (JOSEException e) {
      return refused("its signature could not be checked");
    }
    String tokenIssuer = claims.getIssuer();
    Object tokenTenant = claims.getClaim("tid");
    if (!issuer.equals(tokenIssuer) || !tenantId.equals(tokenTenant)) {
      return refused(
          "it was issued by "
              + tokenIssuer
              + " (tenant "
              + tokenTenant
              + "), but account "
              + account
              + " belongs to tenant "
              + tenantId
              + " ("
              + issuer
              + ")");
    }
    List<String> audience = claims.getAudience();
    if (!audience.contains(TestTokenIssuer.COSMOS_AUDIENCE)) {
      return refused(
          "its audience "
              + audience
              + " is not "
              + TestTokenIssuer.COSMOS_AUDIENCE
              + " (ask for the scope "
              + TestTokenIssuer.COSMOS_SCOPE
              + ")");
    }
    Date expiry = claims.getExpirationTime();
    if (expiry == null) {
      return refused("it has no expiry (exp)");
    }
    Instant now = Instant.ofEpochMilli(nowMillis);
    if (expiry.getTime() <= nowMillis) {
      return refused(
          "it expired at "
              + expiry.toInstant()
              + "; the server's time is "
              + now
              + ". Acquire a new token");
    }
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && notBefore.getTime() > nowMillis) {
      return refused(
          "it is not valid before " + notBefore.toInstant() + "; the server's time is " + now);
    }
    Object principal = claims.getClaim("oid");
    if (!(principal instanceof String)) {
      return refused("it names no principal (oid)");
    }
    DataPlaneRole role = roles.get(((String) principal).toLowerCase(Locale.ROOT));
    if (role == null) {
      // Not confirmed whether Cosmos refuses at login or each request: the emulator refuses at
      // login, where a client sees it at once (docs/cosmos-behaviour.md).
      return Accounts.Login.denied(
          "Principal "
              + principal
              + " has no data-plane role on account "
              + account
              + ": assign it "
              + DataPlaneRole.DATA_READER.displayName()
              + " ("
              + DataPlaneRole.DATA_READER.id()
              + ") or "
              + DataPlaneRole.DATA_CONTRIBUTOR.displayName()
              + " ("
              + DataPlaneRole.DATA_CONTRIBUTOR.id()
              + ")");
    }
    return Accounts.Login.granted(
        role.writes() ? Accounts.Access.READ_WRITE : Accounts.Access.READ_ONLY,
        "Principal "
            + principal
            + " is not allowed to write: its role "
            + role.displayName()
            + " ("
            + role.id()
            + ") only reads. Writes, schema changes and batches need "
            + DataPlaneRole.DATA_CONTRIBUTOR.displayName()
            + " ("
            + DataPlaneRole.DATA_CONTRIBUTOR.id()
            + ")",
        expiry.getTime());
  }

  private Accounts.Login refused(String why) {
    return Accounts.Login.denied(
        "Microsoft Entra ID token refused for account " + account + ": " + why);
  }
}

package io.github.cosmosspark.testkit.entra;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.cosmosspark.testkit.tls.IssuedCertificate;
import io.github.cosmosspark.testkit.tls.TestCertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTPS OAuth 2.0 token endpoint in front of a {@link TestTokenIssuer}, answering the client
 * credentials grant as Microsoft Entra ID's v2.0 endpoint ({@code
 * https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token}) does, so that a real client
 * library (MSAL4J, and azure-identity on top of it) obtains the issuer's tokens with its own code.
 *
 * <pre>{@code
 * TestTokenIssuer entra = TestTokenIssuer.create();
 * try (EntraTokenEndpoint login = EntraTokenEndpoint.builder(entra)
 *         .clientSecret(clientId, objectId, "s3cret")
 *         .start()) {
 *   // azure-identity: new ClientSecretCredentialBuilder().authorityHost(login.authorityHost())
 *   //     .disableInstanceDiscovery().tenantId(entra.tenantId())..., trusting login.truststore()
 * }
 * }</pre>
 *
 * <p>Applications (service principals) are registered with one or more credentials: a client
 * secret, an expired client secret, a certificate (MSAL signs a client assertion with its key), or
 * a federated credential (workload identity: the client assertion is a token of another issuer,
 * such as a Kubernetes cluster's, with a given subject and the audience {@value
 * #TOKEN_EXCHANGE_AUDIENCE}). The scope names the resource: {@code <resource>/.default} for one of
 * {@link #KNOWN_RESOURCES}, and the token's audience is the resource.
 *
 * <p>Errors have Entra's shape: HTTP 400 or 401 with {@code error}, {@code error_description}
 * starting {@code AADSTSnnnn:}, {@code error_codes}, {@code timestamp}, {@code trace_id} and {@code
 * correlation_id}. The codes and their meaning follow "Microsoft Entra authentication and
 * authorization error codes"
 * (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes); the wording of
 * each description is what public logs of Entra's answers show, and where none did, the code says
 * "not confirmed". Secrets and assertions are never echoed in an error or a log line.
 *
 * <p>Managed identities ({@link Builder#managedIdentity}, {@link Builder#userAssignedIdentity}) are
 * served as Azure App Service serves them to code on the machine: plain HTTP on 127.0.0.1 at {@link
 * #identityEndpoint()}, guarded by the secret {@link #identityHeader()}; a client finds both in the
 * environment variables {@link #managedIdentityEnvironment()} lists.
 *
 * <p>Serves HTTPS on 127.0.0.1 at a free port, with a certificate for {@code localhost} and {@code
 * 127.0.0.1} from a {@link TestCertificateAuthority}; {@link #truststore()} trusts it. Thread-safe;
 * {@link #close()} stops the server at once.
 */
public final class EntraTokenEndpoint implements AutoCloseable {

  /**
   * The audience a federated credential's assertion must have: the default of a federated identity
   * credential in Entra, and what AKS workload identity requests for its service account tokens.
   */
  public static final String TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

  /** The resources this tenant knows: scopes for others fail with AADSTS500011. */
  public static final List<String> KNOWN_RESOURCES =
      Collections.unmodifiableList(
          Arrays.asList(
              TestTokenIssuer.COSMOS_AUDIENCE,
              "https://management.azure.com",
              "https://storage.azure.com"));

  /** The {@code client_assertion_type} of a JWT client assertion (RFC 7523). */
  public static final String JWT_BEARER_ASSERTION_TYPE =
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  private static final Logger LOG = LoggerFactory.getLogger(EntraTokenEndpoint.class);

  private static final String DEFAULT_SUFFIX = "/.default";
  // OpenID scopes MSAL adds to every request; Entra ignores them in the client credentials grant.
  private static final Set<String> OPENID_SCOPES =
      new LinkedHashSet<>(Arrays.asList("openid", "profile", "offline_access"));
  // Entra's tolerance for clocks of clients that sign assertions is not documented; five minutes
  // is the common default of JWT validators (not confirmed for Entra).
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final DateTimeFormatter ERROR_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final char[] KEYSTORE_PASSWORD = "entra-token-endpoint".toCharArray();

  private final TestTokenIssuer issuer;
  private final Map<String, Application> applications;
  private final Duration tokenLifetime;
  private final TestCertificateAuthority authority;
  private final HttpsServer server;
  private final ExecutorService executor;
  private final AtomicLong tokensIssued = new AtomicLong();
  private final ConcurrentMap<String, AtomicLong> tokensIssuedTo = new ConcurrentHashMap<>();
  private final AppServiceIdentityEndpoint.Identity systemAssigned;
  private final AppServiceIdentityEndpoint identities;

  private EntraTokenEndpoint(Builder builder) {
    this.issuer = builder.issuer;
    Map<String, Application> copies = new HashMap<>();
    // Copied so that registering more on the builder later does not change a running endpoint.
    builder.applications.forEach(
        (clientId, application) -> copies.put(clientId, application.copy()));
    this.applications = Collections.unmodifiableMap(copies);
    this.tokenLifetime = builder.tokenLifetime;
    this.authority =
        builder.authority != null
            ? builder.authority
            : TestCertificateAuthority.create("cosmos-spark testkit Entra token endpoint CA");
    IssuedCertificate certificate =
        authority.issueServerCertificate(
            "localhost",
            Collections.singletonList("localhost"),
            Collections.singletonList("127.0.0.1"));
    try {
      this.server =
          HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException("Could not open the token endpoint's port on 127.0.0.1", e);
    }
    server.setHttpsConfigurator(new HttpsConfigurator(serverSslContext(certificate)));
    server.createContext("/", this::handle);
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            2,
            runnable -> {
              Thread thread =
                  new Thread(runnable, "entra-token-endpoint-" + threads.incrementAndGet());
              // A test that forgets close() must not keep its JVM alive.
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    this.systemAssigned = builder.systemAssigned;
    this.identities =
        builder.systemAssigned == null && builder.userAssigned.isEmpty()
            ? null
            : new AppServiceIdentityEndpoint(
                builder.systemAssigned, builder.userAssigned, tokenLifetime, this::mint);
  }

  /** A builder of an endpoint that issues {@code issuer}'s tokens for its tenant. */
  public static Builder builder(TestTokenIssuer issuer) {
    return new Builder(issuer);
  }

  /**
   * The authority host to give a client, {@code https://localhost:<port>/}, as Entra's is {@code
   * https://login.microsoftonline.com/}.
   */
  public String authorityHost() {
    return "https://localhost:" + port() + "/";
  }

  /**
   * The token endpoint of the issuer's tenant: {@code <authority host><tenant>/oauth2/v2.0/token}.
   */
  public String tokenEndpoint() {
    return authorityHost() + issuer.tenantId() + "/oauth2/v2.0/token";
  }

  /** The port the endpoint listens on, at 127.0.0.1. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The tenant whose tokens the endpoint issues. */
  public String tenantId() {
    return issuer.tenantId();
  }

  /**
   * A PKCS12 trust store holding the certificate authority that signed the endpoint's certificate.
   */
  public KeyStore truststore() {
    return authority.truststore();
  }

  /** A client TLS context trusting only {@link #truststore()}. */
  public SSLContext clientSslContext() {
    return authority.clientSslContext();
  }

  /**
   * How many access tokens the endpoint has handed out since it started, to applications and
   * managed identities.
   */
  public long tokensIssued() {
    return tokensIssued.get();
  }

  /** How many access tokens went to the application or managed identity {@code clientId}. */
  public long tokensIssuedTo(String clientId) {
    AtomicLong count = tokensIssuedTo.get(clientId.toLowerCase(Locale.ROOT));
    return count == null ? 0 : count.get();
  }

  /**
   * The managed identity endpoint, {@code http://127.0.0.1:<port>/msi/token}: the value of {@code
   * IDENTITY_ENDPOINT}.
   *
   * @throws IllegalStateException if the builder registered no managed identity
   */
  public String identityEndpoint() {
    return requireIdentities().endpoint();
  }

  /**
   * The secret a managed identity request carries in its {@code X-IDENTITY-HEADER}: the value of
   * {@code IDENTITY_HEADER}. Random per endpoint.
   *
   * @throws IllegalStateException if the builder registered no managed identity
   */
  public String identityHeader() {
    return requireIdentities().secret();
  }

  /**
   * The environment App Service gives its apps, pointing at this endpoint: {@code
   * IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER}. A process with these (and without {@code
   * IDENTITY_SERVER_THUMBPRINT}, which would mean Service Fabric) gets its managed identity tokens
   * here.
   */
  public Map<String, String> managedIdentityEnvironment() {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("IDENTITY_ENDPOINT", identityEndpoint());
    environment.put("IDENTITY_HEADER", identityHeader());
    return Collections.unmodifiableMap(environment);
  }

  /**
   * The client id of the system-assigned managed identity: random, as Azure gives one to the
   * identity's service principal.
   *
   * @throws IllegalStateException if the builder registered no system-assigned identity
   */
  public String systemAssignedClientId() {
    if (systemAssigned == null) {
      throw new IllegalStateException(
          "No system-assigned identity: call managedIdentity(objectId)");
    }
    return systemAssigned.clientId;
  }

  /** Stops the servers without waiting for requests in progress. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (identities != null) {
      identities.close();
    }
  }

  private AppServiceIdentityEndpoint requireIdentities() {
    if (identities == null) {
      throw new IllegalStateException(
          "No managed identity is registered: call managedIdentity or userAssignedIdentity on the"
              + " builder");
    }
    return identities;
  }

  /** Signs and counts a token of this tenant for {@code resource}. */
  private String mint(String objectId, String clientId, String resource) {
    String accessToken =
        issuer.token(objectId).audience(resource).appId(clientId).expiresIn(tokenLifetime).sign();
    tokensIssued.incrementAndGet();
    tokensIssuedTo
        .computeIfAbsent(clientId.toLowerCase(Locale.ROOT), id -> new AtomicLong())
        .incrementAndGet();
    return accessToken;
  }

  private EntraTokenEndpoint startServer() {
    server.start();
    LOG.debug("Entra token endpoint for tenant {} at {}", issuer.tenantId(), authorityHost());
    return this;
  }

  private static SSLContext serverSslContext(IssuedCertificate certificate) {
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(certificate.keystore("endpoint", KEYSTORE_PASSWORD), KEYSTORE_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Could not build the token endpoint's TLS context", e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      Response response = route(exchange);
      byte[] body = response.body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", response.contentType);
      // As Entra: token responses must not be cached by anything in between (RFC 6749 5.1).
      exchange.getResponseHeaders().set("Cache-Control", "no-store, no-cache");
      exchange.getResponseHeaders().set("Pragma", "no-cache");
      exchange.sendResponseHeaders(response.status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "Entra token endpoint failed on {} {}",
          exchange.getRequestMethod(),
          exchange.getRequestURI().getPath(),
          e);
      exchange.sendResponseHeaders(500, -1);
    } finally {
      exchange.close();
    }
  }

  private Response route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    String[] segments = path.substring(1).split("/", -1);
    String tenant = segments[0];
    String rest = path.substring(1 + tenant.length());
    LOG.debug("Entra token endpoint: {} {}", method, path);
    if ("POST".equals(method) && "/oauth2/v2.0/token".equals(rest)) {
      if (!issuer.tenantId().equalsIgnoreCase(tenant)) {
        return unknownTenant(tenant);
      }
      return token(readForm(exchange));
    }
    if ("GET".equals(method) && "/v2.0/.well-known/openid-configuration".equals(rest)) {
      if (!issuer.tenantId().equalsIgnoreCase(tenant)) {
        return unknownTenant(tenant);
      }
      return Response.json(200, openIdConfiguration());
    }
    if ("GET".equals(method) && "/discovery/v2.0/keys".equals(rest)) {
      return Response.json(200, issuer.jwkSet());
    }
    // MSAL4J with instance discovery off asks for nothing else before the token; a request here
    // means a client that does, so it is worth a line in the test's log.
    LOG.warn("Entra token endpoint does not serve {} {}: answered 404", method, path);
    return new Response(404, "text/plain; charset=utf-8", "Not found: " + method + " " + path);
  }

  private String openIdConfiguration() {
    String tenantBase = authorityHost() + issuer.tenantId();
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("token_endpoint", tokenEndpoint());
    metadata.put(
        "token_endpoint_auth_methods_supported",
        Arrays.asList("client_secret_post", "private_key_jwt", "client_secret_basic"));
    metadata.put("jwks_uri", tenantBase + "/discovery/v2.0/keys");
    metadata.put(
        "response_types_supported",
        Arrays.asList("code", "id_token", "code id_token", "id_token token"));
    metadata.put("subject_types_supported", Collections.singletonList("pairwise"));
    metadata.put("id_token_signing_alg_values_supported", Collections.singletonList("RS256"));
    metadata.put("issuer", tenantBase + "/v2.0");
    metadata.put("authorization_endpoint", tenantBase + "/oauth2/v2.0/authorize");
    metadata.put("tenant_region_scope", "WW");
    return JSONObjectUtils.toJSONString(metadata);
  }

  private Response token(Map<String, String> form) {
    for (String required : new String[] {"grant_type", "client_id"}) {
      if (isBlank(form.get(required))) {
        return missingParameter(required);
      }
    }
    String grantType = form.get("grant_type");
    if (!"client_credentials".equals(grantType)) {
      // Wording not confirmed; the code and error are in Microsoft's list.
      return error(
          400,
          "unsupported_grant_type",
          70003,
          "The app requested an unsupported grant type '" + grantType + "'.");
    }
    String clientId = form.get("client_id");
    Application application = applications.get(clientId.toLowerCase(Locale.ROOT));
    if (application == null) {
      return error(
          400,
          "unauthorized_client",
          700016,
          "Application with identifier '"
              + clientId
              + "' was not found in the directory '"
              + issuer.tenantId()
              + "'. This can happen if the application has not been installed"
              + " by the administrator of the tenant or consented to by any user in the tenant."
              + " You may have sent your authentication request to the wrong tenant.");
    }
    Response refused = authenticate(application, clientId, form);
    if (refused != null) {
      return refused;
    }
    if (isBlank(form.get("scope"))) {
      return missingParameter("scope");
    }
    List<String> resourceScopes = new ArrayList<>();
    for (String scope : form.get("scope").trim().split("\\s+")) {
      if (!OPENID_SCOPES.contains(scope)) {
        resourceScopes.add(scope);
      }
    }
    if (resourceScopes.size() != 1 || !resourceScopes.get(0).endsWith(DEFAULT_SUFFIX)) {
      // Seen in public logs of Entra's answers; not on Microsoft's page.
      return error(
          400,
          "invalid_scope",
          1002012,
          "The provided value for scope "
              + String.join(" ", resourceScopes)
              + " is not valid."
              + " Client credential flows must have a scope value with /.default suffixed to the"
              + " resource identifier (application ID URI).");
    }
    String scope = resourceScopes.get(0);
    String resource = scope.substring(0, scope.length() - DEFAULT_SUFFIX.length());
    if (!KNOWN_RESOURCES.contains(resource)) {
      return error(
          400,
          "invalid_scope",
          500011,
          "The resource principal named "
              + resource
              + " was not found in the tenant named "
              + issuer.tenantId()
              + ". This can happen if the application has not been installed"
              + " by the administrator of the tenant or consented to by any user in the tenant."
              + " You might have sent your authentication request to the wrong tenant.");
    }
    String accessToken = mint(application.objectId, clientId, resource);
    LOG.debug("Entra token endpoint issued a token for {} to client {}", resource, clientId);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token_type", "Bearer");
    body.put("expires_in", tokenLifetime.getSeconds());
    body.put("ext_expires_in", tokenLifetime.getSeconds());
    body.put("access_token", accessToken);
    return Response.json(200, JSONObjectUtils.toJSONString(body));
  }

  /** Null if the request proves it is {@code application}, else the refusal. */
  private Response authenticate(
      Application application, String clientId, Map<String, String> form) {
    String secret = form.get("client_secret");
    String assertion = form.get("client_assertion");
    if (!isBlank(secret)) {
      return checkSecret(application, clientId, secret);
    }
    if (!isBlank(assertion)) {
      String assertionType = form.get("client_assertion_type");
      if (!JWT_BEARER_ASSERTION_TYPE.equals(assertionType)) {
        // Wording not confirmed.
        return error(
            400,
            "invalid_request",
            90014,
            "The request body must contain the following parameter: 'client_assertion_type'"
                + " with the value '"
                + JWT_BEARER_ASSERTION_TYPE
                + "'.");
      }
      return checkAssertion(application, clientId, assertion);
    }
    return error(
        401,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or"
            + " 'client_secret'.");
  }

  private Response checkSecret(Application application, String clientId, String secret) {
    if (application.validSecrets.stream().anyMatch(known -> sameSecret(known, secret))) {
      return null;
    }
    if (application.expiredSecrets.stream().anyMatch(known -> sameSecret(known, secret))) {
      return error(
          401,
          "invalid_client",
          7000222,
          "The provided client secret keys for app '"
              + clientId
              + "' are expired. Visit the"
              + " Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or"
              + " consider using certificate credentials for added security:"
              + " https://aka.ms/certCreds.");
    }
    return error(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client"
            + " secret value, not the client secret ID, for a secret added to app '"
            + clientId
            + "'.");
  }

  // Compared in constant time, as a real server must: the endpoint is a model of one.
  private static boolean sameSecret(String known, String presented) {
    return MessageDigest.isEqual(
        known.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  private Response checkAssertion(Application application, String clientId, String assertion) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(assertion);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      // Wording not confirmed.
      return error(
          400,
          "invalid_request",
          50027,
          "JWT token is invalid or malformed: the client assertion is not a signed JWT.");
    }
    // A certificate assertion is self-issued (iss and sub are the client id, RFC 7523 3); a
    // federated one comes from the workload's own issuer.
    if (clientId.equalsIgnoreCase(claims.getIssuer())) {
      return checkCertificateAssertion(application, clientId, jwt, claims);
    }
    return checkFederatedAssertion(application, clientId, jwt, claims);
  }

  private Response checkCertificateAssertion(
      Application application, String clientId, SignedJWT jwt, JWTClaimsSet claims) {
    X509Certificate certificate = registeredCertificate(application, jwt);
    if (certificate == null) {
      return error(
          401,
          "invalid_client",
          700027,
          "The certificate with identifier used to sign the client assertion is not registered"
              + " on application. [Reason - The key was not found., Thumbprint of key used by"
              + " client: '"
              + thumbprintOf(jwt)
              + "'] Please visit the Azure Portal, App"
              + " registrations and confirm that the certificate is registered on app '"
              + clientId
              + "'.");
    }
    if (!verifies(jwt, new RSASSAVerifier((RSAPublicKey) certificate.getPublicKey()))) {
      return invalidSignature();
    }
    // MSAL4J sends the token endpoint URL as audience; Entra also accepts its v1 endpoint's.
    String endpoint = tokenEndpoint();
    List<String> audience = claims.getAudience();
    if (!audience.contains(endpoint)
        && !audience.contains(endpoint.replace("/v2.0/token", "/token"))) {
      // Wording not confirmed.
      return error(
          401,
          "invalid_client",
          700027,
          "Client assertion contains an invalid audience "
              + audience
              + ": expected '"
              + endpoint
              + "'.");
    }
    if (!clientId.equalsIgnoreCase(claims.getSubject())) {
      // Wording not confirmed.
      return error(
          401,
          "invalid_client",
          700027,
          "Client assertion subject '" + claims.getSubject() + "' is not the client id.");
    }
    return checkLifetime(claims);
  }

  private Response checkFederatedAssertion(
      Application application, String clientId, SignedJWT jwt, JWTClaimsSet claims) {
    FederatedCredential match = null;
    for (FederatedCredential federated : application.federatedCredentials) {
      if (federated.issuer.issuer().equals(claims.getIssuer())
          && federated.subject.equals(claims.getSubject())) {
        match = federated;
      }
    }
    if (match == null) {
      // From public logs of workload identity failures; not on Microsoft's page.
      return error(
          400,
          "invalid_request",
          70021,
          "No matching federated identity record found for presented assertion. Assertion Issuer:"
              + " '"
              + claims.getIssuer()
              + "'. Assertion Subject: '"
              + claims.getSubject()
              + "'. Assertion Audience: '"
              + String.join(",", claims.getAudience())
              + "'.");
    }
    if (!verifies(jwt, match.verifierFor(jwt.getHeader().getKeyID()))) {
      return invalidSignature();
    }
    if (!claims.getAudience().contains(TOKEN_EXCHANGE_AUDIENCE)) {
      // Not confirmed: the code Entra gives for a federated assertion of another audience.
      return error(
          400,
          "invalid_request",
          700212,
          "No matching federated identity record found for presented assertion audience '"
              + String.join(",", claims.getAudience())
              + "'.");
    }
    return checkLifetime(claims);
  }

  private Response checkLifetime(JWTClaimsSet claims) {
    Instant now = Instant.now();
    Date expiry = claims.getExpirationTime();
    Date notBefore = claims.getNotBeforeTime();
    boolean expired = expiry == null || expiry.toInstant().plus(CLOCK_SKEW).isBefore(now);
    boolean early = notBefore != null && notBefore.toInstant().minus(CLOCK_SKEW).isAfter(now);
    if (expired || early) {
      // Wording not confirmed.
      return error(
          401,
          "invalid_client",
          700024,
          "Client assertion is not within its valid time range. Current time: "
              + now
              + ", assertion valid from "
              + (notBefore == null ? "-" : notBefore.toInstant())
              + ", expiry time of assertion "
              + (expiry == null ? "-" : expiry.toInstant())
              + ".");
    }
    return null;
  }

  private Response invalidSignature() {
    // Wording not confirmed.
    return error(401, "invalid_client", 700027, "Client assertion failed signature validation.");
  }

  /**
   * The registered certificate whose thumbprint the assertion names, or the only one if it names
   * none.
   */
  private static X509Certificate registeredCertificate(Application application, SignedJWT jwt) {
    byte[] sha256 = decode(jwt.getHeader().getX509CertSHA256Thumbprint());
    @SuppressWarnings("deprecation")
    byte[] sha1 = decode(jwt.getHeader().getX509CertThumbprint());
    for (X509Certificate certificate : application.certificates) {
      if (sha256 != null && Arrays.equals(sha256, digest("SHA-256", certificate))) {
        return certificate;
      }
      if (sha1 != null && Arrays.equals(sha1, digest("SHA-1", certificate))) {
        return certificate;
      }
    }
    if (sha256 == null && sha1 == null && application.certificates.size() == 1) {
      return application.certificates.get(0);
    }
    return null;
  }

  private static String thumbprintOf(SignedJWT jwt) {
    @SuppressWarnings("deprecation")
    Base64URL sha1 = jwt.getHeader().getX509CertThumbprint();
    Base64URL sha256 = jwt.getHeader().getX509CertSHA256Thumbprint();
    byte[] bytes = decode(sha256 != null ? sha256 : sha1);
    if (bytes == null) {
      return "";
    }
    StringBuilder hex = new StringBuilder();
    for (byte b : bytes) {
      hex.append(String.format("%02X", b));
    }
    return hex.toString();
  }

  // MSAL4J writes thumbprints in standard Base64, not Base64URL; Nimbus decodes both.
  private static byte[] decode(Base64URL value) {
    return value == null ? null : value.decode();
  }

  private static byte[] digest(String algorithm, X509Certificate certificate) {
    try {
      return MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Could not hash a registered certificate", e);
    }
  }

  private static boolean verifies(SignedJWT jwt, JWSVerifier verifier) {
    if (verifier == null) {
      return false;
    }
    try {
      return jwt.verify(verifier);
    } catch (JOSEException e) {
      return false;
    }
  }

  private Response unknownTenant(String tenant) {
    return error(
        400,
        "invalid_request",
        90002,
        "Tenant '"
            + tenant
            + "' not found. Check to make sure you have the correct tenant ID and"
            + " are signing into the correct cloud. Check with your subscription administrator,"
            + " this may happen if there are no active subscriptions for the tenant.");
  }

  private Response missingParameter(String name) {
    return error(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: '" + name + "'.");
  }

  private static Response error(int status, String error, int code, String description) {
    String traceId = UUID.randomUUID().toString();
    String correlationId = UUID.randomUUID().toString();
    String timestamp = ERROR_TIMESTAMP.format(Instant.now());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    // Entra ends every description with the request's trace, correlation id and time.
    body.put(
        "error_description",
        "AADSTS"
            + code
            + ": "
            + description
            + "\r\nTrace ID: "
            + traceId
            + "\r\nCorrelation ID: "
            + correlationId
            + "\r\nTimestamp: "
            + timestamp);
    body.put("error_codes", Collections.singletonList(code));
    body.put("timestamp", timestamp);
    body.put("trace_id", traceId);
    body.put("correlation_id", correlationId);
    body.put("error_uri", "https://login.microsoftonline.com/error?code=" + code);
    LOG.debug("Entra token endpoint refused a request: AADSTS{} {}", code, error);
    return Response.json(status, JSONObjectUtils.toJSONString(body));
  }

  private static Map<String, String> readForm(HttpExchange exchange) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (InputStream in = exchange.getRequestBody()) {
      byte[] buffer = new byte[8192];
      int read;
      while ((read = in.read(buffer)) != -1) {
        bytes.write(buffer, 0, read);
        if (bytes.size() > MAX_BODY_BYTES) {
          throw new IOException("Token request body larger than " + MAX_BODY_BYTES + " bytes");
        }
      }
    }
    return urlEncodedParameters(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
  }

  /**
   * The name-value pairs of a form body or a query string ({@code a=1&b=x%20y}); null gives none.
   * Shared with {@link AppServiceIdentityEndpoint}, whose requests carry theirs in the query.
   */
  static Map<String, String> urlEncodedParameters(String raw) {
    Map<String, String> parameters = new HashMap<>();
    if (raw == null) {
      return parameters;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      parameters.put(urlDecode(name), urlDecode(value));
    }
    return parameters;
  }

  private static String urlDecode(String value) {
    try {
      return URLDecoder.decode(value, "UTF-8");
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is always supported", e);
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.trim().isEmpty();
  }

  private static final class Response {
    final int status;
    final String contentType;
    final String body;

    Response(int status, String contentType, String body) {
      this.status = status;
      this.contentType = contentType;
      this.body = body;
    }

    static Response json(int status, String body) {
      return new Response(status, "application/json; charset=utf-8", body);
    }
  }

  /** One app registration and its service principal in the tenant. */
  private static final class Application {
    final String objectId;
    final List<String> validSecrets = new ArrayList<>();
    final List<String> expiredSecrets = new ArrayList<>();
    final List<X509Certificate> certificates = new ArrayList<>();
    final List<FederatedCredential> federatedCredentials = new ArrayList<>();

    Application(String objectId) {
      this.objectId = objectId;
    }

    Application copy() {
      Application copy = new Application(objectId);
      copy.validSecrets.addAll(validSecrets);
      copy.expiredSecrets.addAll(expiredSecrets);
      copy.certificates.addAll(certificates);
      copy.federatedCredentials.addAll(federatedCredentials);
      return copy;
    }
  }

  private static final class FederatedCredential {
    final TestTokenIssuer issuer;
    final String subject;
    final JWKSet keys;

    FederatedCredential(TestTokenIssuer issuer, String subject) {
      this.issuer = issuer;
      this.subject = subject;
      try {
        // The public keys as the issuer publishes them, as Entra reads them from its jwks_uri.
        this.keys = JWKSet.parse(issuer.jwkSet());
      } catch (ParseException e) {
        throw new IllegalStateException("Could not read the workload issuer's JWK Set", e);
      }
    }

    JWSVerifier verifierFor(String keyId) {
      JWK key = keyId == null ? null : keys.getKeyByKeyId(keyId);
      if (!(key instanceof RSAKey)) {
        return null;
      }
      try {
        return new RSASSAVerifier((RSAKey) key);
      } catch (JOSEException e) {
        return null;
      }
    }
  }

  /**
   * Registers applications and their credentials, then {@link #start()}s the endpoint. Client ids
   * are matched ignoring case, as Entra's GUIDs are; one client id may have several credentials,
   * all for the same object id.
   */
  public static final class Builder {
    private final TestTokenIssuer issuer;
    private final Map<String, Application> applications = new HashMap<>();
    private Duration tokenLifetime = TestTokenIssuer.DEFAULT_LIFETIME;
    private TestCertificateAuthority authority;
    private AppServiceIdentityEndpoint.Identity systemAssigned;
    private final Map<String, AppServiceIdentityEndpoint.Identity> userAssigned = new HashMap<>();

    private Builder(TestTokenIssuer issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
    }

    /**
     * An application {@code clientId} whose service principal has the object id {@code objectId}
     * (the {@code oid} of its tokens, the principal a Cosmos role is granted to), with a client
     * secret.
     */
    public Builder clientSecret(String clientId, String objectId, String secret) {
      application(clientId, objectId).validSecrets.add(requireText("secret", secret));
      return this;
    }

    /**
     * As {@link #clientSecret}, but the secret has expired: presenting it fails with AADSTS7000222.
     */
    public Builder expiredClientSecret(String clientId, String objectId, String secret) {
      application(clientId, objectId).expiredSecrets.add(requireText("secret", secret));
      return this;
    }

    /**
     * A certificate credential: the client signs its assertion with the certificate's private key
     * (RSA), naming the certificate by thumbprint as MSAL does.
     */
    public Builder clientCertificate(
        String clientId, String objectId, X509Certificate certificate) {
      Objects.requireNonNull(certificate, "certificate");
      if (!(certificate.getPublicKey() instanceof RSAPublicKey)) {
        throw new IllegalArgumentException(
            "The certificate of client "
                + clientId
                + " must have an RSA key, as Entra's client"
                + " assertions are signed RS256; got "
                + certificate.getPublicKey().getAlgorithm());
      }
      application(clientId, objectId).certificates.add(certificate);
      return this;
    }

    /**
     * A federated credential (workload identity): the client assertion is a token that {@code
     * workloadIssuer} signed, with its {@link TestTokenIssuer#issuer()} as {@code iss}, {@code
     * subject} as {@code sub} (for Kubernetes {@code system:serviceaccount:<namespace>:<name>}) and
     * the audience {@value EntraTokenEndpoint#TOKEN_EXCHANGE_AUDIENCE}.
     */
    public Builder federatedCredential(
        String clientId, String objectId, TestTokenIssuer workloadIssuer, String subject) {
      Objects.requireNonNull(workloadIssuer, "workloadIssuer");
      application(clientId, objectId)
          .federatedCredentials
          .add(new FederatedCredential(workloadIssuer, requireText("subject", subject)));
      return this;
    }

    /**
     * The machine's system-assigned managed identity, whose service principal has the object id
     * {@code objectId} and a random client id ({@link
     * EntraTokenEndpoint#systemAssignedClientId()}). A managed identity request that names no
     * identity gets its tokens.
     */
    public Builder managedIdentity(String objectId) {
      issuer.token(objectId);
      this.systemAssigned =
          new AppServiceIdentityEndpoint.Identity(UUID.randomUUID().toString(), objectId);
      return this;
    }

    /**
     * A user-assigned managed identity attached to the machine: a request naming its {@code
     * client_id} (or its object id) gets its tokens; one naming any other is refused as App Service
     * refuses it, HTTP 400 "Unable to load the proper Managed Identity.".
     */
    public Builder userAssignedIdentity(String clientId, String objectId) {
      requireText("clientId", clientId);
      issuer.token(objectId);
      userAssigned.put(
          clientId.toLowerCase(Locale.ROOT),
          new AppServiceIdentityEndpoint.Identity(clientId, objectId));
      return this;
    }

    /** How long issued tokens are valid. Default {@link TestTokenIssuer#DEFAULT_LIFETIME}. */
    public Builder tokenLifetime(Duration lifetime) {
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("tokenLifetime must be positive, got " + lifetime);
      }
      this.tokenLifetime = lifetime;
      return this;
    }

    /**
     * The authority that signs the endpoint's server certificate, to share one trust store with
     * other test servers. Default: a new authority for this endpoint.
     */
    public Builder certificateAuthority(TestCertificateAuthority authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /** Opens the port and starts serving. */
    public EntraTokenEndpoint start() {
      return new EntraTokenEndpoint(this).startServer();
    }

    private Application application(String clientId, String objectId) {
      requireText("clientId", clientId);
      // token(objectId) rejects ids that are not GUIDs: fail here, where the mistake is made.
      issuer.token(objectId);
      Application application =
          applications.computeIfAbsent(
              clientId.toLowerCase(Locale.ROOT), id -> new Application(objectId));
      if (!application.objectId.equalsIgnoreCase(objectId)) {
        throw new IllegalArgumentException(
            "Client "
                + clientId
                + " is already registered with object id "
                + application.objectId
                + ", not "
                + objectId
                + ": an application has one service principal per tenant");
      }
      return application;
    }

    private static String requireText(String what, String value) {
      if (isBlank(value)) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return value;
    }
  }
}

package io.github.cosmosspark.testkit.entra;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed identity endpoint of Azure App Service and Functions, which MSAL4J (and
 * azure-identity's {@code ManagedIdentityCredential} on top of it) uses when the environment has
 * {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} but no {@code IDENTITY_SERVER_THUMBPRINT}
 * (msal4j 1.23.1, {@code ManagedIdentityClient.getManagedIdentitySource}).
 *
 * <p>The request, as {@code AppServiceManagedIdentitySource} sends it: {@code GET
 * <IDENTITY_ENDPOINT>?api-version=2019-08-01&resource=<resource>} with the header {@code
 * X-IDENTITY-HEADER: <IDENTITY_HEADER>}, plus {@code client_id}, {@code object_id} or {@code
 * mi_res_id} for a user-assigned identity. The answer: {@code access_token}, {@code expires_on}
 * (epoch seconds, as a string), {@code resource}, {@code token_type} and {@code client_id}. App
 * Service serves it over plain HTTP on the machine ("How to use managed identities for App Service
 * and Azure Functions", Learn: {@code IDENTITY_ENDPOINT} is a local URL), and so does this.
 *
 * <p>Package-private: {@link EntraTokenEndpoint} starts one for the identities registered on its
 * builder and issues their tokens.
 */
final class AppServiceIdentityEndpoint implements AutoCloseable {

  /** The only API version MSAL4J sends to App Service. */
  static final String API_VERSION = "2019-08-01";

  static final String SECRET_HEADER = "X-IDENTITY-HEADER";

  static final String PATH = "/msi/token";

  private static final Logger LOG = LoggerFactory.getLogger(AppServiceIdentityEndpoint.class);

  /** Signs a token for an identity; counted by the caller. */
  interface Minter {
    String mint(String objectId, String clientId, String resource);
  }

  /** One managed identity on the machine: its service principal's client (app) and object id. */
  static final class Identity {
    final String clientId;
    final String objectId;

    Identity(String clientId, String objectId) {
      this.clientId = clientId;
      this.objectId = objectId;
    }
  }

  private final Identity systemAssigned;
  private final Map<String, Identity> userAssigned;
  private final Duration tokenLifetime;
  private final Minter minter;
  private final String secret;
  private final HttpServer server;
  private final ExecutorService executor;

  AppServiceIdentityEndpoint(
      Identity systemAssigned,
      Map<String, Identity> userAssigned,
      Duration tokenLifetime,
      Minter minter) {
    this.systemAssigned = systemAssigned;
    this.userAssigned = Collections.unmodifiableMap(new HashMap<>(userAssigned));
    this.tokenLifetime = tokenLifetime;
    this.minter = minter;
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    // App Service's header secret is an opaque random string; its format is not documented.
    this.secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try {
      this.server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException("Could not open the identity endpoint's port", e);
    }
    server.createContext("/", this::handle);
    this.executor =
        Executors.newFixedThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, "managed-identity-endpoint");
              // A test that forgets close() must not keep its JVM alive.
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.start();
  }

  /** {@code IDENTITY_ENDPOINT}: {@code http://127.0.0.1:<port>/msi/token}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
  }

  /** {@code IDENTITY_HEADER}: the secret a request must carry in {@value #SECRET_HEADER}. */
  String secret() {
    return secret;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      Answer answer = answer(exchange);
      byte[] body = answer.body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      exchange.sendResponseHeaders(answer.status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (RuntimeException e) {
      LOG.warn("Managed identity endpoint failed on {}", exchange.getRequestURI().getPath(), e);
      exchange.sendResponseHeaders(500, -1);
    } finally {
      exchange.close();
    }
  }

  private Answer answer(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    if (!"GET".equals(method) || !PATH.equals(path)) {
      // MSAL retries a 404 three times, a second apart: a stray request shows in the log.
      LOG.warn("Managed identity endpoint does not serve {} {}: answered 404", method, path);
      return refusal(404, "Not found: " + method + " " + path);
    }
    String presented = exchange.getRequestHeaders().getFirst(SECRET_HEADER);
    if (presented == null
        || !MessageDigest.isEqual(
            secret.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
      // Status and wording not confirmed: App Service only documents that the header is required.
      return refusal(401, "The request must carry the " + SECRET_HEADER + " header's secret.");
    }
    Map<String, String> query =
        EntraTokenEndpoint.urlEncodedParameters(exchange.getRequestURI().getRawQuery());
    if (!API_VERSION.equals(query.get("api-version"))) {
      // Wording not confirmed.
      return refusal(
          400, "Unsupported api-version '" + query.get("api-version") + "'; use " + API_VERSION);
    }
    String resource = query.get("resource");
    if (resource == null || resource.trim().isEmpty()) {
      // Wording not confirmed.
      return refusal(400, "The query must contain the parameter 'resource'.");
    }
    Identity identity = identity(query);
    if (identity == null) {
      // What App Service answers for an identity the app does not have (issue
      // Azure/azure-sdk-for-net#43691, and microsoft/azure-container-apps#442).
      return refusal(400, "Unable to load the proper Managed Identity.");
    }
    String audience =
        resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource;
    if (!EntraTokenEndpoint.KNOWN_RESOURCES.contains(audience)) {
      // App Service passes Entra's refusal on; the shape it gives it is not confirmed.
      return refusal(
          400,
          "AADSTS500011: The resource principal named "
              + resource
              + " was not found in the tenant.");
    }
    String token = minter.mint(identity.objectId, identity.clientId, audience);
    long expiresOn = Instant.now().plus(tokenLifetime).getEpochSecond();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", token);
    // A string of epoch seconds, as in Learn's sample answer; MSAL4J also reads ISO 8601.
    body.put("expires_on", Long.toString(expiresOn));
    body.put("resource", resource);
    body.put("token_type", "Bearer");
    body.put("client_id", identity.clientId);
    LOG.debug("Managed identity endpoint issued a token for {} to {}", audience, identity.clientId);
    return new Answer(200, JSONObjectUtils.toJSONString(body));
  }

  /** The identity the query names, the system-assigned one if it names none, or null. */
  private Identity identity(Map<String, String> query) {
    String clientId = query.get("client_id");
    String objectId =
        query.get("object_id") != null ? query.get("object_id") : query.get("principal_id");
    if (query.get("mi_res_id") != null) {
      // Resource ids of identities are not modelled: no identity has one.
      return null;
    }
    if (clientId != null) {
      return userAssigned.get(clientId.toLowerCase(Locale.ROOT));
    }
    if (objectId != null) {
      for (Identity identity : userAssigned.values()) {
        if (identity.objectId.equalsIgnoreCase(objectId)) {
          return identity;
        }
      }
      return null;
    }
    return systemAssigned;
  }

  /** App Service's error shape: {@code statusCode}, {@code message}, {@code correlationId}. */
  private static Answer refusal(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("statusCode", status);
    body.put("message", message);
    body.put("correlationId", UUID.randomUUID().toString());
    LOG.debug("Managed identity endpoint refused a request: {} {}", status, message);
    return new Answer(status, JSONObjectUtils.toJSONString(body));
  }

  private static final class Answer {
    final int status;
    final String body;

    Answer(int status, String body) {
      this.status = status;
      this.body = body;
    }
  }
}

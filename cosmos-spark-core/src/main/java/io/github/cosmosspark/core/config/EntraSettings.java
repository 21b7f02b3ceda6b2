package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a JVM gets Microsoft Entra ID access tokens for an account whose login is {@code
 * auth.type=entra}: the credential, the identity and where Entra is. Immutable and serializable, it
 * travels to executors inside the connection's configuration; each JVM then gets its own tokens
 * with it. {@link #toString()} never shows the secret.
 */
public final class EntraSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String CLIENT_SECRET = "clientSecret";
  public static final String CLIENT_CERTIFICATE = "clientCertificate";
  public static final String MANAGED_IDENTITY = "managedIdentity";
  public static final String WORKLOAD_IDENTITY = "workloadIdentity";
  public static final String AZURE_CLI = "azureCli";

  /** The variables Azure's workload identity webhook sets in a pod. */
  static final String TENANT_ENV = "AZURE_TENANT_ID";

  static final String CLIENT_ENV = "AZURE_CLIENT_ID";
  static final String TOKEN_FILE_ENV = "AZURE_FEDERATED_TOKEN_FILE";

  private final String credential;
  private final String tenantId;
  private final String clientId;
  private final String clientSecret;
  private final String certificatePath;
  private final String certificatePassword;
  private final String tokenFilePath;
  private final String authorityHost;
  private final String scope;

  private EntraSettings(Map<String, Object> values) {
    this.credential = (String) values.get(CosmosOptions.ENTRA_CREDENTIAL.name());
    this.tenantId = (String) values.get(CosmosOptions.ENTRA_TENANT_ID.name());
    this.clientId = (String) values.get(CosmosOptions.ENTRA_CLIENT_ID.name());
    this.clientSecret = (String) values.get(CosmosOptions.ENTRA_CLIENT_SECRET.name());
    this.certificatePath = (String) values.get(CosmosOptions.ENTRA_CERTIFICATE_PATH.name());
    this.certificatePassword = (String) values.get(CosmosOptions.ENTRA_CERTIFICATE_PASSWORD.name());
    this.tokenFilePath = (String) values.get(CosmosOptions.ENTRA_TOKEN_FILE.name());
    this.authorityHost = (String) values.get(CosmosOptions.ENTRA_AUTHORITY_HOST.name());
    this.scope = (String) values.get(CosmosOptions.ENTRA_SCOPE.name());
  }

  /** The settings in a resolved configuration's values, or null for key login. */
  static EntraSettings of(Map<String, Object> values) {
    return "entra".equals(values.get(CosmosOptions.AUTH_TYPE.name()))
        ? new EntraSettings(values)
        : null;
  }

  /** The {@code auth.entra.*} options, which only {@code auth.type=entra} reads. */
  static final List<CosmosOption<?>> OPTIONS =
      Arrays.<CosmosOption<?>>asList(
          CosmosOptions.ENTRA_CREDENTIAL,
          CosmosOptions.ENTRA_TENANT_ID,
          CosmosOptions.ENTRA_CLIENT_ID,
          CosmosOptions.ENTRA_CLIENT_SECRET,
          CosmosOptions.ENTRA_CERTIFICATE_PATH,
          CosmosOptions.ENTRA_CERTIFICATE_PASSWORD,
          CosmosOptions.ENTRA_TOKEN_FILE,
          CosmosOptions.ENTRA_AUTHORITY_HOST,
          CosmosOptions.ENTRA_SCOPE);

  /**
   * Completes and checks the {@code auth.entra.*} values of a resolved configuration, in place: the
   * credential inferred when not given, workload identity's variables read from the driver's
   * environment, and every required or contradictory setting named with its fix, before any
   * connection opens.
   */
  static void complete(Map<String, Object> values, Function<String, String> environment) {
    String credential = (String) values.get(CosmosOptions.ENTRA_CREDENTIAL.name());
    boolean secret = values.containsKey(CosmosOptions.ENTRA_CLIENT_SECRET.name());
    boolean certificate = values.containsKey(CosmosOptions.ENTRA_CERTIFICATE_PATH.name());
    if (credential == null) {
      if (secret && certificate) {
        throw new CosmosConfigException(
            "Both '"
                + CosmosOptions.ENTRA_CLIENT_SECRET.key()
                + "' and '"
                + CosmosOptions.ENTRA_CERTIFICATE_PATH.key()
                + "' are set. A service principal logs in with one of them: remove the other, or"
                + " say which with '"
                + CosmosOptions.ENTRA_CREDENTIAL.key()
                + "'.");
      }
      if (!secret && !certificate) {
        throw new CosmosConfigException(
            "'"
                + CosmosOptions.AUTH_TYPE.key()
                + "' is 'entra' but nothing says which identity to log in as. Set '"
                + CosmosOptions.ENTRA_CREDENTIAL.key()
                + "' to clientSecret or clientCertificate (a service principal, with '"
                + CosmosOptions.ENTRA_TENANT_ID.key()
                + "' and '"
                + CosmosOptions.ENTRA_CLIENT_ID.key()
                + "'), managedIdentity, workloadIdentity, or azureCli (local runs).");
      }
      credential = secret ? CLIENT_SECRET : CLIENT_CERTIFICATE;
      values.put(CosmosOptions.ENTRA_CREDENTIAL.name(), credential);
    }
    if (WORKLOAD_IDENTITY.equals(credential)) {
      fromEnvironment(values, CosmosOptions.ENTRA_TENANT_ID, TENANT_ENV, environment);
      fromEnvironment(values, CosmosOptions.ENTRA_CLIENT_ID, CLIENT_ENV, environment);
      fromEnvironment(values, CosmosOptions.ENTRA_TOKEN_FILE, TOKEN_FILE_ENV, environment);
    }
    List<CosmosOption<?>> required = new ArrayList<>();
    List<CosmosOption<?>> unused = new ArrayList<>();
    switch (credential) {
      case CLIENT_SECRET:
        required.addAll(
            Arrays.asList(
                CosmosOptions.ENTRA_TENANT_ID,
                CosmosOptions.ENTRA_CLIENT_ID,
                CosmosOptions.ENTRA_CLIENT_SECRET));
        unused.addAll(
            Arrays.asList(
                CosmosOptions.ENTRA_CERTIFICATE_PATH,
                CosmosOptions.ENTRA_CERTIFICATE_PASSWORD,
                CosmosOptions.ENTRA_TOKEN_FILE));
        break;
      case CLIENT_CERTIFICATE:
        required.addAll(
            Arrays.asList(
                CosmosOptions.ENTRA_TENANT_ID,
                CosmosOptions.ENTRA_CLIENT_ID,
                CosmosOptions.ENTRA_CERTIFICATE_PATH));
        unused.addAll(
            Arrays.asList(CosmosOptions.ENTRA_CLIENT_SECRET, CosmosOptions.ENTRA_TOKEN_FILE));
        break;
      case WORKLOAD_IDENTITY:
        required.addAll(
            Arrays.asList(
                CosmosOptions.ENTRA_TENANT_ID,
                CosmosOptions.ENTRA_CLIENT_ID,
                CosmosOptions.ENTRA_TOKEN_FILE));
        unused.addAll(
            Arrays.asList(
                CosmosOptions.ENTRA_CLIENT_SECRET,
                CosmosOptions.ENTRA_CERTIFICATE_PATH,
                CosmosOptions.ENTRA_CERTIFICATE_PASSWORD));
        break;
      case MANAGED_IDENTITY:
        unused.addAll(
            Arrays.asList(
                CosmosOptions.ENTRA_TENANT_ID,
                CosmosOptions.ENTRA_CLIENT_SECRET,
                CosmosOptions.ENTRA_CERTIFICATE_PATH,
                CosmosOptions.ENTRA_CERTIFICATE_PASSWORD,
                CosmosOptions.ENTRA_TOKEN_FILE,
                // The identity endpoint is the machine's, not Entra's.
                CosmosOptions.ENTRA_AUTHORITY_HOST));
        break;
      default: // AZURE_CLI: the developer's own login, in whichever tenant az chose.
        unused.addAll(
            Arrays.asList(
                CosmosOptions.ENTRA_CLIENT_ID,
                CosmosOptions.ENTRA_CLIENT_SECRET,
                CosmosOptions.ENTRA_CERTIFICATE_PATH,
                CosmosOptions.ENTRA_CERTIFICATE_PASSWORD,
                CosmosOptions.ENTRA_TOKEN_FILE,
                CosmosOptions.ENTRA_AUTHORITY_HOST));
        break;
    }
    for (CosmosOption<?> option : required) {
      if (!values.containsKey(option.name())) {
        throw new CosmosConfigException(
            "'"
                + CosmosOptions.ENTRA_CREDENTIAL.key()
                + "' is '"
                + credential
                + "', which needs '"
                + option.key()
                + "'"
                + (WORKLOAD_IDENTITY.equals(credential)
                    ? " (or the workload identity webhook's environment variable on the driver)"
                    : "")
                + ". Set it"
                + (option == CosmosOptions.ENTRA_CLIENT_SECRET
                    ? " (on Databricks, from a secret scope: {{secrets/<scope>/<key>}})"
                    : "")
                + ".");
      }
    }
    for (CosmosOption<?> option : unused) {
      // The authority host has a default, which is not a setting the user made.
      boolean given =
          option == CosmosOptions.ENTRA_AUTHORITY_HOST
              ? !Objects.equals(values.get(option.name()), option.defaultValue())
              : values.containsKey(option.name());
      if (given) {
        throw new CosmosConfigException(
            "'"
                + option.key()
                + "' is set, but '"
                + CosmosOptions.ENTRA_CREDENTIAL.key()
                + "' is '"
                + credential
                + "', which does not use it. Remove it, or choose the credential it belongs to.");
      }
    }
    requireHttps((String) values.get(CosmosOptions.ENTRA_AUTHORITY_HOST.name()));
    requireReadable(values, CosmosOptions.ENTRA_CERTIFICATE_PATH);
    requireReadable(values, CosmosOptions.ENTRA_TOKEN_FILE);
  }

  private static void fromEnvironment(
      Map<String, Object> values,
      CosmosOption<String> option,
      String variable,
      Function<String, String> environment) {
    if (!values.containsKey(option.name())) {
      String value = environment.apply(variable);
      if (value != null && !value.trim().isEmpty()) {
        values.put(option.name(), value.trim());
      }
    }
  }

  private static void requireHttps(String authorityHost) {
    URI uri;
    try {
      uri = new URI(authorityHost);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new CosmosConfigException(
          "'"
              + CosmosOptions.ENTRA_AUTHORITY_HOST.key()
              + "' is '"
              + authorityHost
              + "'; it must be an https:// URL such as https://login.microsoftonline.com/.");
    }
  }

  /** Checked on the driver, so that a wrong path fails the plan rather than every task. */
  private static void requireReadable(Map<String, Object> values, CosmosOption<String> option) {
    String path = (String) values.get(option.name());
    if (path == null) {
      return;
    }
    Path file = Paths.get(path);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new CosmosConfigException(
          "'"
              + option.key()
              + "' names '"
              + path
              + "', which is not a readable file on the driver. Every executor reads it too: on"
              + " Databricks, put it in a Unity Catalog volume (/Volumes/...).");
    }
  }

  public String credential() {
    return credential;
  }

  public String tenantId() {
    return tenantId;
  }

  public String clientId() {
    return clientId;
  }

  /** A secret: never log it. */
  public String clientSecret() {
    return clientSecret;
  }

  public String certificatePath() {
    return certificatePath;
  }

  /** A secret: never log it. */
  public String certificatePassword() {
    return certificatePassword;
  }

  public String tokenFilePath() {
    return tokenFilePath;
  }

  public String authorityHost() {
    return authorityHost;
  }

  public String scope() {
    return scope;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof EntraSettings)) {
      return false;
    }
    EntraSettings that = (EntraSettings) other;
    return Objects.equals(credential, that.credential)
        && Objects.equals(tenantId, that.tenantId)
        && Objects.equals(clientId, that.clientId)
        && Objects.equals(clientSecret, that.clientSecret)
        && Objects.equals(certificatePath, that.certificatePath)
        && Objects.equals(certificatePassword, that.certificatePassword)
        && Objects.equals(tokenFilePath, that.tokenFilePath)
        && Objects.equals(authorityHost, that.authorityHost)
        && Objects.equals(scope, that.scope);
  }

  @Override
  public int hashCode() {
    return Objects.hash(credential, tenantId, clientId, authorityHost, scope);
  }

  /** Who logs in, for messages: never the secret. */
  @Override
  public String toString() {
    switch (credential) {
      case CLIENT_SECRET:
      case CLIENT_CERTIFICATE:
        return "service principal "
            + clientId
            + " ("
            + credential
            + ") of tenant "
            + tenantId
            + " at "
            + authorityHost;
      case WORKLOAD_IDENTITY:
        return "workload identity " + clientId + " of tenant " + tenantId + " at " + authorityHost;
      case MANAGED_IDENTITY:
        return clientId != null
            ? "user-assigned managed identity " + clientId
            : "the machine's managed identity";
      default:
        return "the Azure CLI login" + (tenantId != null ? " in tenant " + tenantId : "");
    }
  }
}

package io.github.cosmosspark.core.session;

import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.EntraSettings;
import io.github.cosmosspark.core.errors.CosmosConnectionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Microsoft Entra ID's refusals into errors that name the setting to fix. Entra's answers
 * carry an AADSTS code ("Microsoft Entra authentication and authorization error codes", Learn); the
 * ones a connector's settings can cause get their own advice.
 */
final class EntraErrors {
  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");

  /** "java.util.concurrent.ExecutionException: some.Exception: " before the reason. */
  private static final Pattern WRAPPERS = Pattern.compile("^([\\w.$]+(Exception|Error): )+");

  /** Entra's description ends with trace and correlation ids; the first sentence is the reason. */
  private static final int SHOWN_CHARS = 400;

  private EntraErrors() {}

  /**
   * What App Service, Functions and Container Apps answer for a client id of an identity the
   * machine does not have (Azure/azure-sdk-for-net#43691, microsoft/azure-container-apps#442).
   */
  private static final String UNKNOWN_MANAGED_IDENTITY =
      "Unable to load the proper Managed Identity";

  static CosmosConnectionException explain(EntraSettings settings, RuntimeException failure) {
    String message = reason(failure);
    Matcher code = AADSTS.matcher(message);
    String advice = code.find() ? advice(code.group(1)) : null;
    if (advice == null && message.contains(UNKNOWN_MANAGED_IDENTITY)) {
      advice =
          settings.clientId() != null
              ? "This machine has no managed identity with that client id: set "
                  + CosmosOptions.ENTRA_CLIENT_ID.key()
                  + " to the Client ID of a user-assigned identity attached to the cluster's"
                  + " machines (the identity's Overview page shows it), or remove it to use the"
                  + " system-assigned identity."
              : "This machine has no system-assigned managed identity: turn it on, or set "
                  + CosmosOptions.ENTRA_CLIENT_ID.key()
                  + " to the Client ID of a user-assigned identity attached to it.";
    }
    if (advice == null) {
      advice = general(settings);
    }
    return new CosmosConnectionException(
        "Microsoft Entra ID gave no token to "
            + settings
            + " for scope "
            + settings.scope()
            + ": "
            + shorten(message)
            + " "
            + advice,
        failure);
  }

  private static String advice(String code) {
    switch (code) {
      case "90002":
        return "The tenant does not exist: check " + CosmosOptions.ENTRA_TENANT_ID.key() + ".";
      case "700016":
        return "No application with this client id is registered in that tenant: check "
            + CosmosOptions.ENTRA_CLIENT_ID.key()
            + " and "
            + CosmosOptions.ENTRA_TENANT_ID.key()
            + " (the app registration's Overview page shows both).";
      case "7000215":
        return "The client secret is wrong: set "
            + CosmosOptions.ENTRA_CLIENT_SECRET.key()
            + " to the secret's Value (not its Secret ID) from the app registration's"
            + " Certificates & secrets page.";
      case "7000222":
        return "The client secret has expired: add a new one on the app registration's"
            + " Certificates & secrets page and update "
            + CosmosOptions.ENTRA_CLIENT_SECRET.key()
            + " (on Databricks, the secret in its secret scope).";
      case "500011":
        return "No resource answers to this scope in the tenant: set "
            + CosmosOptions.ENTRA_SCOPE.key()
            + " to https://cosmos.azure.com/.default, or remove it.";
      case "700027":
      case "700024":
      case "70021":
        return "The client assertion was refused: check the certificate ("
            + CosmosOptions.ENTRA_CERTIFICATE_PATH.key()
            + ") is the one uploaded to the app registration, or, for workload identity, the"
            + " federated credential's issuer and subject.";
      default:
        return null;
    }
  }

  private static String general(EntraSettings settings) {
    switch (settings.credential()) {
      case EntraSettings.MANAGED_IDENTITY:
        return "Managed identity works only on an Azure machine that has one: check the cluster's"
            + " identity, and "
            + CosmosOptions.ENTRA_CLIENT_ID.key()
            + " for a user-assigned one.";
      case EntraSettings.AZURE_CLI:
        return "Log in with `az login` on this machine first; azureCli is for local runs only.";
      default:
        return "Check "
            + CosmosOptions.ENTRA_AUTHORITY_HOST.key()
            + " is reachable from this machine and the identity's settings.";
    }
  }

  /**
   * The failure's message, or its cause's when it only points there: azure-identity's
   * ManagedIdentityCredential says "Managed Identity authentication failed, see inner exception for
   * more information." and MSAL's exception under it holds what the endpoint answered. Neither
   * carries a token: MSAL reads a token only from a successful answer.
   */
  private static String reason(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; depth < 5 && cause != null; depth++, cause = cause.getCause()) {
      String message = cause.getMessage();
      if (message != null && !message.contains("see inner exception")) {
        return message;
      }
    }
    return failure.getMessage() == null ? failure.toString() : failure.getMessage();
  }

  private static String shorten(String message) {
    String oneLine = message.replace('\r', ' ').replace('\n', ' ').trim();
    // Entra's own words, without the wrapping exceptions' class names before them.
    Matcher code = AADSTS.matcher(oneLine);
    oneLine =
        code.find() ? oneLine.substring(code.start()) : WRAPPERS.matcher(oneLine).replaceFirst("");
    int trace = oneLine.indexOf(" Trace ID:");
    if (trace > 0) {
      oneLine = oneLine.substring(0, trace);
    }
    return oneLine.length() > SHOWN_CHARS ? oneLine.substring(0, SHOWN_CHARS) + "..." : oneLine;
  }
}

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

  static CosmosConnectionException explain(EntraSettings settings, RuntimeException failure) {
    String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
    Matcher code = AADSTS.matcher(message);
    String advice = code.find() ? advice(code.group(1)) : null;
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

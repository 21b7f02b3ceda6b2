package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the account key from where {@code passwordEnv} or {@code passwordFile} say it is, on the
 * driver, when the options are resolved. Errors name the variable or the file and never show what
 * it holds; an option whose value looks like the key itself (a user who put the key where its name
 * belongs) is refused without being shown either.
 */
final class KeySources {

  /** An account key is 88 characters; a file far larger than that is the wrong file. */
  static final long MAX_FILE_BYTES = 64 * 1024;

  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  private static final Pattern URI_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*");
  private static final Pattern INNER_WHITE_SPACE = Pattern.compile(".*\\s.*", Pattern.DOTALL);

  private KeySources() {}

  /** The key in environment variable {@code name}, which option {@code key} named. */
  static String fromEnvironment(String key, String name, Function<String, String> environment) {
    if (!VARIABLE_NAME.matcher(name).matches()) {
      throw new CosmosConfigException(
          "Option '"
              + key
              + "' must be the name of an environment variable that holds the account key"
              + " (letters, digits and underscores, such as COSMOS_KEY). Its value is not such a"
              + " name, and is not shown in case it is the key itself.");
    }
    String value = environment.apply(name);
    if (value == null) {
      throw new CosmosConfigException(
          "Environment variable '"
              + name
              + "', named by option '"
              + key
              + "', is not set on the driver. Set it in the driver's environment (on Databricks,"
              + " in the cluster's environment variables: "
              + name
              + "={{secrets/<scope>/<key>}}), or give the key another way.");
    }
    return oneKey(value, "Environment variable '" + name + "', named by option '" + key + "',");
  }

  /** The key in the file at {@code text}, which option {@code key} named. */
  static String fromFile(String key, String text) {
    if (text.endsWith("=")) {
      throw new CosmosConfigException(
          "Option '"
              + key
              + "' must be the path of a file that holds the account key. Its value ends in '=',"
              + " as an account key does, so it is not shown; put the key in a file and name the"
              + " file.");
    }
    Path path = path(key, text);
    String file = "File '" + path + "', named by option '" + key + "',";
    if (!Files.exists(path)) {
      throw new CosmosConfigException(
          file
              + " does not exist on the driver. The driver reads the key from it; executors do"
              + " not need it.");
    }
    if (Files.isDirectory(path)) {
      throw new CosmosConfigException(file + " is a directory, not a file holding the key.");
    }
    byte[] bytes;
    try {
      long size = Files.size(path);
      if (size > MAX_FILE_BYTES) {
        throw new CosmosConfigException(
            file
                + " is "
                + size
                + " bytes: too large to hold an account key (88 characters). Name the file that"
                + " holds only the key.");
      }
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      // The exception says which file and why (permissions), never what the file holds.
      throw new CosmosConfigException(
          file + " cannot be read on the driver (" + e.getClass().getSimpleName() + ").", e);
    }
    String content = new String(bytes, StandardCharsets.UTF_8);
    if (content.startsWith("\uFEFF")) {
      content = content.substring(1);
    }
    return oneKey(content, file);
  }

  private static Path path(String key, String text) {
    try {
      if (text.regionMatches(true, 0, "file:", 0, 5)) {
        return Paths.get(URI.create(text));
      }
      if (URI_SCHEME.matcher(text).matches()) {
        throw new CosmosConfigException(
            "Option '"
                + key
                + "' names '"
                + text
                + "', which is not a local path. Give a path the driver can open as a file: on"
                + " Databricks, a volume path (/Volumes/<catalog>/<schema>/<volume>/<file>) or"
                + " /dbfs/... rather than dbfs:/...");
      }
      return Paths.get(text);
    } catch (IllegalArgumentException e) {
      // InvalidPathException, or a file: URI that names no local path.
      throw new CosmosConfigException(
          "Option '" + key + "' is not a valid file path on the driver: '" + text + "'.", e);
    }
  }

  /** The key alone: surrounding white space and line breaks are not part of it. */
  private static String oneKey(String value, String source) {
    String trimmed = value.trim();
    if (trimmed.isEmpty()) {
      throw new CosmosConfigException(source + " is empty; it must hold the account key.");
    }
    if (INNER_WHITE_SPACE.matcher(trimmed).matches()) {
      throw new CosmosConfigException(
          source
              + " holds more than one word or line; it must hold only the account key (the"
              + " portal's PRIMARY PASSWORD).");
    }
    return trimmed;
  }
}

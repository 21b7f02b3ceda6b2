package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One configuration option: its name, type, default, documentation, validation, and the plain Spark
 * Cassandra Connector keys it falls back to. Declared once, in {@link CosmosOptions}; the
 * configuration reference and the "did you mean" message are made from these declarations.
 *
 * @param <T> the parsed value's type
 */
public final class CosmosOption<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The prefix of every option's key in the Spark configuration. */
  public static final String PREFIX = "spark.cosmos.cassandra.";

  /** Turns the text of a setting into a value, or fails naming the key. */
  interface Parser<T> extends Serializable {
    T parse(String key, String text);
  }

  private final String name;
  private final String type;
  private final T defaultValue;
  private final String defaultText;
  private final String doc;
  private final boolean secret;
  private final List<String> connectorFallbackKeys;
  private final String notCarriedBecause;
  private final Parser<T> parser;

  private CosmosOption(
      String name,
      String type,
      T defaultValue,
      String defaultText,
      String doc,
      boolean secret,
      List<String> connectorFallbackKeys,
      String notCarriedBecause,
      Parser<T> parser) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.doc = doc;
    this.secret = secret;
    this.connectorFallbackKeys = connectorFallbackKeys;
    this.notCarriedBecause = notCarriedBecause;
    this.parser = parser;
  }

  static Builder<String> string(String name) {
    return new Builder<>(name, "string", (key, text) -> nonBlank(key, text));
  }

  static Builder<String> secret(String name) {
    return new Builder<>(name, "secret", (key, text) -> nonBlank(key, text)).secret();
  }

  static Builder<Boolean> bool(String name) {
    return new Builder<>(
        name,
        "boolean",
        (key, text) -> {
          String value = text.trim().toLowerCase(Locale.ROOT);
          if (value.equals("true") || value.equals("false")) {
            return Boolean.valueOf(value);
          }
          throw new CosmosConfigException(
              "Option '" + key + "' must be true or false, got '" + text + "'.");
        });
  }

  static Builder<Integer> integer(String name, int min, int max, String unit) {
    return new Builder<>(
        name,
        "integer",
        (key, text) -> {
          int value;
          try {
            value = Integer.parseInt(text.trim());
          } catch (NumberFormatException e) {
            throw new CosmosConfigException(
                "Option '" + key + "' must be a whole number of " + unit + ", got '" + text + "'.");
          }
          if (value < min || value > max) {
            throw new CosmosConfigException(
                "Option '"
                    + key
                    + "' must be a number of "
                    + unit
                    + " from "
                    + min
                    + " to "
                    + max
                    + ", got "
                    + value
                    + ".");
          }
          return value;
        });
  }

  static Builder<Double> fraction(String name) {
    return new Builder<>(
        name,
        "fraction",
        (key, text) -> {
          double value;
          try {
            value = Double.parseDouble(text.trim());
          } catch (NumberFormatException e) {
            value = Double.NaN;
          }
          if (!(value > 0 && value <= 1)) {
            throw new CosmosConfigException(
                "Option '"
                    + key
                    + "' must be a fraction greater than 0 and at most 1 (0.9 = 90 %), got '"
                    + text
                    + "'.");
          }
          return value;
        });
  }

  /**
   * A point on the change feed: {@code now}, an ISO-8601 instant with its zone ({@code
   * 2026-01-01T00:00:00Z}, {@code 2026-01-01T01:00:00+01:00}), and with {@code allowBeginning} also
   * {@code beginning}; read back as {@code beginning}, {@code now} or the instant in UTC.
   */
  static Builder<String> feedPoint(String name, boolean allowBeginning) {
    return new Builder<>(
        name,
        allowBeginning ? "beginning, now or instant" : "now or instant",
        (key, text) -> {
          String value = text.trim();
          String lower = value.toLowerCase(Locale.ROOT);
          if (lower.equals("now") || (allowBeginning && lower.equals("beginning"))) {
            return lower;
          }
          try {
            return java.time.OffsetDateTime.parse(value).toInstant().toString();
          } catch (java.time.format.DateTimeParseException e) {
            throw new CosmosConfigException(
                "Option '"
                    + key
                    + "' must be "
                    + (allowBeginning ? "'beginning', " : "")
                    + "'now' or an ISO-8601 instant with its zone, such as"
                    + " '2026-01-01T00:00:00Z'; got '"
                    + text
                    + "'.");
          }
        });
  }

  /**
   * A comma-separated list of Azure region names, read back as the same names joined by {@code ",
   * "}: the canonical text is what crosses to executors, so that encoding it again gives the same.
   */
  static Builder<String> regionList(String name) {
    return new Builder<>(
        name,
        "list of regions",
        (key, text) -> String.join(", ", RegionNames.parseList(key, text)));
  }

  /**
   * One of a fixed set of words, in any case; the value is the word as declared, so that what
   * crosses to executors and what the documentation shows are the same spelling.
   */
  static Builder<String> oneOf(String name, String... choices) {
    return new Builder<>(
        name,
        String.join(" | ", choices),
        (key, text) -> {
          for (String choice : choices) {
            if (choice.equalsIgnoreCase(text.trim())) {
              return choice;
            }
          }
          throw new CosmosConfigException(
              "Option '"
                  + key
                  + "' is '"
                  + text
                  + "'; it takes one of: "
                  + String.join(", ", choices)
                  + ".");
        });
  }

  private static String nonBlank(String key, String text) {
    if (text.trim().isEmpty()) {
      throw new CosmosConfigException("Option '" + key + "' is set but empty.");
    }
    return text.trim();
  }

  /** The short name, used in per-read options: {@code port}. */
  public String name() {
    return name;
  }

  /** The full key, used in the Spark configuration: {@code spark.cosmos.cassandra.port}. */
  public String key() {
    return PREFIX + name;
  }

  /** The type, as the documentation shows it. */
  public String type() {
    return type;
  }

  /** The default value, or null when there is none (or it is derived; see {@link #defaultText}). */
  public T defaultValue() {
    return defaultValue;
  }

  /** The default as the documentation shows it. */
  public String defaultText() {
    return defaultText;
  }

  /** What the option does, and why its default is what it is. */
  public String doc() {
    return doc;
  }

  /** Whether the value is a secret: never logged, shown or put in an exception. */
  public boolean isSecret() {
    return secret;
  }

  /** The plain {@code spark.cassandra.*} keys this option falls back to, in order. */
  public List<String> connectorFallbackKeys() {
    return connectorFallbackKeys;
  }

  /**
   * Whether the resolved value travels to executors in the connector's configuration (see {@link
   * CosmosCassandraConfig#encode()}); every option does unless its declaration says why not.
   */
  public boolean isCarried() {
    return notCarriedBecause == null;
  }

  /** Why the option's value does not travel to executors, or null when it does. */
  public String notCarriedBecause() {
    return notCarriedBecause;
  }

  T parse(String key, String text) {
    return parser.parse(key, text);
  }

  /** The text that {@link #parse} reads back as {@code value}. */
  String format(Object value) {
    return String.valueOf(value);
  }

  @Override
  public String toString() {
    return key();
  }

  static final class Builder<T> {
    private final String name;
    private final String type;
    private final Parser<T> parser;
    private T defaultValue;
    private String defaultText = "";
    private String doc = "";
    private boolean secret;
    private List<String> fallbackKeys = Collections.emptyList();
    private String notCarriedBecause;

    private Builder(String name, String type, Parser<T> parser) {
      this.name = name;
      this.type = type;
      this.parser = parser;
    }

    Builder<T> defaultValue(T value) {
      this.defaultValue = value;
      this.defaultText = String.valueOf(value);
      return this;
    }

    Builder<T> derivedDefault(String text) {
      this.defaultText = text;
      return this;
    }

    Builder<T> doc(String text) {
      this.doc = text;
      return this;
    }

    Builder<T> fallsBackTo(String... connectorKeys) {
      this.fallbackKeys = Collections.unmodifiableList(Arrays.asList(connectorKeys));
      return this;
    }

    /** The resolved value stays on the driver, for the reason given. */
    Builder<T> notCarried(String because) {
      this.notCarriedBecause = because;
      return this;
    }

    private Builder<T> secret() {
      this.secret = true;
      return this;
    }

    CosmosOption<T> build() {
      return new CosmosOption<>(
          name,
          type,
          defaultValue,
          defaultText,
          doc,
          secret,
          fallbackKeys,
          notCarriedBecause,
          parser);
    }
  }
}

package io.github.cosmosspark.examples;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An example's {@code name=value} arguments ({@code -Dexample.args="rows=1000 keyspace=demo"} with
 * Maven), each with a default.
 */
public final class ExampleArgs {
  private final Map<String, String> values;

  private ExampleArgs(Map<String, String> values) {
    this.values = values;
  }

  /** Reads {@code name=value} pairs; anything else is an error that says the expected form. */
  public static ExampleArgs parse(String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String arg : args) {
      if (arg.trim().isEmpty()) {
        continue;
      }
      int equals = arg.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException(
            "Arguments are name=value pairs, such as rows=1000; got '" + arg + "'.");
      }
      values.put(arg.substring(0, equals).trim(), arg.substring(equals + 1).trim());
    }
    return new ExampleArgs(values);
  }

  /**
   * The keyspace to work in: {@code keyspace=...}, else {@value ExampleAccount#DEFAULT_KEYSPACE}.
   */
  public String keyspace() {
    return string("keyspace", ExampleAccount.DEFAULT_KEYSPACE);
  }

  public String string(String name, String otherwise) {
    String value = values.get(name);
    return value == null || value.isEmpty() ? otherwise : value;
  }

  public int integer(String name, int otherwise) {
    String value = values.get(name);
    if (value == null || value.isEmpty()) {
      return otherwise;
    }
    try {
      int parsed = Integer.parseInt(value.replace("_", "").replace(",", ""));
      if (parsed <= 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Argument '" + name + "' must be a positive whole number, got '" + value + "'.");
    }
  }
}

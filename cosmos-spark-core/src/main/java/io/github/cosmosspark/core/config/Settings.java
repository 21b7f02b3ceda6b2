package io.github.cosmosspark.core.config;

import java.util.Map;

/**
 * Lookups in settings whose keys come in any case: SCC lower-cases per-read keys when it merges.
 */
public final class Settings {

  private Settings() {}

  /** The value under {@code key} in any case, or null. */
  public static String valueIgnoringCase(Map<String, String> settings, String key) {
    for (Map.Entry<String, String> entry : settings.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(key) && entry.getValue() != null) {
        return entry.getValue();
      }
    }
    return null;
  }
}

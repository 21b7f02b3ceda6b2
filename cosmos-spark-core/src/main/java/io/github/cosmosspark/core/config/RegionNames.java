package io.github.cosmosspark.core.config;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Azure region names as users write them. The portal shows display names ("West US 2"), Azure's
 * command line and ARM templates the programmatic names ("westus2"); both name the same region, so
 * names are compared ignoring case and spaces.
 */
public final class RegionNames {
  private RegionNames() {}

  /** The form two names of one region share: lower case, without spaces. */
  public static String normalize(String region) {
    StringBuilder normal = new StringBuilder(region.length());
    for (int i = 0; i < region.length(); i++) {
      char c = region.charAt(i);
      if (!Character.isWhitespace(c)) {
        normal.append(Character.toLowerCase(c));
      }
    }
    return normal.toString();
  }

  /** Whether {@code a} and {@code b} name the same region. */
  public static boolean same(String a, String b) {
    return normalize(a).equals(normalize(b));
  }

  /**
   * The regions of a comma-separated list, trimmed, in order.
   *
   * @throws CosmosConfigException naming {@code key} for an empty list, an empty entry or a region
   *     named twice
   */
  public static List<String> parseList(String key, String text) {
    Map<String, String> regions = new LinkedHashMap<>();
    for (String part : text.split(",", -1)) {
      String region = part.trim();
      if (region.isEmpty()) {
        throw new CosmosConfigException(
            "Option '"
                + key
                + "' must be a comma-separated list of Azure region names, such as 'East US,"
                + " West Europe', got '"
                + text
                + "' (an empty name).");
      }
      String previous = regions.put(normalize(region), region);
      if (previous != null) {
        throw new CosmosConfigException(
            "Option '"
                + key
                + "' names region '"
                + region
                + "' twice (as '"
                + previous
                + "' and '"
                + region
                + "'; case and spaces are ignored). Name each region once, in the order to try"
                + " them.");
      }
    }
    return Collections.unmodifiableList(new ArrayList<>(regions.values()));
  }
}

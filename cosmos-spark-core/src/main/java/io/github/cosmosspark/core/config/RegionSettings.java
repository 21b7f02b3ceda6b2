package io.github.cosmosspark.core.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where a session sends reads and writes on an account with several regions: the regions to read
 * from first, in order, and whether every region accepts writes. Free of Spark and SCC types, for
 * the driver's load-balancing policy.
 */
public final class RegionSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * No preferred region, writes to the write region only: the behaviour of a one-region account.
   */
  public static final RegionSettings DEFAULTS =
      new RegionSettings(null, Collections.<String>emptyList(), false);

  private final String account;
  private final List<String> preferredRegions;
  private final boolean multiRegionWrites;
  private final String preferredRegionsKey;

  /**
   * @param account the account's name, for messages; null when not known
   * @param preferredRegions the regions to read from first, in order, as the user wrote them
   */
  public RegionSettings(String account, List<String> preferredRegions, boolean multiRegionWrites) {
    this(account, preferredRegions, multiRegionWrites, CosmosOptions.PREFERRED_REGIONS.key());
  }

  /**
   * @param preferredRegionsKey the setting the preferred regions came from, for messages: {@code
   *     preferredRegions}, or SCC's {@code localDC} standing in for it
   */
  public RegionSettings(
      String account,
      List<String> preferredRegions,
      boolean multiRegionWrites,
      String preferredRegionsKey) {
    this.account = account;
    this.preferredRegions = Collections.unmodifiableList(new ArrayList<>(preferredRegions));
    this.multiRegionWrites = multiRegionWrites;
    this.preferredRegionsKey = preferredRegionsKey;
  }

  /** The setting the preferred regions came from, to name in messages. */
  public String preferredRegionsKey() {
    return preferredRegionsKey;
  }

  /** The account's name, or null when not known (the plain SCC format). */
  public String account() {
    return account;
  }

  /** The regions to read from first (and to write to first with multi-region writes), in order. */
  public List<String> preferredRegions() {
    return preferredRegions;
  }

  /** Whether the account accepts writes in every region. */
  public boolean multiRegionWrites() {
    return multiRegionWrites;
  }

  @Override
  public String toString() {
    return "preferredRegions="
        + preferredRegions
        + ", multiRegionWrites="
        + multiRegionWrites
        + (account == null ? "" : ", account=" + account);
  }
}

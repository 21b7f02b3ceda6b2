package io.github.cosmosspark.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Region names as users write them: the portal's display names or Azure CLI's. */
class RegionNamesTest {

  @Test
  void aDisplayNameAndAProgrammaticNameAreTheSameRegion() {
    assertTrue(RegionNames.same("West US 2", "westus2"));
    assertTrue(RegionNames.same(" North  Europe ", "NORTHEUROPE"));
    assertEquals("westus2", RegionNames.normalize("West US 2"));
  }

  @Test
  void aListKeepsItsOrderAndTheNamesAsWritten() {
    assertEquals(
        Arrays.asList("East US", "westeurope", "West US 2"),
        RegionNames.parseList("k", " East US,westeurope , West US 2"));
  }

  @Test
  void anEmptyNameIsRefusedNamingTheOption() {
    CosmosConfigException error =
        assertThrows(CosmosConfigException.class, () -> RegionNames.parseList("k", "East US,,"));
    assertEquals(
        "Option 'k' must be a comma-separated list of Azure region names, such as 'East US,"
            + " West Europe', got 'East US,,' (an empty name).",
        error.getMessage());
  }

  @Test
  void aRegionNamedTwiceIsRefused() {
    CosmosConfigException error =
        assertThrows(
            CosmosConfigException.class, () -> RegionNames.parseList("k", "West US 2, westus2"));
    assertEquals(
        "Option 'k' names region 'westus2' twice (as 'West US 2' and 'westus2'; case and spaces"
            + " are ignored). Name each region once, in the order to try them.",
        error.getMessage());
  }

  @Test
  void theOptionsResolveIntoRegionSettings() {
    Map<String, String> options = new HashMap<>();
    options.put("account", "acct");
    options.put("password", "k");
    options.put("preferredRegions", "East US,  westeurope");
    options.put("multiRegionWrites", "true");
    RegionSettings regions = CosmosCassandraConfig.resolve(options, new HashMap<>()).regions();
    assertEquals(Arrays.asList("East US", "westeurope"), regions.preferredRegions());
    assertTrue(regions.multiRegionWrites());
    assertEquals("acct", regions.account());

    options.remove("preferredRegions");
    options.remove("multiRegionWrites");
    RegionSettings none = CosmosCassandraConfig.resolve(options, new HashMap<>()).regions();
    assertEquals(Collections.emptyList(), none.preferredRegions());
    assertEquals(false, none.multiRegionWrites());
  }
}

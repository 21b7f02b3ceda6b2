package io.github.cosmosspark.testkit.emulator;

/**
 * Cosmos DB's built-in data-plane roles for the Cassandra API, which an account assigns to a
 * Microsoft Entra principal. Their ids and actions are Microsoft's ("Azure Cosmos DB for Apache
 * Cassandra data plane security reference" on Microsoft Learn); their display names have changed
 * over time (docs/cosmos-behaviour.md), so the ids are what identify them.
 */
public enum DataPlaneRole {
  /** Reads rows, runs queries and reads the change feed; no writes, no schema changes. */
  DATA_READER("00000000-0000-0000-0000-000000000003", "Cosmos DB Built-in Data Reader"),
  /** Everything the reader may do, and writes, schema changes and throughput changes. */
  DATA_CONTRIBUTOR("00000000-0000-0000-0000-000000000004", "Cosmos DB Built-in Data Contributor");

  private final String id;
  private final String displayName;

  DataPlaneRole(String id, String displayName) {
    this.id = id;
    this.displayName = displayName;
  }

  /** The role definition's id. */
  public String id() {
    return id;
  }

  /** The name Microsoft's reference page gives it. */
  public String displayName() {
    return displayName;
  }

  boolean writes() {
    return this == DATA_CONTRIBUTOR;
  }
}

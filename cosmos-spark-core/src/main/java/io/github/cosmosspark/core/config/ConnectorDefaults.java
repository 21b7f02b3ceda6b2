package io.github.cosmosspark.core.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The Spark Cassandra Connector settings that suit Cosmos better than SCC's own defaults, in one
 * place so that throughput control can size them later. Each applies only when the user has not set
 * the key.
 */
public final class ConnectorDefaults {

  /** One SCC setting with the value Cosmos wants and the reason. */
  public static final class Setting {
    private final String key;
    private final String value;
    private final String reason;

    Setting(String key, String value, String reason) {
      this.key = key;
      this.value = value;
      this.reason = reason;
    }

    public String key() {
      return key;
    }

    public String value() {
      return value;
    }

    public String reason() {
      return reason;
    }
  }

  private static final List<Setting> ALL =
      Collections.unmodifiableList(
          Arrays.asList(
              new Setting(
                  "spark.cassandra.output.batch.size.rows",
                  "1",
                  "Cosmos charges every row of a batch and has no coordinator to split one across"
                      + " partitions; one row per statement keeps each request small, and lets a"
                      + " rate-limited request be resent alone."),
              new Setting(
                  "spark.cassandra.connection.keepAliveMS",
                  "60000",
                  "SCC closes a session 5 s after its last use; reopening it to Cosmos costs a"
                      + " TLS handshake across the network for every task wave."),
              new Setting(
                  "spark.cassandra.connection.timeoutMS",
                  "10000",
                  "A TLS connection to a remote Azure region can take longer than SCC's 5 s.")));

  private ConnectorDefaults() {}

  /** Every setting, in documentation order. */
  public static List<Setting> all() {
    return ALL;
  }
}

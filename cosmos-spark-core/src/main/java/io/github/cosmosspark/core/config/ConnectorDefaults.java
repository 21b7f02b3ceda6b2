package io.github.cosmosspark.core.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The Spark Cassandra Connector settings that suit Cosmos better than SCC's own defaults, in one
 * place so that throughput control can size them later. Each applies only when the user has not set
 * the key.
 *
 * <p>{@code spark.cassandra.connection.keepAliveMS} is not among them: SCC 3.5 keeps an unused
 * session for an hour, and the 60 s once set here (against SCC 2's 5 s) made a notebook that paused
 * a minute between cells open a new session, with new connections, for the next cell.
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
                  "spark.cassandra.connection.timeoutMS",
                  "10000",
                  "A TLS connection to a remote Azure region can take longer than SCC's 5 s.")));

  private ConnectorDefaults() {}

  /** Every setting, in documentation order. */
  public static List<Setting> all() {
    return ALL;
  }
}

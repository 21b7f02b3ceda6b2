package io.github.cosmosspark.core.datasource.read;

import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOption;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.Settings;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A read's {@code changeFeed.*} options, checked. They are taken from the read's own options only:
 * set in the Spark configuration, {@code changeFeed.startFrom} would turn every batch read of every
 * table into a read of its change feed, so there they are refused.
 */
final class ChangeFeedOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  static final List<CosmosOption<?>> ALL =
      Arrays.<CosmosOption<?>>asList(
          CosmosOptions.CHANGE_FEED_START_FROM,
          CosmosOptions.CHANGE_FEED_END_AT,
          CosmosOptions.CHANGE_FEED_MAX_ROWS_PER_TRIGGER,
          CosmosOptions.CHANGE_FEED_WRITE_TIMES);

  /** {@code beginning}, {@code now} or an instant, as the option reads it back; null if not set. */
  final String startFrom;

  final String endAt;
  final Integer maxRowsPerTrigger;
  final boolean writeTimes;

  private ChangeFeedOptions(
      String startFrom, String endAt, Integer maxRowsPerTrigger, boolean writeTimes) {
    this.startFrom = startFrom;
    this.endAt = endAt;
    this.maxRowsPerTrigger = maxRowsPerTrigger;
    this.writeTimes = writeTimes;
  }

  /**
   * The read's change-feed options.
   *
   * @param readOptions the read's own options (short names or full keys, any case)
   * @param configured the Spark configuration the read sees, where these options are refused
   */
  static ChangeFeedOptions of(Map<String, String> readOptions, Map<String, String> configured) {
    for (CosmosOption<?> option : ALL) {
      if (Settings.valueIgnoringCase(configured, option.key()) != null) {
        throw new CosmosConfigException(
            option.key()
                + " is set in the Spark configuration. The change feed's options apply to one"
                + " read: set them with .option(\""
                + option.name()
                + "\", ...) on the read (or in OPTIONS of a SQL view), and remove "
                + option.key()
                + " from the configuration.");
      }
    }
    Boolean writeTimes =
        CosmosCassandraConfig.givenIn(readOptions, CosmosOptions.CHANGE_FEED_WRITE_TIMES);
    return new ChangeFeedOptions(
        CosmosCassandraConfig.givenIn(readOptions, CosmosOptions.CHANGE_FEED_START_FROM),
        CosmosCassandraConfig.givenIn(readOptions, CosmosOptions.CHANGE_FEED_END_AT),
        CosmosCassandraConfig.givenIn(readOptions, CosmosOptions.CHANGE_FEED_MAX_ROWS_PER_TRIGGER),
        writeTimes == null ? CosmosOptions.CHANGE_FEED_WRITE_TIMES.defaultValue() : writeTimes);
  }

  /** Whether any {@code changeFeed.*} option is set: the read is then one of the change feed. */
  static boolean anyIn(Map<String, String> readOptions) {
    for (CosmosOption<?> option : ALL) {
      if (Settings.valueIgnoringCase(readOptions, option.name()) != null
          || Settings.valueIgnoringCase(readOptions, option.key()) != null) {
        return true;
      }
    }
    return false;
  }

  /** For a batch read: refuses what only streams take, and an end without a start. */
  void checkForBatch() {
    if (maxRowsPerTrigger != null) {
      throw new CosmosConfigException(
          CosmosOptions.CHANGE_FEED_MAX_ROWS_PER_TRIGGER.name()
              + " applies to streaming reads (spark.readStream) only; a batch read of the change"
              + " feed reads every change from changeFeed.startFrom to changeFeed.endAt. Remove"
              + " it.");
    }
    if (startFrom == null) {
      throw new CosmosConfigException(
          "changeFeed.* options are set on a batch read without "
              + CosmosOptions.CHANGE_FEED_START_FROM.name()
              + ", which makes it a read of the change feed; without it the read is a scan of"
              + " the table, which these options do not apply to. Set "
              + CosmosOptions.CHANGE_FEED_START_FROM.name()
              + " ('beginning', 'now' or an ISO-8601 instant) or remove them.");
    }
    if (endAt != null && !writeTimes) {
      throw new CosmosConfigException(
          CosmosOptions.CHANGE_FEED_END_AT.name()
              + " needs the rows' write times, which changeFeed.writeTimes=false turns off."
              + " Remove one of them.");
    }
  }

  /** For a streaming read: refuses what only batch reads take. */
  void checkForStream() {
    if (endAt != null) {
      throw new CosmosConfigException(
          CosmosOptions.CHANGE_FEED_END_AT.name()
              + " applies to batch reads only: a streaming read of the change feed does not end."
              + " To stop once it has caught up, run it with Trigger.AvailableNow().");
    }
  }

  /**
   * The start, as a time ({@code now} is {@code now}); null for {@code beginning} (the default of a
   * stream); refused in the future.
   */
  Instant startTime(Instant now) {
    String start = startFrom == null ? "beginning" : startFrom;
    if (start.equals("beginning")) {
      return null;
    }
    Instant time = start.equals("now") ? now : Instant.parse(start);
    if (time.isAfter(now)) {
      throw new CosmosConfigException(
          CosmosOptions.CHANGE_FEED_START_FROM.name()
              + " is "
              + start
              + ", which is in the future (now is "
              + now
              + "). Give a time in the past, 'now' or 'beginning'.");
    }
    return time;
  }

  /** The end of a batch read, no earlier than its start; null for {@code now}. */
  Instant endTime(Instant start, Instant now) {
    if (endAt == null || endAt.equals("now")) {
      return null;
    }
    Instant end = Instant.parse(endAt);
    if (start != null && end.isBefore(start)) {
      throw new CosmosConfigException(
          CosmosOptions.CHANGE_FEED_END_AT.name()
              + " ("
              + end
              + ") is before "
              + CosmosOptions.CHANGE_FEED_START_FROM.name()
              + " ("
              + start
              + "). Give an end after the start.");
    }
    return end.isAfter(now) ? null : end;
  }
}

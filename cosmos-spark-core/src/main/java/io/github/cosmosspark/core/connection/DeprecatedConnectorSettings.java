package io.github.cosmosspark.core.connection;

import com.datastax.spark.connector.util.ConfigParameter$;
import com.datastax.spark.connector.util.DeprecatedConfigParameter;
import com.datastax.spark.connector.util.DeprecatedConfigParameter$;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.config.WarnOnce;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark Cassandra Connector's deprecated setting names that it maps to a replacement itself
 * (SCC 2.x's {@code spark.cassandra.connection.keep_alive_ms} to {@code keepAliveMS}, {@code
 * input.split.size_in_mb} to {@code split.sizeInMB}, ...), put under their new names before SCC
 * sees them.
 *
 * <p>SCC maps such a name on the copy of the configuration it builds for each read, write, catalog
 * command and schema look-up, and warns on every copy, while the configuration it copies from keeps
 * the old name: a notebook's ten commands printed the same warning 42 times per name. Renamed here,
 * in the live Spark configuration, the session's and a read's options, the value applies as SCC
 * would apply it and the warning ({@link LegacySettings#renamedByConnector}) is said once per name
 * and JVM. The list is SCC's own ({@code DeprecatedConfigParameter}); names SCC refuses outright
 * (no replacement) are left to its own error.
 */
public final class DeprecatedConnectorSettings {

  private DeprecatedConnectorSettings() {}

  /** SCC's renamed settings, read from SCC when first asked for. */
  private static final class Known {
    static final List<DeprecatedConfigParameter<?>> RENAMED = read();
  }

  private static List<DeprecatedConfigParameter<?>> read() {
    // Touching SCC's configuration objects declares all their parameters, deprecated ones too.
    ConfigParameter$.MODULE$.ConfObjects();
    List<DeprecatedConfigParameter<?>> renamed = new ArrayList<>();
    scala.collection.Iterator<DeprecatedConfigParameter<?>> all =
        DeprecatedConfigParameter$.MODULE$.deprecatedParameters().iterator();
    while (all.hasNext()) {
      DeprecatedConfigParameter<?> parameter = all.next();
      if (parameter.replacementParameter().isDefined()) {
        renamed.add(parameter);
      }
    }
    return Collections.unmodifiableList(renamed);
  }

  /**
   * Renames in the application's live Spark configuration (what SCC's own APIs and every later copy
   * read) and in {@code session}'s configuration, in place.
   */
  public static void renameIn(SparkSession session, WarnOnce warnings) {
    SparkConf live = SparkEnv.get() != null ? SparkEnv.get().conf() : null;
    if (live != null) {
      renameIn(live, warnings);
    }
    RuntimeConfig conf = session.conf();
    for (DeprecatedConfigParameter<?> parameter : Known.RENAMED) {
      if (conf.contains(parameter.name())) {
        String replacement = replacementName(parameter);
        conf.set(replacement, newValue(parameter, conf.get(parameter.name()), warnings));
        conf.unset(parameter.name());
      }
    }
  }

  /** Renames in {@code conf}, in place. */
  public static void renameIn(SparkConf conf, WarnOnce warnings) {
    for (DeprecatedConfigParameter<?> parameter : Known.RENAMED) {
      if (conf.contains(parameter.name())) {
        conf.set(
            replacementName(parameter), newValue(parameter, conf.get(parameter.name()), warnings));
        conf.remove(parameter.name());
      }
    }
  }

  /**
   * {@code options} (a read's or a catalog's, keys in any case, as SCC reads them) with the old
   * names renamed; a copy.
   */
  public static Map<String, String> renamed(Map<String, String> options, WarnOnce warnings) {
    Map<String, String> renamed = new LinkedHashMap<>(options);
    for (DeprecatedConfigParameter<?> parameter : Known.RENAMED) {
      String old = parameter.name().toLowerCase(Locale.ROOT);
      for (Map.Entry<String, String> option : options.entrySet()) {
        if (option.getKey().toLowerCase(Locale.ROOT).equals(old)) {
          renamed.remove(option.getKey());
          // As SCC does: the old name's value wins over the new name's.
          renamed.put(replacementName(parameter), newValue(parameter, option.getValue(), warnings));
        }
      }
    }
    return renamed;
  }

  /** The name SCC replaces {@code key} with (any case), or null when it does not rename it. */
  public static String replacementOf(String key) {
    for (DeprecatedConfigParameter<?> parameter : Known.RENAMED) {
      if (parameter.name().equalsIgnoreCase(key)) {
        return replacementName(parameter);
      }
    }
    return null;
  }

  private static String replacementName(DeprecatedConfigParameter<?> parameter) {
    return parameter.replacementParameter().get().name();
  }

  private static String newValue(
      DeprecatedConfigParameter<?> parameter, String value, WarnOnce warnings) {
    LegacySettings.renamedByConnector(
        parameter.name(), replacementName(parameter), parameter.deprecatedSince(), warnings);
    return parameter.replacementMethod().apply(value);
  }
}

package io.github.cosmosspark.core.datasource;

import com.datastax.spark.connector.util.ConfigParameter$;
import com.datastax.spark.connector.util.DeprecatedConfigParameter;
import com.datastax.spark.connector.util.DeprecatedConfigParameter$;
import io.github.cosmosspark.core.config.ConnectorNames;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.cassandra.DefaultSource$;
import scala.collection.JavaConverters;

/**
 * What the Spark Cassandra Connector reads, from the connector itself: every setting it declares
 * (its {@code ConfigParameter}s, which include the per-read {@code ttl}, {@code writetime}, {@code
 * directJoinSetting}, ..., and the deprecated names it maps itself), the options its source reads
 * by name, and our connection factory's keys.
 */
final class ConnectorKeys {

  private ConnectorKeys() {}

  /** SCC's names, read from SCC when first asked for; they cannot change while the JVM runs. */
  private static final class Known {
    static final ConnectorNames NAMES = read();
  }

  private static void declare(String scalaObject) {
    try {
      Class.forName(scalaObject, true, ConnectorKeys.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      // Not in this SCC version: nothing to declare.
    }
  }

  /**
   * The SCC 2.x names SCC 3 maps to {@code setting} itself (such as {@code
   * spark.cassandra.input.fetch.size_in_rows} for {@code spark.cassandra.input.fetch.sizeInRows}),
   * in any case; the user who sets one of them has set {@code setting}.
   */
  static List<String> oldNamesOf(String setting) {
    get(); // declares SCC's parameters, deprecated ones included
    List<String> oldNames = new ArrayList<>();
    scala.collection.Iterator<DeprecatedConfigParameter<?>> deprecated =
        DeprecatedConfigParameter$.MODULE$.deprecatedParameters().iterator();
    while (deprecated.hasNext()) {
      DeprecatedConfigParameter<?> parameter = deprecated.next();
      if (parameter.replacementParameter().isDefined()
          && parameter.replacementParameter().get().name().equalsIgnoreCase(setting)) {
        oldNames.add(parameter.name());
      }
    }
    return oldNames;
  }

  static ConnectorNames get() {
    return Known.NAMES;
  }

  private static ConnectorNames read() {
    // Touching SCC's configuration objects declares all their parameters; the SQL context's
    // one (spark.cassandra.sql.cluster) is declared in an object ConfObjects leaves out.
    ConfigParameter$.MODULE$.ConfObjects();
    declare("org.apache.spark.sql.cassandra.package$CassandraSQLContextParams$");
    List<String> settings = new ArrayList<>();
    settings.addAll(
        JavaConverters.seqAsJavaListConverter(ConfigParameter$.MODULE$.names()).asJava());
    settings.addAll(
        JavaConverters.seqAsJavaListConverter(DeprecatedConfigParameter$.MODULE$.names()).asJava());
    settings.addAll(
        JavaConverters.setAsJavaSetConverter(new CosmosConnectionFactory().properties()).asJava());
    DefaultSource$ source = DefaultSource$.MODULE$;
    return ConnectorNames.of(
        settings,
        Arrays.asList(
            source.CassandraDataSourceKeyspaceNameProperty(),
            source.CassandraDataSourceTableNameProperty(),
            source.CassandraDataSourceClusterNameProperty(),
            source.CassandraDataSourcePushdownEnableProperty(),
            source.CassandraDataSourceConfirmTruncateProperty()));
  }
}

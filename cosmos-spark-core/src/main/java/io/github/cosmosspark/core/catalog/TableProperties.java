package io.github.cosmosspark.core.catalog;

import com.datastax.oss.driver.api.core.metadata.schema.ClusteringOrder;
import com.datastax.oss.driver.internal.core.metadata.schema.parsing.RelationParser;
import com.datastax.spark.connector.datasource.CassandraSourceUtil;
import io.github.cosmosspark.core.datasource.CosmosCassandraTableProvider;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.spark.sql.connector.catalog.TableCatalog;

/**
 * The TBLPROPERTIES of a CREATE TABLE or ALTER TABLE, checked as a whole before any statement is
 * sent: keys (partition and clustering), Cassandra table options, Cosmos throughput.
 */
final class TableProperties {
  static final String PARTITION_KEY = "partition_key";
  static final String CLUSTERING_KEY = "clustering_key";

  /** The table options the driver knows, as SCC's own catalog takes them. */
  private static final Set<String> CASSANDRA_OPTIONS = cassandraOptions();

  /** Spark adds these to every CREATE TABLE; they mean nothing to Cassandra. */
  private static final Set<String> SPARK_ADDED =
      new HashSet<>(
          Arrays.asList(
              TableCatalog.PROP_OWNER,
              TableCatalog.PROP_EXTERNAL,
              TableCatalog.PROP_IS_MANAGED_LOCATION));

  private static final Set<String> PROVIDERS =
      new HashSet<>(
          Arrays.asList(
              CosmosCassandraTableProvider.SHORT_NAME,
              "cassandra",
              "org.apache.spark.sql.cassandra",
              CosmosCassandraTableProvider.class.getName().toLowerCase(Locale.ROOT)));

  private static final Pattern WHOLE = Pattern.compile("-?\\d{1,9}");
  private static final Pattern DECIMAL = Pattern.compile("-?\\d+\\.\\d+");

  final List<String> partitionKey;
  final Map<String, ClusteringOrder> clustering;
  final Map<String, Object> cassandraOptions;
  final Throughput throughput;

  private TableProperties(
      List<String> partitionKey,
      Map<String, ClusteringOrder> clustering,
      Map<String, Object> cassandraOptions,
      Throughput throughput) {
    this.partitionKey = partitionKey;
    this.clustering = clustering;
    this.cassandraOptions = cassandraOptions;
    this.throughput = throughput;
  }

  /** The properties of CREATE TABLE; {@code where} names the statement in errors. */
  static TableProperties forCreate(Map<String, String> properties, String where) {
    List<String> partitionKey = Collections.emptyList();
    Map<String, ClusteringOrder> clustering = new LinkedHashMap<>();
    Map<String, Object> options = new LinkedHashMap<>();
    for (Map.Entry<String, String> property : properties.entrySet()) {
      String key = property.getKey().toLowerCase(Locale.ROOT);
      String value = property.getValue();
      if (key.equals(PARTITION_KEY)) {
        partitionKey = names(value);
      } else if (key.equals(CLUSTERING_KEY)) {
        clustering = clustering(value, where);
      } else if (key.equals(TableCatalog.PROP_PROVIDER)) {
        checkProvider(value, where);
      } else if (key.equals(TableCatalog.PROP_LOCATION)) {
        throw new CosmosConfigException(
            where + " has a LOCATION, but a Cosmos table has no location: remove it.");
      } else if (!isIgnored(key) && !Throughput.isThroughputKey(key)) {
        options.put(key, cassandraOption(key, value, where));
      }
    }
    return new TableProperties(
        partitionKey, clustering, options, Throughput.fromProperties(properties, where));
  }

  /** The properties of ALTER TABLE ... SET TBLPROPERTIES. */
  static TableProperties forAlter(Map<String, String> properties, String where) {
    Map<String, Object> options = new LinkedHashMap<>();
    for (Map.Entry<String, String> property : properties.entrySet()) {
      String key = property.getKey().toLowerCase(Locale.ROOT);
      if (key.equals(PARTITION_KEY) || key.equals(CLUSTERING_KEY)) {
        throw new CosmosConfigException(
            where
                + ": property '"
                + key
                + "' cannot change; a table's primary key is fixed when it is created. Create a"
                + " new table (CREATE TABLE ... AS SELECT) instead.");
      }
      if (!Throughput.isThroughputKey(key)) {
        options.put(key, cassandraOption(key, property.getValue(), where));
      }
    }
    return new TableProperties(
        Collections.<String>emptyList(),
        Collections.<String, ClusteringOrder>emptyMap(),
        options,
        Throughput.fromProperties(properties, where));
  }

  private static boolean isIgnored(String key) {
    return SPARK_ADDED.contains(key) || key.startsWith(TableCatalog.OPTION_PREFIX);
  }

  private static void checkProvider(String provider, String where) {
    if (provider != null && !PROVIDERS.contains(provider.toLowerCase(Locale.ROOT))) {
      throw new CosmosConfigException(
          where
              + " says USING "
              + provider
              + ", but this catalog holds Cosmos tables only: say USING "
              + CosmosCassandraTableProvider.SHORT_NAME
              + " or leave USING out.");
    }
  }

  /** The value as CQL wants it: numbers unquoted, maps as maps, anything else as text. */
  private static Object cassandraOption(String key, String value, String where) {
    if (!CASSANDRA_OPTIONS.contains(key)) {
      throw new CosmosConfigException(
          where
              + ": unknown table property '"
              + key
              + "'. Use "
              + Throughput.PROVISIONED
              + " or "
              + Throughput.AUTOSCALE
              + " for throughput, "
              + PARTITION_KEY
              + " / "
              + CLUSTERING_KEY
              + " for keys, or a Cassandra table option: "
              + new TreeSet<>(CASSANDRA_OPTIONS)
              + ".");
    }
    String trimmed = value.trim();
    if (WHOLE.matcher(trimmed).matches()) {
      return Integer.valueOf(trimmed);
    }
    if (DECIMAL.matcher(trimmed).matches()) {
      return Double.valueOf(trimmed);
    }
    return CassandraSourceUtil.parseProperty(value);
  }

  private static List<String> names(String text) {
    List<String> names = new ArrayList<>();
    for (String name : text.split(",")) {
      if (!name.trim().isEmpty()) {
        names.add(name.trim());
      }
    }
    return names;
  }

  /** {@code "a, b.DESC"}: columns in order, each ascending unless it says otherwise. */
  private static Map<String, ClusteringOrder> clustering(String text, String where) {
    Map<String, ClusteringOrder> clustering = new LinkedHashMap<>();
    for (String column : names(text)) {
      String[] parts = column.split("\\.");
      ClusteringOrder order = ClusteringOrder.ASC;
      if (parts.length == 2) {
        String direction = parts[1].trim().toUpperCase(Locale.ROOT);
        if (!direction.equals("ASC") && !direction.equals("DESC")) {
          throw new CosmosConfigException(
              where
                  + ": property '"
                  + CLUSTERING_KEY
                  + "' has '"
                  + column
                  + "'; a clustering column's order is ASC or DESC, as in 'ts.DESC'.");
        }
        order = ClusteringOrder.valueOf(direction);
      } else if (parts.length != 1) {
        throw new CosmosConfigException(
            where
                + ": property '"
                + CLUSTERING_KEY
                + "' has '"
                + column
                + "'; write 'column' or 'column.ASC' / 'column.DESC', separated by commas.");
      }
      clustering.put(parts[0].trim(), order);
    }
    return clustering;
  }

  private static Set<String> cassandraOptions() {
    Set<String> options = new HashSet<>();
    for (String option : RelationParser.OPTION_CODECS.keySet()) {
      options.add(option.toLowerCase(Locale.ROOT));
    }
    return Collections.unmodifiableSet(options);
  }
}

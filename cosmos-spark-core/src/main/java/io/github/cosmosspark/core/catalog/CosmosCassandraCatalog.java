package io.github.cosmosspark.core.catalog;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultProtocolVersion;
import com.datastax.oss.driver.api.core.metadata.schema.ClusteringOrder;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.querybuilder.SchemaBuilder;
import com.datastax.oss.driver.api.querybuilder.schema.AlterKeyspace;
import com.datastax.oss.driver.api.querybuilder.schema.AlterTableWithOptionsEnd;
import com.datastax.oss.driver.api.querybuilder.schema.CreateKeyspace;
import com.datastax.oss.driver.api.querybuilder.schema.CreateTable;
import com.datastax.oss.driver.api.querybuilder.schema.CreateTableWithOptions;
import com.datastax.oss.driver.api.querybuilder.schema.OngoingPartitionKey;
import com.datastax.spark.connector.cql.CassandraConnector;
import com.datastax.spark.connector.datasource.CassandraCatalog;
import com.datastax.spark.connector.datasource.CassandraSourceUtil;
import io.github.cosmosspark.core.compat.ConnectorVersionCheck;
import io.github.cosmosspark.core.compat.ScalaMaps;
import io.github.cosmosspark.core.datasource.CatalogConnectorOptions;
import io.github.cosmosspark.core.datasource.CosmosCassandraTable;
import io.github.cosmosspark.core.datasource.CosmosCassandraTableProvider;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.throughput.ProvisionedThroughput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NamespaceAlreadyExistsException;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.NonEmptyNamespaceException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.NamespaceChange;
import org.apache.spark.sql.connector.catalog.SupportsNamespaces;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Spark SQL catalog of Cosmos keyspaces and tables: {@code
 * spark.sql.catalog.cosmos=io.github.cosmosspark.core.catalog.CosmosCassandraCatalog}, with the
 * account in {@code spark.sql.catalog.cosmos.*} (the format's option names) or in {@code
 * spark.cosmos.cassandra.*}.
 *
 * <p>SCC's {@link CassandraCatalog} lists, loads metadata, drops and changes columns. This class
 * adds what Cosmos needs and SCC lacks: keyspaces and tables created and altered with their
 * throughput ({@code cosmosdb_provisioned_throughput}, {@code cosmosdb_autoscale_max_throughput}),
 * every property checked before a statement is sent, and tables loaded through the {@code
 * cosmoscassandra} format so reads and writes get its connections, retries and throughput control.
 */
public final class CosmosCassandraCatalog implements TableCatalog, SupportsNamespaces {
  /** Shown in a table's or keyspace's properties: where the throughput shown there comes from. */
  static final String THROUGHPUT_SOURCE = "cosmosdb_throughput_source";

  private static final Logger LOG = LoggerFactory.getLogger(CosmosCassandraCatalog.class);

  private final CassandraCatalog connectorCatalog = new CassandraCatalog();
  private final CosmosCassandraTableProvider format = new CosmosCassandraTableProvider();
  private String name;
  private Map<String, String> options;
  private CassandraConnector connector;

  @Override
  public void initialize(String name, CaseInsensitiveStringMap options) {
    // Spark creates catalogs before any query: another SCC on the classpath gets named here.
    ConnectorVersionCheck.verify();
    this.name = name;
    this.options = new HashMap<>(options.asCaseSensitiveMap());
    Map<String, String> translated = CatalogConnectorOptions.translate(this.options);
    connectorCatalog.initialize(name, new CaseInsensitiveStringMap(translated));
    SparkSession session = SparkSession.active();
    // The same connector SCC's catalog and the format build, so that they share one session: SCC
    // looks a command's options up by lower-case key, as Spark's option maps hold them; given in
    // their own case, the format's connection settings (timeoutMS, ...) were dropped, and the
    // different configuration opened a session of its own.
    connector =
        CassandraConnector.apply(
            CassandraSourceUtil.consolidateConfs(
                session.sparkContext().getConf(),
                session.conf().getAll(),
                name,
                "",
                ScalaMaps.toImmutable(new CaseInsensitiveStringMap(translated))));
  }

  @Override
  public String name() {
    return name;
  }

  // Namespaces: keyspaces.

  @Override
  public String[][] listNamespaces() throws NoSuchNamespaceException {
    return connectorCatalog.listNamespaces();
  }

  @Override
  public String[][] listNamespaces(String[] namespace) throws NoSuchNamespaceException {
    return connectorCatalog.listNamespaces(namespace);
  }

  @Override
  public Map<String, String> loadNamespaceMetadata(String[] namespace)
      throws NoSuchNamespaceException {
    Map<String, String> metadata =
        new LinkedHashMap<>(connectorCatalog.loadNamespaceMetadata(namespace));
    String keyspace = keyspace(namespace);
    ProvisionedThroughput.Entry set = provisioned().find(keyspace);
    if (set != null) {
      metadata.put(key(set), Long.toString(set.ruPerSecond()));
      metadata.put(THROUGHPUT_SOURCE, setByThisApplication(set, "keyspace " + keyspace));
    } else {
      metadata.put(THROUGHPUT_SOURCE, unknown("keyspace " + keyspace));
    }
    return metadata;
  }

  @Override
  public void createNamespace(String[] namespace, Map<String, String> metadata)
      throws NamespaceAlreadyExistsException {
    String keyspace = keyspace(namespace);
    NamespaceProperties properties =
        NamespaceProperties.forCreate(metadata, "CREATE NAMESPACE " + name + "." + keyspace);
    if (connectorCatalog.namespaceExists(namespace)) {
      throw new NamespaceAlreadyExistsException(namespace);
    }
    CreateKeyspace create =
        properties.networkTopology
            ? SchemaBuilder.createKeyspace(CqlIdentifier.fromInternal(keyspace))
                .withNetworkTopologyStrategy(properties.datacenters)
            : SchemaBuilder.createKeyspace(CqlIdentifier.fromInternal(keyspace))
                .withSimpleStrategy(properties.replicationFactor);
    create = create.withDurableWrites(properties.durableWrites);
    if (properties.throughput != null) {
      create = create.withOption(properties.throughput.key(), properties.throughput.ruPerSecond());
    }
    execute(create.asCql());
    if (properties.throughput != null) {
      record(keyspace, properties.throughput);
    }
  }

  @Override
  public void alterNamespace(String[] namespace, NamespaceChange... changes)
      throws NoSuchNamespaceException {
    String keyspace = keyspace(namespace);
    Map<String, String> throughputProperties = new HashMap<>();
    List<NamespaceChange> others = new ArrayList<>();
    for (NamespaceChange change : changes) {
      if (change instanceof NamespaceChange.SetProperty
          && Throughput.isThroughputKey(((NamespaceChange.SetProperty) change).property())) {
        NamespaceChange.SetProperty set = (NamespaceChange.SetProperty) change;
        throughputProperties.put(set.property(), set.value());
      } else if (change instanceof NamespaceChange.RemoveProperty
          && Throughput.isThroughputKey(((NamespaceChange.RemoveProperty) change).property())) {
        throw cannotUnset(((NamespaceChange.RemoveProperty) change).property());
      } else {
        others.add(change);
      }
    }
    Throughput throughput =
        Throughput.fromProperties(throughputProperties, "ALTER NAMESPACE " + name + "." + keyspace);
    if (!connectorCatalog.namespaceExists(namespace)) {
      throw new NoSuchNamespaceException(namespace);
    }
    if (throughput != null) {
      AlterKeyspace alter =
          SchemaBuilder.alterKeyspace(CqlIdentifier.fromInternal(keyspace))
              .withOption(throughput.key(), throughput.ruPerSecond());
      execute(alter.asCql());
      record(keyspace, throughput);
    }
    if (!others.isEmpty()) {
      connectorCatalog.alterNamespace(namespace, others.toArray(new NamespaceChange[0]));
    }
  }

  /**
   * Unlike SCC's catalog, which drops a keyspace whatever it holds, a keyspace with tables is
   * dropped only with CASCADE, as Spark documents DROP NAMESPACE.
   */
  @Override
  public boolean dropNamespace(String[] namespace, boolean cascade)
      throws NoSuchNamespaceException, NonEmptyNamespaceException {
    String keyspace = keyspace(namespace);
    if (!cascade && connectorCatalog.listTables(namespace).length > 0) {
      throw new NonEmptyNamespaceException(namespace);
    }
    boolean dropped = connectorCatalog.dropNamespace(namespace, cascade);
    provisioned().forgetKeyspace(keyspace);
    return dropped;
  }

  // Tables.

  @Override
  public Identifier[] listTables(String[] namespace) throws NoSuchNamespaceException {
    return connectorCatalog.listTables(namespace);
  }

  /**
   * The table as the {@code cosmoscassandra} format opens it (Cosmos connections, retries, the
   * table's throughput budget), with the throughput this application set shown in its properties.
   */
  @Override
  public Table loadTable(Identifier ident) throws NoSuchTableException {
    String keyspace = keyspace(ident.namespace());
    Map<String, String> tableOptions = new HashMap<>(options);
    tableOptions.put("keyspace", keyspace);
    tableOptions.put("table", ident.name());
    // SCC's source throws NoSuchTableException for a missing table, as Spark expects.
    CosmosCassandraTable table =
        (CosmosCassandraTable) format.getTable(null, new Transform[0], tableOptions);
    return new CosmosCassandraTable(table, name, throughputProperties(keyspace, ident.name()));
  }

  @Override
  public Table createTable(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties)
      throws TableAlreadyExistsException, NoSuchNamespaceException {
    String keyspace = keyspace(ident.namespace());
    String where = "CREATE TABLE " + name + "." + keyspace + "." + ident.name();
    TableProperties table = TableProperties.forCreate(properties, where);
    List<String> partitionKey = partitionKey(partitions, table, where);
    Map<String, DataType> columns = new LinkedHashMap<>();
    for (StructField field : schema.fields()) {
      columns.put(
          field.name(),
          CassandraSourceUtil.sparkSqlToJavaDriverType(
              field.dataType(), DefaultProtocolVersion.V4));
    }
    for (String column : partitionKey) {
      requireColumn(column, columns, "a partition key column (PARTITIONED BY)", where);
    }
    for (String column : table.clustering.keySet()) {
      requireColumn(column, columns, "a clustering column ('clustering_key')", where);
    }
    if (!connectorCatalog.namespaceExists(ident.namespace())) {
      throw new NoSuchNamespaceException(ident.namespace());
    }
    if (connectorCatalog.tableExists(ident)) {
      throw new TableAlreadyExistsException(ident);
    }

    OngoingPartitionKey start =
        SchemaBuilder.createTable(
            CqlIdentifier.fromInternal(keyspace), CqlIdentifier.fromInternal(ident.name()));
    CreateTable create = null;
    for (String column : partitionKey) {
      create =
          (create == null ? start : create)
              .withPartitionKey(CqlIdentifier.fromInternal(column), columns.get(column));
    }
    for (String column : table.clustering.keySet()) {
      create = create.withClusteringColumn(CqlIdentifier.fromInternal(column), columns.get(column));
    }
    Set<String> keyColumns = new LinkedHashSet<>(partitionKey);
    keyColumns.addAll(table.clustering.keySet());
    for (Map.Entry<String, DataType> column : columns.entrySet()) {
      if (!keyColumns.contains(column.getKey())) {
        create = create.withColumn(CqlIdentifier.fromInternal(column.getKey()), column.getValue());
      }
    }
    CreateTableWithOptions withOptions = create;
    for (Map.Entry<String, ClusteringOrder> column : table.clustering.entrySet()) {
      withOptions =
          withOptions.withClusteringOrder(
              CqlIdentifier.fromInternal(column.getKey()), column.getValue());
    }
    for (Map.Entry<String, Object> option : table.cassandraOptions.entrySet()) {
      withOptions = withOptions.withOption(option.getKey(), option.getValue());
    }
    if (table.throughput != null) {
      withOptions = withOptions.withOption(table.throughput.key(), table.throughput.ruPerSecond());
    }
    execute(withOptions.asCql());
    if (table.throughput != null) {
      record(keyspace + "." + ident.name(), table.throughput);
    }
    return loadCreated(ident, where);
  }

  /**
   * The table just created. Loading it through the format refreshes the schema of a session that
   * has not yet heard of it, so a miss here means the table went again.
   */
  private Table loadCreated(Identifier ident, String where) {
    try {
      return loadTable(ident);
    } catch (NoSuchTableException gone) {
      throw new IllegalStateException(
          where + " succeeded, but the table was gone when it was loaded.", gone);
    }
  }

  /**
   * Properties first, in one ALTER TABLE (throughput and Cassandra options together), then column
   * changes through SCC's catalog. Every change is checked before the first statement is sent.
   */
  @Override
  public Table alterTable(Identifier ident, TableChange... changes) throws NoSuchTableException {
    String keyspace = keyspace(ident.namespace());
    String where = "ALTER TABLE " + name + "." + keyspace + "." + ident.name();
    Map<String, String> set = new LinkedHashMap<>();
    List<TableChange> columnChanges = new ArrayList<>();
    for (TableChange change : changes) {
      if (change instanceof TableChange.SetProperty) {
        TableChange.SetProperty property = (TableChange.SetProperty) change;
        set.put(property.property(), property.value());
      } else if (change instanceof TableChange.RemoveProperty) {
        throw cannotUnset(((TableChange.RemoveProperty) change).property());
      } else {
        columnChanges.add(change);
      }
    }
    TableProperties properties = TableProperties.forAlter(set, where);
    if (!connectorCatalog.tableExists(ident)) {
      throw new NoSuchTableException(ident);
    }
    if (!set.isEmpty()) {
      AlterTableWithOptionsEnd alter = null;
      for (Map.Entry<String, Object> option : properties.cassandraOptions.entrySet()) {
        alter =
            alter == null
                ? SchemaBuilder.alterTable(
                        CqlIdentifier.fromInternal(keyspace),
                        CqlIdentifier.fromInternal(ident.name()))
                    .withOption(option.getKey(), option.getValue())
                : alter.withOption(option.getKey(), option.getValue());
      }
      if (properties.throughput != null) {
        alter =
            alter == null
                ? SchemaBuilder.alterTable(
                        CqlIdentifier.fromInternal(keyspace),
                        CqlIdentifier.fromInternal(ident.name()))
                    .withOption(properties.throughput.key(), properties.throughput.ruPerSecond())
                : alter.withOption(
                    properties.throughput.key(), properties.throughput.ruPerSecond());
      }
      execute(alter.asCql());
      if (properties.throughput != null) {
        record(keyspace + "." + ident.name(), properties.throughput);
      }
    }
    if (!columnChanges.isEmpty()) {
      connectorCatalog.alterTable(ident, columnChanges.toArray(new TableChange[0]));
    }
    return loadTable(ident);
  }

  @Override
  public boolean dropTable(Identifier ident) {
    boolean dropped = connectorCatalog.dropTable(ident);
    provisioned().forget(keyspace(ident.namespace()) + "." + ident.name());
    return dropped;
  }

  @Override
  public void renameTable(Identifier oldIdent, Identifier newIdent) {
    connectorCatalog.renameTable(oldIdent, newIdent);
  }

  // Helpers.

  private void execute(String cql) {
    LOG.debug("Catalog {} runs: {}", name, cql);
    try (CqlSession session = connector.openSession()) {
      session.execute(cql);
    }
  }

  /** The throughput entries of a table's properties, labelled with where they come from. */
  private static Map<String, String> throughputProperties(String keyspace, String table) {
    Map<String, String> properties = new LinkedHashMap<>();
    ProvisionedThroughput.Entry own = provisioned().find(keyspace + "." + table);
    ProvisionedThroughput.Entry shared = provisioned().find(keyspace);
    if (own != null) {
      properties.put(key(own), Long.toString(own.ruPerSecond()));
      properties.put(THROUGHPUT_SOURCE, setByThisApplication(own, "table " + table));
    } else if (shared != null) {
      properties.put(
          "cosmosdb_keyspace_" + key(shared).substring("cosmosdb_".length()),
          Long.toString(shared.ruPerSecond()));
      properties.put(
          THROUGHPUT_SOURCE,
          setByThisApplication(shared, "keyspace " + keyspace)
              + " Whether this table shares it or has its own is not known here either.");
    } else {
      properties.put(THROUGHPUT_SOURCE, unknown("table " + keyspace + "." + table));
    }
    return properties;
  }

  /**
   * The one record of provisioned throughput, which the budget planner reads too: the session notes
   * what DDL provisions as it runs, and the catalog records its own statements there as well.
   */
  private static ProvisionedThroughput provisioned() {
    return CosmosRuntime.get().provisionedThroughput();
  }

  private static void record(String name, Throughput throughput) {
    provisioned().record(name, throughput.ruPerSecond(), throughput.autoscale());
  }

  /** The DDL property that sets throughput of the entry's kind. */
  private static String key(ProvisionedThroughput.Entry entry) {
    return entry.autoscale() ? Throughput.AUTOSCALE : Throughput.PROVISIONED;
  }

  private static String setByThisApplication(ProvisionedThroughput.Entry entry, String what) {
    return "set on "
        + what
        + " by DDL through this catalog in this Spark application at "
        + entry.at()
        + " ("
        + (entry.autoscale() ? "autoscale maximum" : "manual")
        + "). Cosmos cannot report throughput over CQL, so a change made elsewhere (portal, CLI,"
        + " another application) is not shown; the Azure portal shows the current value.";
  }

  private static String unknown(String what) {
    return "unknown: Cosmos cannot report the throughput of "
        + what
        + " over CQL, and no DDL through this catalog in this Spark application set it. The"
        + " Azure portal (Scale & Settings) shows it.";
  }

  private static CosmosConfigException cannotUnset(String property) {
    return new CosmosConfigException(
        "Property '"
            + property
            + "' cannot be unset: Cosmos and Cassandra keep a value for every table and keyspace"
            + " option. SET it to the value you want instead.");
  }

  private static String keyspace(String[] namespace) {
    if (namespace.length != 1) {
      throw new CosmosConfigException(
          "A Cosmos keyspace is one name, not '"
              + String.join(".", namespace)
              + "': write catalog.keyspace.table.");
    }
    return namespace[0];
  }

  private static List<String> partitionKey(
      Transform[] partitions, TableProperties table, String where) {
    List<String> columns = new ArrayList<>();
    for (Transform partition : partitions) {
      NamedReference[] references = partition.references();
      if (!partition.name().equals("identity") || references.length != 1) {
        throw new CosmosConfigException(
            where
                + ": PARTITIONED BY takes plain column names, not '"
                + partition.describe()
                + "'.");
      }
      columns.add(references[0].fieldNames()[0]);
    }
    if (!columns.isEmpty() && !table.partitionKey.isEmpty()) {
      throw new CosmosConfigException(
          where
              + " names the partition key twice, in PARTITIONED BY and in property '"
              + TableProperties.PARTITION_KEY
              + "': keep one.");
    }
    if (columns.isEmpty()) {
      columns = table.partitionKey;
    }
    if (columns.isEmpty()) {
      throw new CosmosConfigException(
          where
              + " has no partition key. Add PARTITIONED BY (column, ...) (or the property '"
              + TableProperties.PARTITION_KEY
              + "'='column, ...'); Cosmos distributes rows by it.");
    }
    return columns;
  }

  private static void requireColumn(
      String column, Map<String, DataType> columns, String role, String where) {
    if (!columns.containsKey(column)) {
      throw new CosmosConfigException(
          where
              + ": '"
              + column
              + "' is named as "
              + role
              + " but is not a column; the columns are "
              + columns.keySet()
              + ".");
    }
  }

  @Override
  public String toString() {
    return "CosmosCassandraCatalog(" + name + ")";
  }
}

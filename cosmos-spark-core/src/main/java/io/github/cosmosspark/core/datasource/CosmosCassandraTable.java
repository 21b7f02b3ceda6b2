package io.github.cosmosspark.core.datasource;

import com.datastax.oss.driver.api.core.metadata.schema.ViewMetadata;
import com.datastax.spark.connector.datasource.CassandraTable;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.LegacySettings;
import io.github.cosmosspark.core.config.Settings;
import io.github.cosmosspark.core.config.WarnOnce;
import io.github.cosmosspark.core.connection.DeprecatedConnectorSettings;
import io.github.cosmosspark.core.datasource.read.ChangeFeedScan;
import io.github.cosmosspark.core.datasource.read.CosmosScanBuilder;
import io.github.cosmosspark.core.datasource.write.CosmosWriteBuilder;
import io.github.cosmosspark.core.session.CosmosRuntime;
import io.github.cosmosspark.core.throughput.BudgetPlan;
import io.github.cosmosspark.core.throughput.RequestSizing;
import io.github.cosmosspark.core.throughput.TableBudget;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * SCC's table, with scans and writes that report Cosmos metrics and take their request sizes from
 * the job's budget, and with the streaming writes Cosmos can take: every row is an upsert, so
 * update mode is written as append, and a replayed micro-batch lands the same rows again; counter
 * tables, whose writes add, are refused. A subclass rather than a wrapper: SCC's direct-join and
 * count rules recognise its table and scan by class, and would pass a wrapper by.
 */
public final class CosmosCassandraTable extends CassandraTable {
  private static final long serialVersionUID = 1L;

  private final transient BudgetPlan plan;
  private final boolean spreadWrites;
  private final Map<String, String> extraProperties;

  /**
   * @param plan the job's budget on the table, or null when there is none; with one, SCC's request
   *     sizes are chosen from it (see {@link RequestSizing})
   * @param spreadWrites whether writes cluster their rows by the partition key unless their own
   *     options say otherwise ({@link CosmosOptions#WRITE_SPREAD_OVER_PARTITIONS})
   */
  public CosmosCassandraTable(CassandraTable table, BudgetPlan plan, boolean spreadWrites) {
    this(table, table.catalogName(), plan, spreadWrites, Collections.<String, String>emptyMap());
  }

  /**
   * The format's {@code table} as catalog {@code catalogName} shows it, with {@code
   * extraProperties} beside SCC's own properties.
   */
  public CosmosCassandraTable(
      CosmosCassandraTable table, String catalogName, Map<String, String> extraProperties) {
    this(table, catalogName, table.plan, table.spreadWrites, extraProperties);
  }

  private CosmosCassandraTable(
      CassandraTable table,
      String catalogName,
      BudgetPlan plan,
      boolean spreadWrites,
      Map<String, String> extraProperties) {
    super(
        table.session(),
        table.catalogConf(),
        table.connector(),
        catalogName,
        table.metadata(),
        table.optionalSchema());
    this.plan = plan;
    this.spreadWrites = spreadWrites;
    this.extraProperties = Collections.unmodifiableMap(new HashMap<>(extraProperties));
  }

  @Override
  public Map<String, String> properties() {
    Map<String, String> properties = new HashMap<>(super.properties());
    properties.putAll(extraProperties);
    return properties;
  }

  @Override
  public Set<TableCapability> capabilities() {
    Set<TableCapability> capabilities = new HashSet<>(super.capabilities());
    capabilities.add(TableCapability.MICRO_BATCH_READ);
    return capabilities;
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    if (ChangeFeedScan.wanted(options.asCaseSensitiveMap())) {
      return changeFeed(options);
    }
    CaseInsensitiveStringMap combined = combined(options);
    if (plan != null && plan.controlled()) {
      combined =
          with(
              combined,
              RequestSizing.forRead(plan, rowBytes(schema()), this::userValue, warnings()));
    }
    return new CosmosScanBuilder(
        session(),
        tableDef(),
        catalogName(),
        combined,
        budget(),
        rowBytes(schema()),
        () -> changeFeed(options));
  }

  /**
   * A read of the table's change feed: what a batch read with {@code changeFeed.*} options is, and
   * what every streaming read is (Spark asks the scan a plain read builds for a stream).
   */
  private ChangeFeedScan changeFeed(CaseInsensitiveStringMap options) {
    String fetchSize = userValue(FETCH_SIZE);
    return new ChangeFeedScan(
        connector(),
        metadata(),
        schema(),
        options.asCaseSensitiveMap(),
        SparkSettings.merged(session()),
        fetchSize == null ? DEFAULT_FETCH_SIZE : Integer.parseInt(fetchSize.trim()),
        budget());
  }

  /** SCC's page size, which feed reads take too. */
  private static final String FETCH_SIZE = "spark.cassandra.input.fetch.sizeInRows";

  private static final int DEFAULT_FETCH_SIZE = 1_000;

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    if (metadata() instanceof ViewMetadata) {
      throw new UnsupportedOperationException(
          "Writing to a materialized view is not supported: " + name() + " is a view.");
    }
    CaseInsensitiveStringMap combined = combined(info.options());
    if (plan != null && plan.controlled()) {
      combined =
          with(
              combined,
              RequestSizing.forWrite(plan, rowBytes(info.schema()), this::userValue, warnings()));
    }
    return CosmosWriteBuilder.checked(
        session(),
        tableDef(),
        metadata(),
        catalogName(),
        combined,
        info,
        spreadWrites(info.options()),
        budget());
  }

  /**
   * The write's own option if it has one (a catalog table's write may set it beside the catalog's
   * options), else what the table was resolved with.
   */
  private boolean spreadWrites(CaseInsensitiveStringMap writeOptions) {
    Boolean given =
        CosmosCassandraConfig.givenIn(
            writeOptions.asCaseSensitiveMap(), CosmosOptions.WRITE_SPREAD_OVER_PARTITIONS);
    return given != null ? given : spreadWrites;
  }

  /**
   * The budget the job's tasks register where they start, on whichever executor runs them; null
   * when there is none, and then only what Cosmos's 429s teach applies.
   */
  private TableBudget budget() {
    return plan == null ? null : plan.budget();
  }

  /** A row's size as Spark estimates it from the types, with a few bytes per column of framing. */
  private static long rowBytes(StructType schema) {
    return schema.defaultSize() + 4L * schema.fields().length;
  }

  /**
   * The user's value of {@code key} (for this table, in the session, or for the application), or
   * null when the user did not set it.
   */
  private String userValue(String key) {
    String value = valueOf(key);
    for (String oldName : ConnectorKeys.oldNamesOf(key)) {
      // SCC maps the old name over the new one (and over our choice) itself.
      String old = valueOf(oldName);
      value = old != null ? old : value;
    }
    return value;
  }

  private String valueOf(String key) {
    String value = Settings.valueIgnoringCase(catalogConf().asCaseSensitiveMap(), key);
    if (value != null) {
      return value;
    }
    String lower = key.toLowerCase(Locale.ROOT);
    Map<String, String> configured = SparkSettings.merged(session());
    for (Map.Entry<String, String> candidate : configured.entrySet()) {
      String candidateLower = candidate.getKey().toLowerCase(Locale.ROOT);
      // SCC also reads settings scoped to a cluster or keyspace, "cluster/key".
      if (candidateLower.equals(lower) || candidateLower.endsWith("/" + lower)) {
        return candidate.getValue();
      }
    }
    return null;
  }

  private static WarnOnce warnings() {
    return CosmosRuntime.get().warnings();
  }

  private static CaseInsensitiveStringMap with(
      CaseInsensitiveStringMap options, Map<String, String> more) {
    Map<String, String> combined = new HashMap<>(options.asCaseSensitiveMap());
    combined.putAll(more);
    return new CaseInsensitiveStringMap(combined);
  }

  /**
   * The table's own options under the read's or write's, as SCC combines them; SCC's old names
   * among the read's put under their new ones, as resolving did, or SCC would warn about them
   * again.
   */
  private CaseInsensitiveStringMap combined(CaseInsensitiveStringMap options) {
    Map<String, String> combined = new HashMap<>(catalogConf().asCaseSensitiveMap());
    Map<String, String> own =
        new HashMap<>(
            DeprecatedConnectorSettings.renamed(options.asCaseSensitiveMap(), warnings()));
    // SCC refuses the legacy split count among a read's options: applied as resolving does.
    Integer splitCount =
        LegacySettings.splitCount(own, Collections.<String, String>emptyMap(), warnings());
    own.keySet().removeIf(LegacySettings.SPLIT_COUNT::equalsIgnoreCase);
    combined.putAll(own);
    if (splitCount != null) {
      combined.put(CosmosScanBuilder.SPLIT_COUNT_KEY, Integer.toString(splitCount));
    }
    return new CaseInsensitiveStringMap(combined);
  }
}

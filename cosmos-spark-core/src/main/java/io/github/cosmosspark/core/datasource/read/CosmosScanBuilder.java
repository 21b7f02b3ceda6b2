package io.github.cosmosspark.core.datasource.read;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.spark.connector.cql.ColumnDef;
import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.datasource.CassandraInJoin;
import com.datastax.spark.connector.datasource.CassandraScan;
import com.datastax.spark.connector.datasource.CassandraScanBuilder;
import com.datastax.spark.connector.datasource.ScanHelper$;
import com.datastax.spark.connector.rdd.ReadConf;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.session.TableSizeProbe;
import io.github.cosmosspark.core.throughput.RowEstimate;
import io.github.cosmosspark.core.throughput.ScanSplits;
import io.github.cosmosspark.core.throughput.TableBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * SCC's scan builder, pushdowns and all; the scans it builds also report Cosmos metrics, and a full
 * scan's split count is chosen by {@link ScanSplits} from an estimate of the table's rows, unless
 * the user set one.
 */
public final class CosmosScanBuilder extends CassandraScanBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(CosmosScanBuilder.class);

  /**
   * Where the legacy {@code spark.cassandra.splitCount} travels to the scan, which applies it as
   * SCC's own split count ({@code ReadConf.splitCount}, which SCC 3 sets only through its RDD API);
   * under the resolved prefix, which SCC's configuration check passes by.
   */
  public static final String SPLIT_COUNT_KEY = CosmosCassandraConfig.RESOLVED_PREFIX + "splitCount";

  /** SCC's split size, which SCC applies to {@code system.size_estimates}. */
  static final String SPLIT_SIZE = "spark.cassandra.input.split.sizeInMB";

  /** SCC 2.x's name for {@link #SPLIT_SIZE}, which SCC 3 still maps. */
  static final String OLD_SPLIT_SIZE = "spark.cassandra.input.split.size_in_mb";

  private final TableBudget budget;
  private final Integer splitCount;
  private final long rowBytes;
  private final int taskSeconds;
  private final Supplier<ChangeFeedScan> stream;

  /**
   * @param budget the job's budget on the table, registered where each task starts; or null
   * @param rowBytes a row of the table's size, from its schema, for what a row costs to read
   * @param stream the read of the table's change feed, for when Spark asks the scan for a stream
   */
  public CosmosScanBuilder(
      SparkSession session,
      TableDef tableDef,
      String catalogName,
      CaseInsensitiveStringMap options,
      TableBudget budget,
      long rowBytes,
      Supplier<ChangeFeedScan> stream) {
    super(session, tableDef, catalogName, options);
    this.stream = stream;
    this.budget = budget;
    String count = options.get(SPLIT_COUNT_KEY);
    this.splitCount = count == null ? null : Integer.valueOf(count);
    this.rowBytes = rowBytes;
    this.taskSeconds = taskSeconds(options);
  }

  /**
   * {@link CosmosOptions#READ_SPLIT_TASK_SECONDS}: the read's own option (a catalog table's read
   * may set it), else what the table was resolved with, else the default.
   */
  private static int taskSeconds(CaseInsensitiveStringMap options) {
    Integer given =
        CosmosCassandraConfig.givenIn(
            options.asCaseSensitiveMap(), CosmosOptions.READ_SPLIT_TASK_SECONDS);
    if (given != null) {
      return given;
    }
    String resolved =
        options.get(
            CosmosCassandraConfig.RESOLVED_PREFIX + CosmosOptions.READ_SPLIT_TASK_SECONDS.name());
    return resolved != null
        ? Integer.parseInt(resolved.trim())
        : CosmosOptions.READ_SPLIT_TASK_SECONDS.defaultValue();
  }

  @Override
  public Scan build() {
    Scan scan = super.build();
    if (scan instanceof CassandraScan) {
      CassandraScan connectorScan = (CassandraScan) scan;
      ReadConf readConf = connectorScan.readConf();
      ScanSplits chosen = null;
      Integer count = splitCount;
      if (count == null && isFullScan(connectorScan)) {
        chosen = chooseSplits(connectorScan);
        count = chosen == null ? null : chosen.splits();
      }
      if (count != null) {
        readConf =
            new ReadConf(
                Option.<Object>apply(count),
                readConf.splitSizeInMB(),
                readConf.fetchSizeInRows(),
                readConf.consistencyLevel(),
                readConf.taskMetricsEnabled(),
                readConf.throughputMiBPS(),
                readConf.readsPerSec(),
                readConf.parallelismLevel(),
                readConf.executeAs());
      }
      return new CosmosScan(connectorScan, readConf, budget, chosen, stream);
    }
    if (scan instanceof CassandraInJoin) {
      return new CosmosInJoin((CassandraInJoin) scan, budget);
    }
    return scan;
  }

  /**
   * Whether the scan reads token ranges; one that names whole partition keys is one request, which
   * SCC plans as one split whatever the count.
   */
  private static boolean isFullScan(CassandraScan scan) {
    try {
      return !ScanHelper$.MODULE$.containsPartitionKey(
          scan.tableDef(), scan.cqlQueryParts().whereClause());
    } catch (RuntimeException e) {
      return false; // SCC refuses the predicate itself, with its own message
    }
  }

  /**
   * The split count for a full scan: from the user's split size if set (applied, as SCC would, to
   * the bytes the probe finds, since Cosmos has no size estimates for SCC to apply it to), else by
   * {@link ScanSplits}; null to leave the count to SCC.
   */
  private ScanSplits chooseSplits(CassandraScan scan) {
    if (taskSeconds == 0) {
      return null; // planning left to SCC altogether, the user's split size included
    }
    SparkConf conf = scan.consolidatedConf();
    boolean userSplitSize = conf.contains(SPLIT_SIZE) || conf.contains(OLD_SPLIT_SIZE);
    TableDef table = scan.tableDef();
    String name = table.keyspaceName() + "." + table.tableName();
    RowEstimate estimate = null;
    String failure = null;
    try {
      estimate = probe(scan);
    } catch (RuntimeException e) {
      failure = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    int slots = scan.session().sparkContext().defaultParallelism();
    ScanSplits chosen;
    if (userSplitSize) {
      if (estimate == null) {
        LOG.warn(
            "Scanning {} with SCC's own split count ({} = {} MB needs the table's size, and its"
                + " rows could not be estimated: {}).",
            name,
            SPLIT_SIZE,
            scan.readConf().splitSizeInMB(),
            failure);
        return null;
      }
      chosen =
          ScanSplits.forSplitSize(
              estimate, estimate.rowBytesOr(rowBytes), scan.readConf().splitSizeInMB(), slots);
    } else {
      double ruPerSecond = budget == null ? 0 : budget.totalRuPerSecond();
      long sized = estimate == null ? rowBytes : estimate.rowBytesOr(rowBytes);
      chosen = ScanSplits.choose(estimate, sized, ruPerSecond, slots, taskSeconds);
    }
    LOG.info("{}{}", chosen.describe(name), failure == null ? "" : " The probe failed: " + failure);
    return chosen;
  }

  private static RowEstimate probe(CassandraScan scan) {
    TableDef table = scan.tableDef();
    List<String> partitionKey = new ArrayList<>();
    for (ColumnDef column : JavaConverters.seqAsJavaList(table.partitionKey())) {
      partitionKey.add(CqlIdentifier.fromInternal(column.columnName()).asCql(true));
    }
    try (CqlSession session = scan.connector().openSession()) {
      return TableSizeProbe.estimate(
          session,
          CqlIdentifier.fromInternal(table.keyspaceName()).asCql(true),
          CqlIdentifier.fromInternal(table.tableName()).asCql(true),
          partitionKey);
    }
  }
}

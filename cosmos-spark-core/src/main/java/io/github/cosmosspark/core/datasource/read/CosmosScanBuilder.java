package io.github.cosmosspark.core.datasource.read;

import com.datastax.spark.connector.cql.TableDef;
import com.datastax.spark.connector.datasource.CassandraInJoin;
import com.datastax.spark.connector.datasource.CassandraScan;
import com.datastax.spark.connector.datasource.CassandraScanBuilder;
import com.datastax.spark.connector.rdd.ReadConf;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.throughput.TableBudget;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import scala.Option;

/** SCC's scan builder, pushdowns and all; the scans it builds also report Cosmos metrics. */
public final class CosmosScanBuilder extends CassandraScanBuilder {
  /**
   * Where the legacy {@code spark.cassandra.splitCount} travels to the scan, which applies it as
   * SCC's own split count ({@code ReadConf.splitCount}, which SCC 3 sets only through its RDD API);
   * under the resolved prefix, which SCC's configuration check passes by.
   */
  public static final String SPLIT_COUNT_KEY = CosmosCassandraConfig.RESOLVED_PREFIX + "splitCount";

  private final TableBudget budget;
  private final Integer splitCount;

  /**
   * @param budget the job's budget on the table, registered where each task starts; or null
   */
  public CosmosScanBuilder(
      SparkSession session,
      TableDef tableDef,
      String catalogName,
      CaseInsensitiveStringMap options,
      TableBudget budget) {
    super(session, tableDef, catalogName, options);
    this.budget = budget;
    String count = options.get(SPLIT_COUNT_KEY);
    this.splitCount = count == null ? null : Integer.valueOf(count);
  }

  @Override
  public Scan build() {
    Scan scan = super.build();
    if (scan instanceof CassandraScan) {
      CassandraScan connectorScan = (CassandraScan) scan;
      ReadConf readConf = connectorScan.readConf();
      if (splitCount != null) {
        readConf =
            new ReadConf(
                Option.<Object>apply(splitCount),
                readConf.splitSizeInMB(),
                readConf.fetchSizeInRows(),
                readConf.consistencyLevel(),
                readConf.taskMetricsEnabled(),
                readConf.throughputMiBPS(),
                readConf.readsPerSec(),
                readConf.parallelismLevel(),
                readConf.executeAs());
      }
      return new CosmosScan(connectorScan, readConf, budget);
    }
    if (scan instanceof CassandraInJoin) {
      return new CosmosInJoin((CassandraInJoin) scan, budget);
    }
    return scan;
  }
}

package io.github.cosmosspark.examples.benchmark;

import com.datastax.spark.connector.cql.CassandraConnectorConf;
import com.datastax.spark.connector.cql.IpBasedContactInfo;
import com.datastax.spark.connector.datasource.CassandraBulkWrite;
import com.datastax.spark.connector.datasource.CassandraScan;
import com.datastax.spark.connector.rdd.ReadConf;
import com.datastax.spark.connector.writer.WriteConf;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.execution.CommandResultExec;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.execution.datasources.v2.V2ExistingTableWriteExec;
import org.apache.spark.sql.util.QueryExecutionListener;
import scala.Option;
import scala.Tuple2;

/**
 * The SCC settings a write or a scan actually ran with, read from the plan Spark executed: SCC's
 * own {@code WriteConf}, {@code ReadConf} and {@code CassandraConnectorConf} of that write or scan,
 * which already hold what the caller set, what cosmos-spark chose (its defaults, and its request
 * sizing from a budget) and SCC's defaults for the rest. Nothing is worked out again here.
 *
 * <p>A listener on the session's finished queries: call {@link #expect()} before a write or a scan,
 * and {@link #lastWrite()} or {@link #lastScan()} after it (Spark tells listeners shortly after the
 * action returns, so these wait for it).
 */
final class ConnectorSettings implements QueryExecutionListener {
  private static final long WAIT_SECONDS = 30;

  private volatile CompletableFuture<Map<String, String>> write = new CompletableFuture<>();
  private volatile CompletableFuture<Map<String, String>> scan = new CompletableFuture<>();

  static ConnectorSettings listenTo(SparkSession spark) {
    ConnectorSettings settings = new ConnectorSettings();
    spark.listenerManager().register(settings);
    return settings;
  }

  /** Forgets the last write and scan, so that the next calls wait for the next ones. */
  void expect() {
    write = new CompletableFuture<>();
    scan = new CompletableFuture<>();
  }

  /** The settings of the first write to Cassandra since {@link #expect()}, by SCC key. */
  Map<String, String> lastWrite() throws Exception {
    return write.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** The settings of the first scan of Cassandra since {@link #expect()}, by SCC key. */
  Map<String, String> lastScan() throws Exception {
    return scan.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
    visit(qe.executedPlan());
  }

  @Override
  public void onFailure(String funcName, QueryExecution qe, Exception exception) {}

  private void visit(SparkPlan plan) {
    if (plan instanceof V2ExistingTableWriteExec) {
      CassandraBulkWrite connectorWrite =
          connectorWrite(((V2ExistingTableWriteExec) plan).write().toBatch(), 3);
      if (connectorWrite != null) {
        write.complete(ofWrite(connectorWrite));
      }
    } else if (plan instanceof BatchScanExec) {
      BatchScanExec batchScan = (BatchScanExec) plan;
      if (batchScan.scan() instanceof CassandraScan) {
        scan.complete(ofScan((CassandraScan) batchScan.scan(), batchScan.inputPartitions().size()));
      }
    } else if (plan instanceof AdaptiveSparkPlanExec) {
      visit(((AdaptiveSparkPlanExec) plan).executedPlan());
    } else if (plan instanceof QueryStageExec) {
      visit(((QueryStageExec) plan).plan());
    } else if (plan instanceof CommandResultExec) {
      visit(((CommandResultExec) plan).commandPhysicalPlan());
    }
    scala.collection.Iterator<SparkPlan> children = plan.children().iterator();
    while (children.hasNext()) {
      visit(children.next());
    }
  }

  /**
   * SCC's write inside {@code batch}: plain SCC's is SCC's own; cosmos-spark's wraps SCC's (to
   * meter it), and keeps it in a field, found here by type so that a rename does not break this.
   */
  private static CassandraBulkWrite connectorWrite(Object batch, int depth) {
    if (batch instanceof CassandraBulkWrite) {
      return (CassandraBulkWrite) batch;
    }
    if (batch == null || depth == 0) {
      return null;
    }
    for (Class<?> type = batch.getClass(); type != null; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())
            || !BatchWrite.class.isAssignableFrom(field.getType())) {
          continue;
        }
        try {
          field.setAccessible(true);
          CassandraBulkWrite found = connectorWrite(field.get(batch), depth - 1);
          if (found != null) {
            return found;
          }
        } catch (ReflectiveOperationException | RuntimeException e) {
          throw new IllegalStateException(
              "Cannot read SCC's write inside " + batch.getClass().getName(), e);
        }
      }
    }
    return null;
  }

  private static Map<String, String> ofWrite(CassandraBulkWrite bulkWrite) {
    WriteConf conf = bulkWrite.writeConf();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.cassandra.output.batch.size.rows|bytes", conf.batchSize().toString());
    settings.put(
        "spark.cassandra.output.batch.grouping.buffer.size",
        Integer.toString(conf.batchGroupingBufferSize()));
    settings.put("spark.cassandra.output.batch.grouping.key", conf.batchGroupingKey().toString());
    settings.put(
        "spark.cassandra.output.concurrent.writes", Integer.toString(conf.parallelismLevel()));
    settings.put("spark.cassandra.output.consistency.level", conf.consistencyLevel().name());
    settings.put("spark.cassandra.output.throughputMBPerSec", text(conf.throughputMiBPS()));
    settings.put("spark.cassandra.output.ifNotExists", Boolean.toString(conf.ifNotExists()));
    settings.put("spark.cassandra.output.ignoreNulls", Boolean.toString(conf.ignoreNulls()));
    settings.put("spark.cassandra.output.ttl", conf.ttl().toString());
    settings.put("spark.cassandra.output.timestamp", conf.timestamp().toString());
    settings.put("spark.cassandra.output.metrics", Boolean.toString(conf.taskMetricsEnabled()));
    connection(bulkWrite.connector().conf(), settings);
    others(bulkWrite.consolidatedConf(), settings);
    return settings;
  }

  private static Map<String, String> ofScan(CassandraScan scan, int partitions) {
    ReadConf conf = scan.readConf();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(
        "spark.cassandra.input.fetch.sizeInRows", Integer.toString(conf.fetchSizeInRows()));
    settings.put("spark.cassandra.input.split.sizeInMB", Integer.toString(conf.splitSizeInMB()));
    settings.put("split count (SCC's ReadConf.splitCount)", text(conf.splitCount()));
    settings.put("Spark partitions planned (scan tasks)", Integer.toString(partitions));
    settings.put("spark.cassandra.input.consistency.level", conf.consistencyLevel().name());
    settings.put("spark.cassandra.concurrent.reads", Integer.toString(conf.parallelismLevel()));
    settings.put("spark.cassandra.input.readsPerSec", text(conf.readsPerSec()));
    settings.put("spark.cassandra.input.throughputMBPerSec", text(conf.throughputMiBPS()));
    settings.put("spark.cassandra.input.metrics", Boolean.toString(conf.taskMetricsEnabled()));
    connection(scan.connector().conf(), settings);
    others(scan.consolidatedConf(), settings);
    return settings;
  }

  private static void connection(CassandraConnectorConf conf, Map<String, String> settings) {
    settings.put(
        "spark.cassandra.connection.factory", conf.connectionFactory().getClass().getName());
    settings.put(
        "spark.cassandra.connection.localConnectionsPerExecutor",
        text(conf.localConnectionsPerExecutor()));
    settings.put(
        "spark.cassandra.connection.remoteConnectionsPerExecutor",
        text(conf.remoteConnectionsPerExecutor()));
    settings.put(
        "spark.cassandra.connection.keepAliveMS", Integer.toString(conf.keepAliveMillis()));
    settings.put(
        "spark.cassandra.connection.timeoutMS", Integer.toString(conf.connectTimeoutMillis()));
    settings.put("spark.cassandra.read.timeoutMS", Integer.toString(conf.readTimeoutMillis()));
    settings.put("spark.cassandra.connection.compression", conf.compression());
    settings.put("spark.cassandra.query.retry.count", Integer.toString(conf.queryRetryCount()));
    settings.put("spark.cassandra.connection.localDC", text(conf.localDC()));
    if (conf.contactInfo() instanceof IpBasedContactInfo) {
      CassandraConnectorConf.CassandraSSLConf ssl =
          ((IpBasedContactInfo) conf.contactInfo()).cassandraSSLConf();
      settings.put("spark.cassandra.connection.ssl.enabled", Boolean.toString(ssl.enabled()));
      settings.put("spark.cassandra.connection.ssl.protocol", ssl.protocol());
      settings.put(
          "spark.cassandra.connection.ssl.enabledAlgorithms",
          suites(ssl.enabledAlgorithms().mkString(",")));
    }
  }

  /**
   * Every other {@code spark.cassandra.*} key in the configuration SCC merged for this read or
   * write (set by the caller or by cosmos-spark; SCC's defaults are not in it), secrets hidden.
   */
  private static void others(SparkConf consolidated, Map<String, String> settings) {
    Map<String, String> rest = new TreeMap<>();
    for (Tuple2<String, String> entry : consolidated.getAll()) {
      String key = entry._1();
      if (!key.startsWith("spark.cassandra.")
          || settings.containsKey(key)
          || key.startsWith("spark.cassandra.output.batch.size.")) {
        continue;
      }
      boolean secret = key.toLowerCase(Locale.ROOT).contains("password");
      rest.put(key + " (set)", secret ? "(hidden)" : entry._2());
    }
    settings.putAll(rest);
  }

  /** A list of cipher suites, sorted, and shortened when long. */
  private static String suites(String list) {
    TreeSet<String> sorted = new TreeSet<>(Arrays.asList(list.split(",")));
    return sorted.size() <= 2
        ? String.join(",", sorted)
        : sorted.size() + " suites (" + sorted.first() + ", …)";
  }

  private static String text(Option<?> option) {
    return option.isDefined() ? String.valueOf(option.get()) : "none";
  }
}

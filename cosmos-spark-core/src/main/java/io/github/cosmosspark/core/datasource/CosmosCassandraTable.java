package io.github.cosmosspark.core.datasource;

import com.datastax.oss.driver.api.core.metadata.schema.ViewMetadata;
import com.datastax.spark.connector.datasource.CassandraTable;
import io.github.cosmosspark.core.config.Settings;
import io.github.cosmosspark.core.throughput.BudgetPlan;
import io.github.cosmosspark.core.throughput.RequestSizing;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * SCC's table, with scans and writes that report Cosmos metrics. A subclass rather than a wrapper:
 * SCC's direct-join and count rules recognise its table and scan by class, and would pass a wrapper
 * by.
 */
public final class CosmosCassandraTable extends CassandraTable {
  private final transient BudgetPlan plan;

  /**
   * @param plan the job's budget on the table, or null when there is none; with one, SCC's request
   *     sizes are chosen from it (see {@link RequestSizing})
   */
  public CosmosCassandraTable(CassandraTable table, BudgetPlan plan) {
    super(
        table.session(),
        table.catalogConf(),
        table.connector(),
        table.catalogName(),
        table.metadata(),
        table.optionalSchema());
    this.plan = plan;
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    CaseInsensitiveStringMap combined = combined(options);
    if (plan != null && plan.controlled()) {
      combined = with(combined, RequestSizing.forRead(plan, rowBytes(schema()), this::userSet));
    }
    return new CosmosScanBuilder(session(), tableDef(), catalogName(), combined);
  }

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    if (metadata() instanceof ViewMetadata) {
      throw new UnsupportedOperationException(
          "Writing to a materialized view is not supported: " + name() + " is a view.");
    }
    CaseInsensitiveStringMap combined = combined(info.options());
    if (plan != null && plan.controlled()) {
      combined =
          with(combined, RequestSizing.forWrite(plan, rowBytes(info.schema()), this::userSet));
    }
    return new CosmosWriteBuilder(session(), tableDef(), catalogName(), combined, info.schema());
  }

  /** A row's size as Spark estimates it from the types, with a few bytes per column of framing. */
  private static long rowBytes(StructType schema) {
    return schema.defaultSize() + 4L * schema.fields().length;
  }

  /** Whether the user set {@code key}: for this table, in the session, or for the application. */
  private boolean userSet(String key) {
    if (Settings.valueIgnoringCase(catalogConf().asCaseSensitiveMap(), key) != null) {
      return true;
    }
    String lower = key.toLowerCase(Locale.ROOT);
    Map<String, String> configured =
        new HashMap<>(JavaConverters.mapAsJavaMapConverter(session().conf().getAll()).asJava());
    for (Tuple2<String, String> entry : session().sparkContext().getConf().getAll()) {
      configured.put(entry._1(), entry._2());
    }
    for (String candidate : configured.keySet()) {
      String candidateLower = candidate.toLowerCase(Locale.ROOT);
      // SCC also reads settings scoped to a cluster or keyspace, "cluster/key".
      if (candidateLower.equals(lower) || candidateLower.endsWith("/" + lower)) {
        return true;
      }
    }
    return false;
  }

  private static CaseInsensitiveStringMap with(
      CaseInsensitiveStringMap options, Map<String, String> more) {
    Map<String, String> combined = new HashMap<>(options.asCaseSensitiveMap());
    combined.putAll(more);
    return new CaseInsensitiveStringMap(combined);
  }

  /** The table's own options under the read's or write's, as SCC combines them. */
  private CaseInsensitiveStringMap combined(CaseInsensitiveStringMap options) {
    Map<String, String> combined = new HashMap<>(catalogConf().asCaseSensitiveMap());
    combined.putAll(options.asCaseSensitiveMap());
    return new CaseInsensitiveStringMap(combined);
  }
}

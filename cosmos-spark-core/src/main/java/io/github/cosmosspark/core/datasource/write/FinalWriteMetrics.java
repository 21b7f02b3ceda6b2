package io.github.cosmosspark.core.datasource.write;

import io.github.cosmosspark.core.metrics.CosmosMetrics;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.execution.metric.CustomMetrics$;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.util.AccumulatorV2;
import scala.collection.Iterator;

/**
 * Spark 3.5 takes a writer's metric values for the last time just before {@code commit()}, but
 * SCC's writer sends asynchronously and its commit waits for the requests still in flight, often
 * hundreds under a budget. Their charges would be missing from the UI; so after the commit, the
 * final values are set on the task's copies of the write node's metrics, found by type.
 */
final class FinalWriteMetrics {
  private static final Map<String, String> TYPE_BY_NAME = typeByName();

  private FinalWriteMetrics() {}

  private static Map<String, String> typeByName() {
    Map<String, String> types = new HashMap<>();
    for (CustomMetric metric : CosmosMetrics.forWrites()) {
      types.put(metric.name(), CustomMetrics$.MODULE$.buildV2CustomMetricTypeName(metric));
    }
    return Collections.unmodifiableMap(types);
  }

  /** Sets the write metrics of the task on this thread; does nothing outside a task. */
  static void publish(CustomTaskMetric[] values) {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return;
    }
    Map<String, Long> valueByType = new HashMap<>();
    for (CustomTaskMetric value : values) {
      String type = TYPE_BY_NAME.get(value.name());
      if (type != null) {
        valueByType.put(type, value.value());
      }
    }
    Iterator<AccumulatorV2<?, ?>> accumulators = task.taskMetrics().accumulators().iterator();
    while (accumulators.hasNext()) {
      AccumulatorV2<?, ?> accumulator = accumulators.next();
      if (accumulator instanceof SQLMetric) {
        SQLMetric metric = (SQLMetric) accumulator;
        Long value = valueByType.get(metric.metricType());
        if (value != null) {
          metric.set(value);
        }
      }
    }
  }
}

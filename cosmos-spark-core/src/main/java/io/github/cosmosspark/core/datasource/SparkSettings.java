package io.github.cosmosspark.core.datasource;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import scala.collection.JavaConverters;

/** The Spark configuration with the session's settings over it, as SCC itself merges them. */
final class SparkSettings {

  private SparkSettings() {}

  /** Every setting of the application and the session, the session's winning; a copy. */
  static Map<String, String> merged(SparkSession session) {
    Map<String, String> merged = new HashMap<>();
    for (Tuple2<String, String> entry : session.sparkContext().getConf().getAll()) {
      merged.put(entry._1(), entry._2());
    }
    merged.putAll(sessionSettings(session));
    return merged;
  }

  /** The session's own settings, as set at run time or by the builder. */
  static Map<String, String> sessionSettings(SparkSession session) {
    return JavaConverters.mapAsJavaMapConverter(session.conf().getAll()).asJava();
  }
}

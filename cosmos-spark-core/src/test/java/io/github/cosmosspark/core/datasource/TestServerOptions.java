package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The cosmoscassandra options that reach a testkit server instead of Azure. */
final class TestServerOptions {

  private TestServerOptions() {}

  static Map<String, String> forServer(CassandraServer server) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("account", server.username());
    options.put("password", server.password());
    options.put("host", server.host());
    options.put("port", Integer.toString(server.port()));
    options.put("tls.truststore.path", server.truststorePath().toString());
    options.put("tls.truststore.password", server.truststorePassword());
    options.put("tls.truststore.type", server.truststoreType());
    return options;
  }

  /** A cosmoscassandra reader for {@code keyspace.table} on the server. */
  static DataFrameReader reader(
      SparkSession spark, CassandraServer server, String keyspace, String table) {
    return spark
        .read()
        .format("cosmoscassandra")
        .options(forServer(server))
        .option("keyspace", keyspace)
        .option("table", table);
  }

  /** A cosmoscassandra writer of {@code rows} to {@code keyspace.table} on the server. */
  static DataFrameWriter<Row> writer(
      Dataset<Row> rows, CassandraServer server, String keyspace, String table) {
    return rows.write()
        .format("cosmoscassandra")
        .options(forServer(server))
        .option("keyspace", keyspace)
        .option("table", table);
  }
}

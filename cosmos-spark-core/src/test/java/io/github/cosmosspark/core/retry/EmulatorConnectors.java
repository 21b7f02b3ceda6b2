package io.github.cosmosspark.core.retry;

import com.datastax.spark.connector.cql.CassandraConnector;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.connection.CosmosAuthConfFactory;
import io.github.cosmosspark.core.connection.CosmosConnectionFactory;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import org.apache.spark.SparkConf;

/**
 * SCC connectors to the emulator through our factories: the sessions SCC's reads and writes use.
 */
final class EmulatorConnectors {

  private EmulatorConnectors() {}

  /** A connector with the emulator's published settings and {@code extra} key/value pairs. */
  static CassandraConnector connector(CosmosEmulator emulator, String... extra) {
    SparkConf conf = new SparkConf(false);
    EmulatorBooks.connectionOptions(emulator).forEach(conf::set);
    conf.set("spark.cassandra.connection.factory", CosmosConnectionFactory.class.getName());
    conf.set("spark.cassandra.auth.conf.factory", CosmosAuthConfFactory.class.getName());
    for (int i = 0; i < extra.length; i += 2) {
      conf.set(extra[i], extra[i + 1]);
    }
    return CassandraConnector.apply(conf);
  }
}

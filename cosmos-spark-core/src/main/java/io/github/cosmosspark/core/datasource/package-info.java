/**
 * The {@code cosmoscassandra} data source: resolves the Cosmos configuration, translates it into
 * Spark Cassandra Connector options, and hands the table to SCC's own DataSource V2 source, so that
 * SCC's schema inference, pushdowns and writes stay as they are.
 */
package io.github.cosmosspark.core.datasource;

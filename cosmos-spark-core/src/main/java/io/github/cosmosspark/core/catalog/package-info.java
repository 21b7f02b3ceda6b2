/**
 * A Spark SQL catalog over SCC's {@code CassandraCatalog}, with the format's configuration and
 * Cosmos's throughput DDL: keyspaces and tables created, altered and dropped from Spark SQL.
 */
package io.github.cosmosspark.core.catalog;

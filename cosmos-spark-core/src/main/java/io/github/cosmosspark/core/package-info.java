/**
 * The cosmoscassandra Spark data source: Azure Cosmos DB for Apache Cassandra through the DataStax
 * Spark Cassandra Connector. Packages depend one way, top to bottom (ArchitectureTest checks it):
 * the adapters {@code catalog}, {@code datasource} ({@code read}, {@code write}) and {@code
 * connection}, which know SCC and Spark's planner; then the Cosmos layers {@code session}, {@code
 * throughput}, {@code retry}, {@code cql} and {@code config}, which do not; {@code metrics}, {@code
 * errors} and {@code compat} beside.
 */
package io.github.cosmosspark.core;

/**
 * The cosmoscassandra Spark data source: Azure Cosmos DB for Apache Cassandra through the DataStax
 * Spark Cassandra Connector. Concerns get a package each as they arrive: {@code config}, {@code
 * datasource}, {@code connection}, {@code retry}, {@code throughput}, {@code catalog}, {@code
 * metrics}.
 */
package io.github.cosmosspark.core;

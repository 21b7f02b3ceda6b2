/**
 * A local Cosmos DB for Apache Cassandra: a CQL v4 proxy on TLS in front of the testkit's real
 * Cassandra that adds what Cosmos has and Cassandra lacks (account keys, throughput DDL, request
 * charges). Rows always live in the real Cassandra.
 */
package io.github.cosmosspark.testkit.emulator;

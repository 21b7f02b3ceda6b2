/**
 * The Cosmos session: a driver session wrapper through which every statement, page and prepare
 * passes — admission against the table's budget, resends after 429s and lost connections (on a
 * timer), request charges and per-task metrics — and {@link
 * io.github.cosmosspark.core.session.CosmosRuntime}, the one object that holds what a JVM keeps.
 * Knows the Java driver, not the Spark Cassandra Connector or Spark's planner.
 */
package io.github.cosmosspark.core.session;

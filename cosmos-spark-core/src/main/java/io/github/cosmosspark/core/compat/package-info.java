/**
 * Checks that the Spark Cassandra Connector this JVM loads is the one cosmos-spark was built
 * against, so a second, different SCC on a cluster is reported by name instead of surfacing as a
 * {@code NoSuchMethodError} in the middle of a job.
 */
package io.github.cosmosspark.core.compat;

/**
 * Checks that the Spark Cassandra Connector this JVM loads is the one cosmos-spark was built
 * against, so a second, different SCC on a cluster is reported by name instead of surfacing as a
 * {@code NoSuchMethodError} in the middle of a job; and Scala collection calls that compile against
 * both Scala 2.12 and 2.13.
 */
package io.github.cosmosspark.core.compat;

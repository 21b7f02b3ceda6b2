/**
 * Test kit for cosmos-spark and for the tests of applications built on it.
 *
 * <p>{@link io.github.cosmosspark.testkit.cassandra.CassandraServer} runs a real Apache Cassandra
 * in its own JVM with TLS and password authentication; {@code junit} shares one per test run;
 * {@code spark} holds a shared local SparkSession and DataFrame assertions; {@code tls} makes the
 * certificates.
 */
package io.github.cosmosspark.testkit;

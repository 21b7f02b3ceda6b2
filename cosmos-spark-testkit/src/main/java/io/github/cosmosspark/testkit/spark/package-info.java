/**
 * Spark in tests: one local SparkSession per test JVM, the connector settings that reach a test
 * server, and DataFrame assertions that compare rows by key and column name.
 */
package io.github.cosmosspark.testkit.spark;

/**
 * Benchmarks that print figures: cosmos-spark against the connector a user would pick today, on the
 * Cosmos emulator with a real Cassandra behind it.
 */
package io.github.cosmosspark.examples.benchmark;

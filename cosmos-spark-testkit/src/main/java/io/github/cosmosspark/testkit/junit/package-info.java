/**
 * JUnit 5 support: one Cassandra server shared by every test of a run, and a fresh keyspace for
 * each test that asks for one.
 */
package io.github.cosmosspark.testkit.junit;

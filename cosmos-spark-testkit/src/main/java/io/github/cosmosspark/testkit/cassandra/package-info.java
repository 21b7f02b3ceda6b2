/**
 * A real Apache Cassandra server for tests, started in its own JVM from jars that Maven resolves
 * from Maven Central, with client TLS and password authentication on.
 */
package io.github.cosmosspark.testkit.cassandra;

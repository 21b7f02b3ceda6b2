/**
 * How the Spark Cassandra Connector connects to Cosmos: an auth configuration that carries the
 * resolved connection settings to executors, and the connection factory that builds the driver
 * session from them (protocol v4, TLS with host name verification) and wraps it in the Cosmos
 * session. An adapter: it knows SCC.
 */
package io.github.cosmosspark.core.connection;

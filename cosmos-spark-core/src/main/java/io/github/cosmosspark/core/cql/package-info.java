/**
 * What a CQL request is — the table it is for, whether it writes, whether it may run twice, what
 * throughput its DDL provisions — worked out once per request. Knows the Java driver's request
 * types, nothing of Spark or the Spark Cassandra Connector.
 */
package io.github.cosmosspark.core.cql;

/**
 * Configuration: every option declared once in {@link
 * io.github.cosmosspark.core.config.CosmosOptions} with key, type, default, documentation,
 * validation and whether it crosses to executors; resolved into one immutable {@link
 * io.github.cosmosspark.core.config.CosmosCassandraConfig} from per-read options, {@code
 * spark.cosmos.cassandra.*} and {@code spark.cassandra.*} settings, in that order, which is also
 * the one codec to executors. The bottom layer: it knows nothing else of ours.
 */
package io.github.cosmosspark.core.config;

/**
 * Configuration: every option declared once in {@link
 * io.github.cosmosspark.core.config.CosmosOptions} with key, type, default, documentation and
 * validation, resolved into one immutable {@link
 * io.github.cosmosspark.core.config.CosmosCassandraConfig} from per-read options, {@code
 * spark.cosmos.cassandra.*} and {@code spark.cassandra.*} settings, in that order.
 */
package io.github.cosmosspark.core.config;

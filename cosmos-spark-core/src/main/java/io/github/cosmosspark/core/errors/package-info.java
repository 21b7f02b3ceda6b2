/**
 * One exception family: {@link io.github.cosmosspark.core.errors.CosmosSparkException} and its
 * kinds — configuration, data, endpoint, rate limit. Depends on nothing else of ours, so every
 * layer can throw them.
 */
package io.github.cosmosspark.core.errors;

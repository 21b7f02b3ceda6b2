/**
 * Resending what Cosmos DB refused or did not answer: what a failure is (a 429, a lost connection,
 * a timeout, a busy or down endpoint), how long to wait, and the resend loop that waits on a timer
 * (never on a driver thread); a driver retry policy for the errors that need no wait, and the
 * counts of both. It tells throughput control of 429s through {@link
 * io.github.cosmosspark.core.retry.RateLimitListener} and imports nothing from it. The driver
 * context that carries the statistics to the driver's plug-ins also gives the driver Cosmos's
 * topology in a form it can build a token map from ({@link
 * io.github.cosmosspark.core.retry.CosmosTopologyMonitor}).
 */
package io.github.cosmosspark.core.retry;

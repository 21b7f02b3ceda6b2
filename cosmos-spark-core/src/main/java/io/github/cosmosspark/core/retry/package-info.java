/**
 * Resending what Cosmos DB rate-limited: a session wrapper that waits out {@code RetryAfterMs} on a
 * timer (never on a driver thread) for every request and every page, a driver retry policy for the
 * errors that need no wait, and the counts of both.
 */
package io.github.cosmosspark.core.retry;

/**
 * Throughput control: a job's request-unit budget for a table, planned on the driver and shared
 * among its executors, and the per-executor admission that sends each request only when the share
 * allows, learning real costs from Cosmos's {@code RequestCharge}.
 */
package io.github.cosmosspark.core.throughput;

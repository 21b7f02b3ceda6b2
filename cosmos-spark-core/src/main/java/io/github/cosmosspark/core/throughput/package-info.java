/**
 * Throughput control: a job's request-unit budget for a table, planned on the driver and shared
 * among its executors; the per-executor admission that sends each request only when the share
 * allows, learning real costs from Cosmos's {@code RequestCharge}; the one page-size rule; and the
 * one record of the throughput DDL provisioned. Hears of 429s through the retry layer's listener.
 */
package io.github.cosmosspark.core.throughput;

/**
 * Runnable programs, one per task a cosmos-spark user has (create, read, upsert, delete, copy, bulk
 * load), and the benchmark. With no account configured they run against the local emulator.
 */
package io.github.cosmosspark.examples;

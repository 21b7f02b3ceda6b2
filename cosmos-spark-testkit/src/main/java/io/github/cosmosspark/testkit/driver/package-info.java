/** Checks on the driver's own threads, for tests and benchmarks of code that runs on them. */
package io.github.cosmosspark.testkit.driver;

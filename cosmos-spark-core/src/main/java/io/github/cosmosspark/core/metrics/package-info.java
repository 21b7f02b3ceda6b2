/**
 * What each Spark task's Cosmos requests cost and how long they waited, counted per task and shown
 * as DataSource V2 custom metrics on the scan and write nodes of the Spark UI's SQL tab.
 */
package io.github.cosmosspark.core.metrics;

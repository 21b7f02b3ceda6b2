/**
 * Runnable programs, one per task a cosmos-spark user has: {@link QuickStart}, {@link TableDdl},
 * {@link InsertWithTtl}, {@link ReadAndQuery}, {@link Upsert}, {@link DeleteRows}, {@link
 * Aggregations}, {@link TableCopy}, {@link BulkLoad}, {@link StreamingWrite}, {@link
 * ChangeFeedToDelta}. With no account configured they run against the local emulator ({@link
 * ExampleAccount}).
 */
package io.github.cosmosspark.examples;

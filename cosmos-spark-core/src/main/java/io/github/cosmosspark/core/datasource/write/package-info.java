/**
 * SCC's batch and streaming writes: the DataFrame's schema checked against the table before any
 * task runs, each row checked before it is sent, the job's budget registered where each task
 * starts, and what each task's requests cost reported, after its last request too.
 */
package io.github.cosmosspark.core.datasource.write;

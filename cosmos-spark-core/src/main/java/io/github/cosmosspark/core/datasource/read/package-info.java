/**
 * SCC's scans, subclassed where SCC's planner rules match them by class: each task registers the
 * job's budget on its executor and reports what its requests cost.
 */
package io.github.cosmosspark.core.datasource.read;

package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.cql.CqlRequest;
import io.github.cosmosspark.core.errors.CosmosEndpointException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Says which regions a request could not reach, on an account with several: the driver's {@code
 * NoNodeAvailableException} and the retry loop's "endpoint down" name neither the region nor that
 * Cosmos accepts writes in one region only, which is what a user needs to decide what to do.
 */
final class RegionUnreachable {
  private RegionUnreachable() {}

  /**
   * The failure with the regions named, or {@code failure} itself when it is not about unreachable
   * regions or the account has one region (whose messages already name its endpoint).
   */
  static Throwable explain(
      Throwable failure, CqlRequest request, CosmosLoadBalancingPolicy policy) {
    if (policy == null || policy.regions().size() < 2 || !unreachable(failure)) {
      return failure;
    }
    Throwable cause = unwrap(failure);
    String account =
        policy.settings().account() == null ? "" : " '" + policy.settings().account() + "'";
    String table = request.table();
    boolean write = request.isWrite();
    if (write && !policy.settings().multiRegionWrites() && policy.writeRegionDown()) {
      return new CosmosEndpointException(
          table,
          String.format(
              "A write to %s could not reach the write region '%s' of account%s (%s): the region"
                  + " is down or unreachable from this executor. Cosmos DB accepts writes only in"
                  + " the write region while multi-region writes are off, so the write was not"
                  + " sent to another region. Wait for the region to come back and run the job"
                  + " again, or for the account to fail over to another write region"
                  + " (service-managed failover, or a manual failover in the portal); if the"
                  + " account has multi-region writes enabled, set %s=true to write in its other"
                  + " regions. (%s)",
              table,
              policy.writeRegion(),
              account,
              String.join(", ", policy.writeRegionEndpoints()),
              CosmosOptions.MULTI_REGION_WRITES.key(),
              cause.getMessage()),
          cause);
    }
    List<String> tried = new ArrayList<>();
    boolean allDown = true;
    for (String region : policy.regions()) {
      boolean down = policy.isDown(region);
      allDown &= down;
      tried.add(region + (down ? " (down)" : ""));
    }
    if (!allDown) {
      return failure;
    }
    return new CosmosEndpointException(
        table,
        String.format(
            "A %s %s reached none of the regions of account%s; tried, in order: %s. Check that"
                + " the account's regions are reachable from the executors (network, firewall,"
                + " a region outage) and run the job again once one is. (%s)",
            write ? "write to" : "read of",
            table,
            account,
            String.join(", ", tried),
            cause.getMessage()),
        cause);
  }

  /** Whether the request failed for want of a node to send it to, at once or after resends. */
  private static boolean unreachable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof NoNodeAvailableException || cause instanceof AllNodesFailedException) {
        return true;
      }
      if (cause instanceof CosmosEndpointException) {
        return true;
      }
    }
    return false;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}

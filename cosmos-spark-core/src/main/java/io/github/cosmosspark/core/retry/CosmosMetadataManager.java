package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.internal.core.channel.DriverChannel;
import com.datastax.oss.driver.internal.core.context.InternalDriverContext;
import com.datastax.oss.driver.internal.core.metadata.MetadataManager;
import io.github.cosmosspark.core.config.CosmosOptions;
import io.github.cosmosspark.core.config.RetrySettings;
import io.github.cosmosspark.core.errors.CosmosEndpointException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The driver's metadata manager, with two changes for Cosmos:
 *
 * <ul>
 *   <li>after a node list refresh it hands the tokens to the node the control connection moved to
 *       (see {@link CosmosTopologyMonitor}): refreshing that one node is the driver's only public
 *       path that rebuilds the token map's owners when no node was added or removed;
 *   <li>a schema refresh asked for while the control connection is down waits for it to come back,
 *       within the session's {@code retry.maxTimeMs}, instead of failing at once. SCC refreshes the
 *       schema before every table lookup, so without this a job started right after an outage (the
 *       rerun of one that gave up, say) failed with the driver's "Control channel not available"
 *       while its session was still reconnecting, though its requests would have waited.
 * </ul>
 */
final class CosmosMetadataManager extends MetadataManager {
  private static final long FIRST_PAUSE_MILLIS = 50;
  private static final long LONGEST_PAUSE_MILLIS = 1_000;

  private final InternalDriverContext context;
  private volatile boolean closing;

  CosmosMetadataManager(InternalDriverContext context) {
    super(context);
    this.context = context;
  }

  @Override
  public CompletionStage<Void> refreshNodes() {
    return super.refreshNodes()
        .thenCompose(
            refreshed -> {
              // Looked up here, not in the constructor: the driver builds its parts lazily, and
              // the topology monitor's own construction may lead back to this manager.
              UUID moved = ((CosmosTopologyMonitor) context.getTopologyMonitor()).movedOwner();
              Node node = moved == null ? null : getMetadata().getNodes().get(moved);
              return node == null
                  ? CompletableFuture.<Void>completedFuture(null)
                  : refreshNode(node);
            });
  }

  @Override
  public CompletionStage<RefreshSchemaResult> refreshSchema(
      String keyspace, boolean evenIfDisabled, boolean flushNow) {
    int waitMillis =
        context
            .getConfig()
            .getDefaultProfile()
            .getInt(
                CosmosDriverContext.SCHEMA_OUTAGE_WAIT_MS, RetrySettings.DEFAULTS.maxTimeMillis());
    CompletableFuture<RefreshSchemaResult> result = new CompletableFuture<>();
    refreshOnceConnected(
        new Attempt(keyspace, evenIfDisabled, flushNow, waitMillis, System.nanoTime()),
        FIRST_PAUSE_MILLIS,
        result);
    return result;
  }

  private void refreshOnceConnected(
      Attempt attempt, long pauseMillis, CompletableFuture<RefreshSchemaResult> result) {
    super.refreshSchema(attempt.keyspace, attempt.evenIfDisabled, attempt.flushNow)
        .whenComplete(
            (refreshed, error) -> {
              if (error == null) {
                result.complete(refreshed);
                return;
              }
              Throwable cause = unwrap(error);
              long elapsedMillis =
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attempt.startNanos);
              if (closing || !(controlConnectionDown() || isConnectionLoss(cause))) {
                result.completeExceptionally(cause);
              } else if (elapsedMillis + pauseMillis > attempt.waitMillis) {
                result.completeExceptionally(gaveUp(attempt, elapsedMillis, cause));
              } else {
                try {
                  // The driver's reconnection may be minutes into its back-off; a caller is
                  // waiting now, so ask for an attempt at once, then look again after a pause that
                  // is scheduled, not slept, on the driver's admin executor.
                  context.getControlConnection().reconnectNow();
                  context
                      .getNettyOptions()
                      .adminEventExecutorGroup()
                      .next()
                      .schedule(
                          () ->
                              refreshOnceConnected(
                                  attempt, Math.min(pauseMillis * 2, LONGEST_PAUSE_MILLIS), result),
                          pauseMillis,
                          TimeUnit.MILLISECONDS);
                } catch (RuntimeException e) {
                  result.completeExceptionally(e); // the driver's executor is shutting down
                }
              }
            });
  }

  private boolean controlConnectionDown() {
    DriverChannel channel = context.getControlConnection().channel();
    return channel == null || channel.closeFuture().isDone();
  }

  /** The driver's own words when the control connection is gone, or a connection that closed. */
  private static boolean isConnectionLoss(Throwable error) {
    return error instanceof ClosedConnectionException
        || (error instanceof IllegalStateException
            && String.valueOf(error.getMessage()).contains("Control channel not available"));
  }

  private CosmosEndpointException gaveUp(Attempt attempt, long elapsedMillis, Throwable last) {
    String what = attempt.keyspace == null ? "the schema" : "keyspace " + attempt.keyspace;
    return new CosmosEndpointException(
        null,
        String.format(
            "Could not read %s: the driver's control connection to the account's endpoint was"
                + " down for %,d ms (limit: %s=%d). Check that the endpoint is reachable (network,"
                + " firewall, region outage); raise retry.maxTimeMs to ride out a longer outage."
                + " Last error: %s",
            what,
            elapsedMillis,
            CosmosOptions.RETRY_MAX_TIME_MS.key(),
            attempt.waitMillis,
            last.getMessage()),
        last);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  @Override
  public CompletionStage<Void> closeAsync() {
    closing = true;
    return super.closeAsync();
  }

  @Override
  public CompletionStage<Void> forceCloseAsync() {
    closing = true;
    return super.forceCloseAsync();
  }

  /** One schema refresh a caller asked for, and how long it may wait for a connection. */
  private static final class Attempt {
    final String keyspace;
    final boolean evenIfDisabled;
    final boolean flushNow;
    final int waitMillis;
    final long startNanos;

    Attempt(
        String keyspace,
        boolean evenIfDisabled,
        boolean flushNow,
        int waitMillis,
        long startNanos) {
      this.keyspace = keyspace;
      this.evenIfDisabled = evenIfDisabled;
      this.flushNow = flushNow;
      this.waitMillis = waitMillis;
      this.startNanos = startNanos;
    }
  }
}

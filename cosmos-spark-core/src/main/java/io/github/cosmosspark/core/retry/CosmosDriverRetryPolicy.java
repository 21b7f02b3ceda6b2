package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DriverOption;
import com.datastax.oss.driver.api.core.context.DriverContext;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.retry.RetryDecision;
import com.datastax.oss.driver.api.core.retry.RetryPolicy;
import com.datastax.oss.driver.api.core.servererrors.CoordinatorException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import com.datastax.oss.driver.api.core.servererrors.WriteType;
import com.datastax.oss.driver.api.core.session.Request;
import io.github.cosmosspark.core.config.RetrySettings;
import io.github.cosmosspark.core.cql.CqlRequest;

/**
 * The driver's retry policy for what needs no wait: a read or write timeout, an unavailable answer,
 * a transient server error or a dropped connection is resent at once, to the same endpoint (a
 * Cosmos account is one endpoint per region), up to {@code retry.timeoutRetries} times. The driver
 * asks only for idempotent statements after a write timeout, an aborted request or an error answer,
 * so a non-idempotent write is never resent after those.
 *
 * <p>On an account with several regions, "the same endpoint" moves on by itself when a region goes
 * down: the driver resends to the same node only while it has an open connection to it, and
 * otherwise takes the next node of the request's query plan, the next region in the load-balancing
 * policy's order. A page of a scan is resent with its paging state, so the scan resumes where it
 * was (MultiRegionRoutingTest measures it).
 *
 * <p>Rate limits (Overloaded) are rethrown here, at once, for {@link RetryingSession} to resend
 * after Cosmos's wait on a timer: this policy runs on a driver I/O thread and must not wait.
 */
public final class CosmosDriverRetryPolicy implements RetryPolicy {

  /** Where the connection factory puts {@code retry.timeoutRetries} in the driver's settings. */
  public static final DriverOption TIMEOUT_RETRIES =
      new DriverOption() {
        @Override
        public String getPath() {
          return "advanced.retry-policy.cosmos-timeout-retries";
        }
      };

  private final int timeoutRetries;
  private final RetryStatistics statistics;

  /**
   * The constructor the driver calls. Outside a Cosmos session's context (a session someone built
   * with this policy by hand) the resends are counted where nobody reads them.
   */
  public CosmosDriverRetryPolicy(DriverContext context, String profileName) {
    this.timeoutRetries =
        context
            .getConfig()
            .getProfile(profileName)
            .getInt(TIMEOUT_RETRIES, RetrySettings.DEFAULTS.timeoutRetries());
    this.statistics =
        context instanceof CosmosDriverContext
            ? ((CosmosDriverContext) context).retryStatistics()
            : new RetryStatistics();
  }

  @Override
  @Deprecated
  public RetryDecision onReadTimeout(
      Request request,
      ConsistencyLevel consistency,
      int blockFor,
      int received,
      boolean dataPresent,
      int retryCount) {
    // The driver asks about read timeouts whatever the statement; a write can time out in its read
    // phase (a conditional update), so resend only what is marked idempotent.
    return isIdempotent(request) ? retrySameOrRethrow(request, retryCount) : RetryDecision.RETHROW;
  }

  @Override
  @Deprecated
  public RetryDecision onWriteTimeout(
      Request request,
      ConsistencyLevel consistency,
      WriteType writeType,
      int blockFor,
      int received,
      int retryCount) {
    return retrySameOrRethrow(request, retryCount);
  }

  @Override
  @Deprecated
  public RetryDecision onUnavailable(
      Request request, ConsistencyLevel consistency, int required, int alive, int retryCount) {
    // Unavailable means the coordinator did not start the write: safe to resend any statement.
    return retrySameOrRethrow(request, retryCount);
  }

  @Override
  @Deprecated
  public RetryDecision onRequestAborted(Request request, Throwable error, int retryCount) {
    return retrySameOrRethrow(request, retryCount);
  }

  @Override
  @Deprecated
  public RetryDecision onErrorResponse(
      Request request, CoordinatorException error, int retryCount) {
    if (error instanceof OverloadedException || !(error instanceof ServerError)) {
      return RetryDecision.RETHROW;
    }
    return retrySameOrRethrow(request, retryCount);
  }

  private static boolean isIdempotent(Request request) {
    return !(request instanceof Statement)
        || Boolean.TRUE.equals(((Statement<?>) request).isIdempotent());
  }

  private RetryDecision retrySameOrRethrow(Request request, int retryCount) {
    if (retryCount >= timeoutRetries) {
      return RetryDecision.RETHROW;
    }
    statistics.forTable(CqlRequest.of(request).table()).immediateRetries.increment();
    return RetryDecision.RETRY_SAME;
  }

  @Override
  public void close() {}
}

package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PrepareRequest;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.type.reflect.GenericType;
import com.datastax.oss.driver.internal.core.cql.ResultSets;
import com.datastax.oss.driver.internal.core.session.SessionWrapper;
import com.datastax.oss.driver.internal.core.util.concurrent.BlockingOperation;
import com.datastax.oss.driver.internal.core.util.concurrent.CompletableFutures;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session SCC gets: every statement, every later page of a result and every prepare goes
 * through {@link RateLimitRetry}, so a rate-limited request is resent after Cosmos's {@code
 * RetryAfterMs} without any thread waiting for it.
 *
 * <p>Why here and not in a driver {@code RetryPolicy}: a policy answers at once, on the I/O thread
 * that received the error, so waiting there stalls every request on that connection. Why not in
 * SCC's scanner: writes, joins, counts and DDL never pass through it, while every one of them, and
 * every page SCC fetches with {@code fetchNextPage()}, passes through the session.
 */
public final class RetryingSession extends SessionWrapper implements CqlSession {
  private static final Logger LOG = LoggerFactory.getLogger(RetryingSession.class);

  private final CqlSession delegate;
  private final RetrySettings settings;
  private final Map<String, RetryStatistics.Snapshot> atOpen = RetryStatistics.snapshot();

  public RetryingSession(CqlSession delegate, RetrySettings settings) {
    super(delegate);
    this.delegate = delegate;
    this.settings = settings;
  }

  /** The retry limits this session applies. */
  public RetrySettings settings() {
    return settings;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <RequestT extends Request, ResultT> ResultT execute(
      RequestT request, GenericType<ResultT> resultType) {
    if (request instanceof Statement && resultType.equals(Statement.ASYNC)) {
      return (ResultT) executeWithRetries((Statement<?>) request);
    }
    if (request instanceof Statement && resultType.equals(Statement.SYNC)) {
      BlockingOperation.checkNotDriverThread();
      return (ResultT)
          ResultSets.newInstance(
              CompletableFutures.getUninterruptibly(executeWithRetries((Statement<?>) request)));
    }
    if (request instanceof PrepareRequest && resultType.equals(PrepareRequest.ASYNC)) {
      return (ResultT) prepareWithRetries((PrepareRequest) request);
    }
    if (request instanceof PrepareRequest && resultType.equals(PrepareRequest.SYNC)) {
      BlockingOperation.checkNotDriverThread();
      return (ResultT)
          CompletableFutures.getUninterruptibly(prepareWithRetries((PrepareRequest) request));
    }
    return delegate.execute(request, resultType);
  }

  /** Sends the statement until Cosmos stops rate-limiting it; later pages are sent the same way. */
  CompletionStage<AsyncResultSet> executeWithRetries(Statement<?> statement) {
    RequestTables.noteProvisionedThroughput(statement);
    return RateLimitRetry.<AsyncResultSet>send(
            () -> delegate.execute(statement, Statement.ASYNC),
            RequestTables.tableOf(statement),
            settings)
        .thenApply(page -> new RetryingAsyncResultSet(page, this));
  }

  private CompletionStage<PreparedStatement> prepareWithRetries(PrepareRequest request) {
    return RateLimitRetry.send(
        () -> delegate.execute(request, PrepareRequest.ASYNC),
        RequestTables.tableOf(request),
        settings);
  }

  @Override
  public CompletionStage<Void> closeAsync() {
    logSummary();
    return super.closeAsync();
  }

  @Override
  public CompletionStage<Void> forceCloseAsync() {
    logSummary();
    return super.forceCloseAsync();
  }

  /**
   * One line per table this JVM retried for while the session was open. Concurrent sessions of one
   * JVM (rare: one per account and endpoint) each report the JVM's counts for that period.
   */
  private void logSummary() {
    for (Map.Entry<String, RetryStatistics.Snapshot> entry :
        RetryStatistics.snapshot().entrySet()) {
      RetryStatistics.Snapshot before = atOpen.get(entry.getKey());
      RetryStatistics.Snapshot during =
          before == null ? entry.getValue() : entry.getValue().minus(before);
      if (!during.isZero()) {
        LOG.info("Cosmos DB retries for {} in session {}: {}", entry.getKey(), getName(), during);
      }
    }
  }
}

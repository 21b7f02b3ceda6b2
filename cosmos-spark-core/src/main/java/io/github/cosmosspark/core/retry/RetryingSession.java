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
import io.github.cosmosspark.core.metrics.RequestMetrics;
import io.github.cosmosspark.core.throughput.RequestUnitStatistics;
import io.github.cosmosspark.core.throughput.TableThrottle;
import io.github.cosmosspark.core.throughput.Throttles;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
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
  private static final String REQUEST_CHARGE = "RequestCharge";
  private static final double PAGE_SHARE_OF_SECOND = 0.05;
  private static final int FEWEST_ROWS_PER_PAGE = 10;

  /** The driver's {@code basic.request.page-size}, which SCC leaves alone. */
  private static final int DEFAULT_PAGE_SIZE = 5000;

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
      return (ResultT) executeFirstPage((Statement<?>) request);
    }
    if (request instanceof Statement && resultType.equals(Statement.SYNC)) {
      BlockingOperation.checkNotDriverThread();
      return (ResultT)
          ResultSets.newInstance(
              CompletableFutures.getUninterruptibly(executeFirstPage((Statement<?>) request)));
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

  /**
   * Sends a statement's first page, counted for the task running on this thread. With a budget on
   * the table, the page is smaller than asked until a page shows what a row costs: rows are charged
   * by size, and a first page sized from a guess can cost several seconds of budget at once.
   */
  private CompletionStage<AsyncResultSet> executeFirstPage(Statement<?> statement) {
    String table = RequestTables.tableOf(statement);
    int askedPageSize = statement.getPageSize() > 0 ? statement.getPageSize() : DEFAULT_PAGE_SIZE;
    TableThrottle throttle = Throttles.forTable(table);
    Statement<?> sent = statement;
    if (throttle != null && !throttle.isLearning() && !RequestTables.isWrite(statement)) {
      // Until measured, rows are taken to cost what Cosmos charges for a kilobyte: 1 RU.
      int probe =
          (int) Math.max(FEWEST_ROWS_PER_PAGE, throttle.shareRuPerSecond() * PAGE_SHARE_OF_SECOND);
      if (probe < askedPageSize) {
        sent = statement.setPageSize(probe);
      }
    }
    return executeWithRetries(sent, RequestMetrics.forCurrentTask(table), askedPageSize);
  }

  /**
   * Sends the statement until Cosmos stops rate-limiting it; later pages are sent the same way.
   *
   * @param metrics the counters of the task that sent the first page
   * @param askedPageSize the page size the statement's sender asked for: no page is larger
   */
  CompletionStage<AsyncResultSet> executeWithRetries(
      Statement<?> statement, RequestMetrics metrics, int askedPageSize) {
    RequestTables.noteProvisionedThroughput(statement);
    String table = RequestTables.tableOf(statement);
    // Looked up on every send: a throttle learned from this request's own 429s admits its resends.
    Supplier<CompletionStage<AsyncResultSet>> send =
        () -> {
          TableThrottle throttle = Throttles.forTable(table);
          return throttle == null
              ? unthrottled(statement, table, metrics)
              : admitted(statement, table, throttle, metrics);
        };
    return RateLimitRetry.send(send, table, settings, metrics, runsTwiceSafely(statement))
        .thenApply(page -> new RetryingAsyncResultSet(page, this, metrics, askedPageSize));
  }

  private CompletionStage<AsyncResultSet> unthrottled(
      Statement<?> statement, String table, RequestMetrics metrics) {
    return delegate
        .execute(statement, Statement.ASYNC)
        .thenApply(
            page -> {
              double charge = charge(page, 0);
              metrics.recordResponse(charge);
              RequestUnitStatistics.record(table, charge);
              Throttles.recordCharge(table, charge);
              return page;
            });
  }

  /**
   * Sends once the table's budget allows, waiting on the timer, and corrects the budget with the
   * charge Cosmos reports.
   */
  private CompletionStage<AsyncResultSet> admitted(
      Statement<?> statement, String table, TableThrottle throttle, RequestMetrics metrics) {
    boolean write = RequestTables.isWrite(statement);
    double estimate = throttle.estimate(write);
    long waitNanos = throttle.reserve(estimate);
    metrics.recordBudgetWait(waitNanos);
    CompletableFuture<AsyncResultSet> result = new CompletableFuture<>();
    Runnable send =
        () ->
            delegate
                .execute(statement, Statement.ASYNC)
                .whenComplete(
                    (page, error) -> {
                      try {
                        double charge = page == null ? 0 : charge(page, estimate);
                        if (page != null) {
                          metrics.recordResponse(charge);
                          // Only what Cosmos reported, not the estimate standing in for it.
                          RequestUnitStatistics.record(table, charge(page, 0));
                        }
                        throttle.settle(write, estimate, charge);
                      } finally {
                        if (error != null) {
                          result.completeExceptionally(error);
                        } else {
                          result.complete(page);
                        }
                      }
                    });
    Runnable guarded =
        () -> {
          try {
            send.run();
          } catch (RuntimeException error) {
            throttle.settle(write, estimate, 0);
            result.completeExceptionally(error);
          }
        };
    if (waitNanos <= 0) {
      guarded.run();
    } else {
      RateLimitRetry.schedule(guarded, waitNanos);
    }
    return result;
  }

  /**
   * With a budget on the table, the size of the next page of a scan, so that a page costs at most a
   * twentieth of the executor's second: a page is charged all at once when it arrives, and pages
   * larger than that make the table's per-second charge jump past the budget. Measured on the page
   * just read (its charge per row), never above {@code asked}; 0 keeps the size.
   */
  int nextPageSize(Statement<?> statement, AsyncResultSet page, int rowsInPage, int asked) {
    TableThrottle throttle = Throttles.forTable(RequestTables.tableOf(statement));
    double charge = charge(page, 0);
    if (throttle == null || throttle.isLearning() || rowsInPage <= 0 || charge <= 0) {
      return 0;
    }
    double rows = throttle.shareRuPerSecond() * PAGE_SHARE_OF_SECOND / (charge / rowsInPage);
    return (int) Math.max(FEWEST_ROWS_PER_PAGE, Math.min(asked, Math.floor(rows)));
  }

  /** Reads change nothing; a write only when it is marked idempotent (SCC marks its upserts). */
  private static boolean runsTwiceSafely(Statement<?> statement) {
    return !RequestTables.isWrite(statement) || Boolean.TRUE.equals(statement.isIdempotent());
  }

  /** The request units Cosmos charged, from the response's custom payload. */
  private static double charge(AsyncResultSet page, double otherwise) {
    ByteBuffer charge = page.getExecutionInfo().getIncomingPayload().get(REQUEST_CHARGE);
    return charge != null && charge.remaining() == Double.BYTES
        ? charge.duplicate().getDouble()
        : otherwise;
  }

  private CompletionStage<PreparedStatement> prepareWithRetries(PrepareRequest request) {
    return RateLimitRetry.send(
        () -> delegate.execute(request, PrepareRequest.ASYNC),
        RequestTables.tableOf(request),
        settings,
        RequestMetrics.UNATTRIBUTED,
        true);
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

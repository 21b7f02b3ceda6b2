package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PrepareRequest;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.loadbalancing.LoadBalancingPolicy;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.type.reflect.GenericType;
import com.datastax.oss.driver.internal.core.cql.ResultSets;
import com.datastax.oss.driver.internal.core.session.SessionWrapper;
import com.datastax.oss.driver.internal.core.util.concurrent.BlockingOperation;
import com.datastax.oss.driver.internal.core.util.concurrent.CompletableFutures;
import io.github.cosmosspark.core.config.RetrySettings;
import io.github.cosmosspark.core.cql.CqlRequest;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import io.github.cosmosspark.core.retry.RateLimitListener;
import io.github.cosmosspark.core.retry.RateLimitRetry;
import io.github.cosmosspark.core.retry.RateLimits;
import io.github.cosmosspark.core.retry.RetryStatistics;
import io.github.cosmosspark.core.throughput.HotPartitions;
import io.github.cosmosspark.core.throughput.RequestSizing;
import io.github.cosmosspark.core.throughput.TableThrottle;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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

  /** Until a page is measured, rows are taken to cost what Cosmos charges for a kilobyte: 1 RU. */
  private static final double FIRST_PAGE_RU_PER_ROW = 1;

  /** The driver's {@code basic.request.page-size}, which SCC leaves alone. */
  private static final int DEFAULT_PAGE_SIZE = 5000;

  private final CqlSession delegate;
  private final RetrySettings settings;
  private final CosmosRuntime runtime;
  private final RateLimitRetry.Context retryContext;
  private final Map<String, RetryStatistics.Snapshot> atOpen;

  /** The session's router by region, or null for a session built without it. */
  private final CosmosLoadBalancingPolicy regions;

  /**
   * @param runtime the JVM's runtime: throttles, statistics and timer this session shares with
   *     every other session of the JVM
   */
  public RetryingSession(CqlSession delegate, RetrySettings settings, CosmosRuntime runtime) {
    super(delegate);
    this.delegate = delegate;
    this.settings = settings;
    this.runtime = runtime;
    // Throttles are looked up through the runtime on each 429: a test may start a clean set.
    this.retryContext =
        new RateLimitRetry.Context(
            settings,
            runtime.timer(),
            runtime.retryStatistics(),
            new RateLimitsSeen(),
            runtime.provisionedThroughput()::forTable);
    this.atOpen = runtime.retryStatistics().snapshot();
    LoadBalancingPolicy policy =
        delegate.getContext().getLoadBalancingPolicy(DriverExecutionProfile.DEFAULT_NAME);
    this.regions =
        policy instanceof CosmosLoadBalancingPolicy ? (CosmosLoadBalancingPolicy) policy : null;
  }

  /** The stage, its failure explained by region when the request reached no region it may go to. */
  private <T> CompletionStage<T> namingRegions(CompletionStage<T> answer, CqlRequest request) {
    if (regions == null) {
      return answer;
    }
    CompletableFuture<T> explained = new CompletableFuture<>();
    answer.whenComplete(
        (value, error) -> {
          if (error == null) {
            explained.complete(value);
          } else {
            explained.completeExceptionally(RegionUnreachable.explain(error, request, regions));
          }
        });
    return explained;
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
    CqlRequest request = CqlRequest.of(statement);
    int askedPageSize = statement.getPageSize() > 0 ? statement.getPageSize() : DEFAULT_PAGE_SIZE;
    TableThrottle throttle = runtime.throttles().forTable(request.table());
    Statement<?> sent = request.markedForDriver(statement);
    if (throttle != null && !throttle.isLearning() && !request.isWrite()) {
      int probe =
          RequestSizing.rowsPerPage(
              throttle.taskShareRuPerSecond(), FIRST_PAGE_RU_PER_ROW, askedPageSize);
      if (probe < askedPageSize) {
        sent = sent.setPageSize(probe);
      }
    }
    return executeWithRetries(
        sent, request, runtime.taskMetrics().forCurrentTask(request.table()), askedPageSize);
  }

  /**
   * Sends the statement until Cosmos stops rate-limiting it; later pages are sent the same way.
   *
   * @param metrics the counters of the task that sent the first page
   * @param askedPageSize the page size the statement's sender asked for: no page is larger
   */
  CompletionStage<AsyncResultSet> executeWithRetries(
      Statement<?> statement, CqlRequest request, RequestMetrics metrics, int askedPageSize) {
    String table = request.table();
    // Looked up on every send: a throttle learned from this request's own 429s admits its resends.
    Supplier<CompletionStage<AsyncResultSet>> send =
        () -> {
          TableThrottle throttle = runtime.throttles().forTable(table);
          return throttle == null
              ? unthrottled(statement, table, metrics)
              : admitted(statement, request, throttle, metrics);
        };
    return namingRegions(
            RateLimitRetry.send(
                send,
                table,
                retryContext,
                metrics,
                request.runsTwiceSafely(),
                () -> PartitionKeyText.of(statement),
                () -> LargestRow.of(statement)),
            request)
        .thenApply(
            page -> {
              noteProvisionedThroughput(request);
              return new RetryingAsyncResultSet(page, this, request, metrics, askedPageSize);
            });
  }

  /** Remembers the throughput a CREATE or ALTER statement provisioned, once it has run. */
  private void noteProvisionedThroughput(CqlRequest request) {
    CqlRequest.ProvisionedByDdl provisioned = request.provisioned();
    if (provisioned != null) {
      runtime
          .provisionedThroughput()
          .record(provisioned.name(), provisioned.ruPerSecond(), provisioned.autoscale());
    }
  }

  private CompletionStage<AsyncResultSet> unthrottled(
      Statement<?> statement, String table, RequestMetrics metrics) {
    long sentNanos = System.nanoTime();
    return delegate
        .execute(statement, Statement.ASYNC)
        .whenComplete(
            (page, error) -> {
              if (page != null) {
                double charge = charge(page, 0);
                metrics.recordResponse(charge);
                runtime.requestUnits().record(table, charge);
                runtime.throttles().recordCharge(table, charge);
                runtime.hotPartitions().recordCharge(table, charge, System.nanoTime());
              }
              timeAnswer(table, sentNanos, page, error);
            });
  }

  /**
   * Lets the table's throttle judge how long the answer took: on an account with server-side retry,
   * a late answer or a timeout is the only sign of a budget exceeded. Other errors say nothing
   * about the budget and are not timed.
   */
  private void timeAnswer(String table, long sentNanos, AsyncResultSet page, Throwable error) {
    boolean timedOut = page == null && RateLimits.serverTimedOut(error);
    if (page != null || timedOut) {
      runtime
          .throttles()
          .onAnswer(
              table,
              sentNanos,
              System.nanoTime() - sentNanos,
              page == null ? 0 : charge(page, 0),
              timedOut);
    }
  }

  /**
   * Sends once the table's budget allows, waiting on the timer, and corrects the budget with the
   * charge Cosmos reports.
   */
  private CompletionStage<AsyncResultSet> admitted(
      Statement<?> statement, CqlRequest request, TableThrottle throttle, RequestMetrics metrics) {
    String table = request.table();
    boolean write = request.isWrite();
    double estimate = throttle.estimate(write);
    long waitNanos = throttle.reserve(estimate);
    metrics.recordBudgetWait(waitNanos);
    CompletableFuture<AsyncResultSet> result = new CompletableFuture<>();
    Runnable send =
        () -> {
          long sentNanos = System.nanoTime();
          delegate
              .execute(statement, Statement.ASYNC)
              .whenComplete(
                  (page, error) -> {
                    try {
                      timeAnswer(table, sentNanos, page, error);
                      double charge = page == null ? 0 : charge(page, estimate);
                      if (page != null) {
                        metrics.recordResponse(charge);
                        // Only what Cosmos reported, not the estimate standing in for it.
                        double reported = charge(page, 0);
                        runtime.requestUnits().record(table, reported);
                        runtime.hotPartitions().recordCharge(table, reported, System.nanoTime());
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
        };
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
      runtime.timer().schedule(guarded, waitNanos, TimeUnit.NANOSECONDS);
    }
    return result;
  }

  /**
   * With a budget on the table, the size of the next page of a scan, by the one page-size rule
   * ({@link RequestSizing#rowsPerPage}) applied to what the page just read cost per row: a page is
   * charged all at once when it arrives, and pages larger than that make the table's per-second
   * charge jump past the budget. Never above {@code asked}; 0 keeps the size.
   */
  int nextPageSize(CqlRequest request, AsyncResultSet page, int rowsInPage, int asked) {
    TableThrottle throttle = runtime.throttles().forTable(request.table());
    double charge = charge(page, 0);
    if (throttle == null || throttle.isLearning() || rowsInPage <= 0 || charge <= 0) {
      return 0;
    }
    return RequestSizing.rowsPerPage(throttle.taskShareRuPerSecond(), charge / rowsInPage, asked);
  }

  /** The request units Cosmos charged, from the response's custom payload. */
  private static double charge(AsyncResultSet page, double otherwise) {
    ByteBuffer charge = page.getExecutionInfo().getIncomingPayload().get(REQUEST_CHARGE);
    return charge != null && charge.remaining() == Double.BYTES
        ? charge.duplicate().getDouble()
        : otherwise;
  }

  private CompletionStage<PreparedStatement> prepareWithRetries(PrepareRequest request) {
    CqlRequest what = CqlRequest.of(request);
    return namingRegions(
        RateLimitRetry.send(
            () -> delegate.execute(request, PrepareRequest.ASYNC),
            what.table(),
            retryContext,
            runtime.taskMetrics().unattributed(),
            true),
        what);
  }

  /**
   * Hears every 429: the table's throttle slows down, and the hot-partition watch compares it with
   * how much of the budget this JVM was using, saying so once when a partition looks hot.
   */
  private final class RateLimitsSeen implements RateLimitListener {
    @Override
    public void onRateLimited(String table, long sentNanos) {
      runtime.throttles().onRateLimited(table, sentNanos);
    }

    @Override
    public boolean onRateLimited(String table, long sentNanos, Supplier<String> key) {
      TableThrottle throttle = runtime.throttles().forTable(table);
      double share =
          throttle == null || throttle.isLearning()
              ? Double.POSITIVE_INFINITY
              : throttle.shareRuPerSecond();
      runtime.throttles().onRateLimited(table, sentNanos);
      HotPartitions hot = runtime.hotPartitions();
      boolean underBudget = hot.onRateLimited(table, key.get(), share, System.nanoTime());
      if (underBudget) {
        String finding = hot.finding(table);
        if (finding != null) {
          runtime.warnings().warn(LOG, "hot-partition " + table, "{}", finding);
        }
      }
      return underBudget;
    }
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
        runtime.retryStatistics().snapshot().entrySet()) {
      RetryStatistics.Snapshot before = atOpen.get(entry.getKey());
      RetryStatistics.Snapshot during =
          before == null ? entry.getValue() : entry.getValue().minus(before);
      if (!during.isZero()) {
        String hot = runtime.hotPartitions().finding(entry.getKey());
        LOG.info(
            "Cosmos DB retries for {} in session {}: {}{}",
            entry.getKey(),
            getName(),
            during,
            hot == null ? "" : "; hot partition: " + hot);
      }
    }
  }
}

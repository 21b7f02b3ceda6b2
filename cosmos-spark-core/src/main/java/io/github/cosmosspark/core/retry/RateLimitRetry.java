package io.github.cosmosspark.core.retry;

import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.WriteFailureException;
import io.github.cosmosspark.core.config.RetrySettings;
import io.github.cosmosspark.core.metrics.RequestMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Sends one request until it is not rate-limited, waiting between sends on a timer: the answer
 * arrives on a driver I/O thread, which only schedules the next send and returns.
 *
 * @param <T> what the request returns
 */
public final class RateLimitRetry<T> {
  /**
   * Resends of one write after write failures. A 449 (another write to the row in flight) clears
   * when that write answers, in milliseconds; with the backoff doubling from 50–100 ms to 2.5–5 s,
   * 15 resends wait up to about a minute, long enough for any burst of writes to one row, short
   * enough that a failure that does not clear (412, 404) fails the task within it.
   */
  static final int WRITE_FAILURE_RESENDS = 15;

  private final Supplier<CompletionStage<T>> send;
  private final String table;
  private final Context context;
  private final RetryStatistics.Counters counters;
  private final RequestMetrics metrics;
  private final boolean runsTwiceSafely;
  private final Supplier<String> key;
  private final Supplier<RowSize> largestRow;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final long startNanos = System.nanoTime();
  private int attempts;
  private int rateLimited;
  private int connectionsBusy;
  private int connectionsLost;
  private int endpointDown;
  private int requestTimeouts;
  private int writeFailures;
  private long waitedMillis;
  private long lastSendNanos;

  /**
   * What every resend loop of one session shares: its limits, the JVM's timer and statistics, who
   * hears of 429s, and what the table is provisioned with, for the message when a request gives up.
   */
  public static final class Context {
    private final RetrySettings settings;
    private final ScheduledExecutorService timer;
    private final RetryStatistics statistics;
    private final RateLimitListener listener;
    private final ToLongFunction<String> provisionedRuPerSecond;

    /**
     * @param timer where every wait is scheduled: it only starts sends (the driver's executeAsync
     *     returns at once), so one thread serves a JVM
     * @param provisionedRuPerSecond the table's known throughput, or -1
     */
    public Context(
        RetrySettings settings,
        ScheduledExecutorService timer,
        RetryStatistics statistics,
        RateLimitListener listener,
        ToLongFunction<String> provisionedRuPerSecond) {
      this.settings = settings;
      this.timer = timer;
      this.statistics = statistics;
      this.listener = listener;
      this.provisionedRuPerSecond = provisionedRuPerSecond;
    }

    public RetrySettings settings() {
      return settings;
    }
  }

  private RateLimitRetry(
      Supplier<CompletionStage<T>> send,
      String table,
      Context context,
      RequestMetrics metrics,
      boolean runsTwiceSafely,
      Supplier<String> key,
      Supplier<RowSize> largestRow) {
    this.send = send;
    this.key = key;
    this.largestRow = largestRow;
    this.table = table;
    this.context = context;
    this.counters = context.statistics.forTable(table);
    this.metrics = metrics;
    this.runsTwiceSafely = runsTwiceSafely;
  }

  /**
   * Sends now; the stage completes with the first answer that is not a rate limit.
   *
   * @param runsTwiceSafely whether the request may be resent when its connection was lost before
   *     the answer, not knowing whether it ran: reads, prepares and idempotent writes
   */
  public static <T> CompletionStage<T> send(
      Supplier<CompletionStage<T>> send,
      String table,
      Context context,
      RequestMetrics metrics,
      boolean runsTwiceSafely) {
    return send(send, table, context, metrics, runsTwiceSafely, () -> null, () -> RowSize.UNKNOWN);
  }

  /**
   * As {@link #send(Supplier, String, Context, RequestMetrics, boolean)}, telling the listener of
   * each 429 which partition key was refused.
   *
   * @param key the request's partition key, readable; asked for only on a 429
   * @param largestRow the largest row the request writes, with its key; asked for only on a write
   *     failure, to tell a row over 2 MB (413, never resent) from the failures that clear
   */
  public static <T> CompletionStage<T> send(
      Supplier<CompletionStage<T>> send,
      String table,
      Context context,
      RequestMetrics metrics,
      boolean runsTwiceSafely,
      Supplier<String> key,
      Supplier<RowSize> largestRow) {
    RateLimitRetry<T> retry =
        new RateLimitRetry<>(send, table, context, metrics, runsTwiceSafely, key, largestRow);
    retry.attempt();
    return retry.result;
  }

  private void attempt() {
    attempts++;
    lastSendNanos = System.nanoTime();
    CompletionStage<T> answer;
    try {
      answer = send.get();
    } catch (RuntimeException error) {
      result.completeExceptionally(error);
      return;
    }
    answer.whenComplete(this::onAnswer);
  }

  private void onAnswer(T value, Throwable error) {
    if (error == null) {
      result.complete(value);
      return;
    }
    OverloadedException rateLimit = RateLimits.rateLimitError(error);
    WriteFailureException writeFailure = rateLimit == null ? RateLimits.writeFailure(error) : null;
    long delay;
    if (writeFailure != null) {
      // Cosmos's 449 (another write to the row in flight) and its kin; driver 4 drops the text
      // that names the code, so only a row over 2 MB (413) is told apart, by its size.
      writeFailures++;
      counters.writeFailures.increment();
      RowSize row = largestRow.get();
      if (row.overLimit()) {
        counters.exhausted.increment();
        result.completeExceptionally(GiveUp.tooLarge(table, row, writeFailure));
        return;
      }
      if (!runsTwiceSafely || writeFailures > WRITE_FAILURE_RESENDS) {
        counters.exhausted.increment();
        result.completeExceptionally(
            GiveUp.writeFailed(
                table,
                row,
                writeFailures,
                writeFailures - 1,
                runsTwiceSafely,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                writeFailure));
        return;
      }
      delay = RateLimits.backoffMillis(writeFailures);
    } else if (rateLimit != null) {
      rateLimited++;
      counters.rateLimited.increment();
      metrics.recordRateLimited(context.listener.onRateLimited(table, lastSendNanos, key));
      delay = RateLimits.delayMillis(rateLimit, rateLimited);
    } else if (RateLimits.notSentChannelClosed(error)
        || (runsTwiceSafely && RateLimits.connectionLost(error))) {
      // The driver reconnects on its own; resending at once would find no connection yet. Checked
      // before busy connections: a closed channel also means nothing was sent, but it is a drop.
      connectionsLost++;
      counters.connectionsLost.increment();
      delay = RateLimits.backoffMillis(connectionsLost);
    } else if (RateLimits.notSentConnectionsBusy(error)) {
      // Many requests in flight and quick 429s can fill every connection; this one never left.
      connectionsBusy++;
      counters.connectionsBusy.increment();
      delay = RateLimits.backoffMillis(connectionsBusy);
    } else if (RateLimits.notSentEndpointDown(error)) {
      // A restarting or unreachable endpoint: nothing was sent, and the driver keeps reconnecting
      // on its own schedule, so waiting out the outage within retry.maxTimeMs loses nothing.
      endpointDown++;
      counters.endpointDown.increment();
      delay = RateLimits.backoffMillis(endpointDown);
    } else if (RateLimits.timedOut(error)) {
      if (!runsTwiceSafely || requestTimeouts >= context.settings.timeoutRetries()) {
        counters.exhausted.increment();
        result.completeExceptionally(
            GiveUp.timedOut(
                table,
                requestTimeouts + 1,
                runsTwiceSafely,
                context.settings,
                RateLimits.cause(error)));
        return;
      }
      // A latency spike: the late answer is dropped by the driver, and the resend may be quick.
      requestTimeouts++;
      counters.requestTimeouts.increment();
      delay = RateLimits.backoffMillis(requestTimeouts);
    } else if (RateLimits.serverTimedOut(error)) {
      // The driver's policy has already resent it, at once, as often as retry.timeoutRetries
      // allows (and not at all when it may not run twice); what is left is to say why it failed.
      counters.exhausted.increment();
      result.completeExceptionally(
          GiveUp.serverTimedOut(
              table,
              RateLimits.sends(error),
              runsTwiceSafely,
              context.settings,
              RateLimits.cause(error)));
      return;
    } else {
      result.completeExceptionally(error);
      return;
    }
    RetrySettings settings = context.settings;
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    if (attempts >= settings.maxAttempts() || elapsedMillis + delay > settings.maxTimeMillis()) {
      counters.exhausted.increment();
      if (writeFailure != null) {
        result.completeExceptionally(
            GiveUp.writeFailed(
                table,
                largestRow.get(),
                writeFailures,
                writeFailures - 1,
                true,
                elapsedMillis,
                writeFailure));
        return;
      }
      if (rateLimit == null) {
        // The last error decides the message: it says what the endpoint was doing when the
        // limits ran out, whatever it did before.
        result.completeExceptionally(
            RateLimits.notSentEndpointDown(error)
                ? GiveUp.endpointDown(
                    table, endpointDown, elapsedMillis, settings, RateLimits.cause(error))
                : GiveUp.unanswered(
                    table,
                    attempts,
                    connectionsLost + connectionsBusy + endpointDown + requestTimeouts,
                    elapsedMillis,
                    settings,
                    RateLimits.cause(error)));
        return;
      }
      result.completeExceptionally(
          GiveUp.rateLimited(
              table,
              rateLimited,
              waitedMillis,
              elapsedMillis,
              context.provisionedRuPerSecond.applyAsLong(table),
              settings,
              rateLimit));
      return;
    }
    waitedMillis += delay;
    counters.retries.increment();
    counters.backoffMillis.add(delay);
    metrics.recordRetry(delay);
    try {
      context.timer.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
    } catch (RuntimeException rejected) {
      result.completeExceptionally(rejected);
    }
  }
}

package io.github.cosmosspark.core.throughput;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.apache.spark.SparkEnv;
import org.apache.spark.storage.BlockManagerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.Iterator;

/**
 * How many executors the application has now, as an executor sees it. The driver splits a budget
 * among the executors that exist when a job starts; with dynamic allocation they come and go while
 * it runs, and every executor's share must follow, or the job overshoots the table (more executors)
 * or leaves RU unused (fewer). Each executor asks the driver's block manager master, which every
 * executor registers with, every few seconds on its own thread.
 */
final class LiveExecutors {
  private static final Logger LOG = LoggerFactory.getLogger(LiveExecutors.class);
  private static final long POLL_SECONDS = 5;

  private final AtomicBoolean started = new AtomicBoolean();
  private final IntConsumer reshare;
  private volatile int count;

  /**
   * @param reshare shares every budget of the JVM among a new number of executors
   */
  LiveExecutors(IntConsumer reshare) {
    this.reshare = reshare;
  }

  /** Executors alive now, or {@code planned} before the first answer and on the driver. */
  int count(int planned) {
    startOnExecutor();
    int now = count;
    return now > 0 ? now : planned;
  }

  /** A new count: every budget of this JVM is shared again. */
  void observed(int executors) {
    if (executors > 0 && executors != count) {
      int before = count;
      count = executors;
      reshare.accept(executors);
      if (before > 0) {
        LOG.info(
            "The application now has {} executors (was {}): table budgets shared again.",
            executors,
            before);
      }
    }
  }

  private void startOnExecutor() {
    SparkEnv env = SparkEnv.get();
    if (env == null || "driver".equals(env.executorId()) || !started.compareAndSet(false, true)) {
      return;
    }
    ScheduledExecutorService poller =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "cosmos-executor-count");
              thread.setDaemon(true);
              return thread;
            });
    poller.scheduleWithFixedDelay(
        () -> {
          try {
            observed(askDriver(env));
          } catch (RuntimeException | LinkageError unavailable) {
            // Not every runtime lets executors ask; the planned share then stays, and 429s still
            // shrink it.
            LOG.info(
                "Cannot count the application's executors ({}); each keeps the share planned when"
                    + " its job started.",
                unavailable.toString());
            poller.shutdown();
          }
        },
        0,
        POLL_SECONDS,
        TimeUnit.SECONDS);
  }

  private static int askDriver(SparkEnv env) {
    int executors = 0;
    Iterator<BlockManagerId> ids = env.blockManager().master().getMemoryStatus().keysIterator();
    while (ids.hasNext()) {
      if (!ids.next().isDriver()) {
        executors++;
      }
    }
    return executors;
  }
}

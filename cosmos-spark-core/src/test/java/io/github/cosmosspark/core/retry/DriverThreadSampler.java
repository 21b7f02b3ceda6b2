package io.github.cosmosspark.core.retry;

import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Takes thread dumps every few milliseconds and records every driver I/O or admin thread (named
 * {@code <session>-io-<n>} and {@code <session>-admin-<n>} by driver 4) caught inside {@code
 * Thread.sleep}.
 */
final class DriverThreadSampler implements AutoCloseable {
  private static final Pattern DRIVER_THREAD = Pattern.compile("^s\\d+-(io|admin)-\\d+$");

  private final Thread sampler;
  private final AtomicInteger samplesWithDriverThreads = new AtomicInteger();
  private final CopyOnWriteArrayList<String> sleeping = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  DriverThreadSampler() {
    sampler = new Thread(this::sample, "driver-thread-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void sample() {
    while (running) {
      boolean sawDriverThread = false;
      for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
        if (!DRIVER_THREAD.matcher(entry.getKey().getName()).matches()) {
          continue;
        }
        sawDriverThread = true;
        for (StackTraceElement frame : entry.getValue()) {
          if (frame.getClassName().equals("java.lang.Thread")
              && frame.getMethodName().startsWith("sleep")) {
            sleeping.add(entry.getKey().getName() + " at " + entry.getValue()[1]);
            break;
          }
        }
      }
      if (sawDriverThread) {
        samplesWithDriverThreads.incrementAndGet();
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Thread dumps that showed at least one driver I/O or admin thread. */
  int samplesWithDriverThreads() {
    return samplesWithDriverThreads.get();
  }

  /** Each time a driver I/O or admin thread was seen sleeping: its name and caller. */
  java.util.List<String> sleeping() {
    return sleeping;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.join();
  }
}

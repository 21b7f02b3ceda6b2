package io.github.cosmosspark.testkit.driver;

import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Takes thread dumps every few milliseconds and records every driver I/O or admin thread (named
 * {@code <session>-io-<n>} and {@code <session>-admin-<n>} by driver 4) caught inside {@code
 * Thread.sleep}: a retry policy that sleeps there stalls every request on the connection. Start one
 * around the code under test and read the counts after {@link #close()}.
 */
public final class DriverThreadSampler implements AutoCloseable {
  private static final Pattern DRIVER_THREAD = Pattern.compile("^s\\d+-(io|admin)-\\d+$");

  private final Thread sampler;
  private final AtomicInteger samples = new AtomicInteger();
  private final AtomicInteger samplesWithDriverThreads = new AtomicInteger();
  private final AtomicInteger samplesWithSleep = new AtomicInteger();
  private final CopyOnWriteArrayList<String> sleeping = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  /** Starts sampling every 5 ms on a daemon thread. */
  public DriverThreadSampler() {
    sampler = new Thread(this::sample, "driver-thread-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void sample() {
    while (running) {
      boolean sawDriverThread = false;
      boolean sawSleep = false;
      for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
        if (!DRIVER_THREAD.matcher(entry.getKey().getName()).matches()) {
          continue;
        }
        sawDriverThread = true;
        for (StackTraceElement frame : entry.getValue()) {
          if (frame.getClassName().equals("java.lang.Thread")
              && frame.getMethodName().startsWith("sleep")) {
            StackTraceElement[] stack = entry.getValue();
            sleeping.add(entry.getKey().getName() + " at " + stack[Math.min(1, stack.length - 1)]);
            sawSleep = true;
            break;
          }
        }
      }
      samples.incrementAndGet();
      if (sawDriverThread) {
        samplesWithDriverThreads.incrementAndGet();
      }
      if (sawSleep) {
        samplesWithSleep.incrementAndGet();
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Thread dumps that showed at least one driver I/O or admin thread. */
  public int samplesWithDriverThreads() {
    return samplesWithDriverThreads.get();
  }

  /** Each time a driver I/O or admin thread was seen sleeping: its name and caller. */
  public java.util.List<String> sleeping() {
    return sleeping;
  }

  /** Thread dumps taken. */
  public int samples() {
    return samples.get();
  }

  /** Thread dumps in which at least one driver I/O or admin thread was sleeping. */
  public int samplesWithASleepingDriverThread() {
    return samplesWithSleep.get();
  }

  /** Stops sampling and waits for the sampler to finish. */
  @Override
  public void close() {
    running = false;
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

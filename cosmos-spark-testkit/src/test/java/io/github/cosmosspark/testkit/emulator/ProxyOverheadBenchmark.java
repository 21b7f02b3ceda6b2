package io.github.cosmosspark.testkit.emulator;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Is the emulator the bottleneck of an unthrottled job? Point writes from 8 threads for a fixed
 * time, straight to Cassandra and then through the emulator (with throughput high enough never to
 * rate-limit); prints requests/s, p99 latency and the CPU the emulator's threads used.
 *
 * <p>Run: {@code mvn -pl cosmos-spark-testkit -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.github.cosmosspark.testkit.emulator.ProxyOverheadBenchmark}
 */
public final class ProxyOverheadBenchmark {

  private static final int THREADS = 8;
  private static final long WARM_UP_MILLIS = 5_000;
  private static final long MEASURE_MILLIS = 15_000;

  public static void main(String[] args) throws Exception {
    try (CassandraServer cassandra = CassandraServer.builder().build()) {
      cassandra.start();
      try (CosmosEmulator emulator = CosmosEmulator.builder(cassandra).build().start();
          CqlSession direct = cassandra.newSession();
          CqlSession proxied = emulatorSession(emulator)) {
        proxied.execute("CREATE KEYSPACE bench WITH cosmosdb_provisioned_throughput=400");
        proxied.execute(
            "CREATE TABLE bench.points (id int PRIMARY KEY, payload text)"
                + " WITH cosmosdb_provisioned_throughput=1000000");
        // Each path twice, alternating, so neither gains from the other's warm-up; the second
        // pair is the one compared.
        run("direct (warm-up)", direct);
        run("emulator (warm-up)", proxied);
        Result directResult = run("direct", direct);
        Result proxiedResult = run("through the emulator", proxied);
        System.out.printf(
            Locale.ROOT,
            "emulator/direct throughput: %.0f %%%n",
            100.0 * proxiedResult.perSecond / directResult.perSecond);
        System.out.println(emulator.statistics("bench.points").get());
      }
    }
  }

  private static Result run(String label, CqlSession session) throws InterruptedException {
    PreparedStatement insert =
        session.prepare("INSERT INTO bench.points (id, payload) VALUES (?, ?)");
    String payload = new String(new char[200]).replace('\0', 'p');
    measure(session, insert, payload, WARM_UP_MILLIS);
    long emulatorCpuBefore = emulatorCpuNanos();
    long started = System.nanoTime();
    List<long[]> latencies = measure(session, insert, payload, MEASURE_MILLIS);
    long elapsed = System.nanoTime() - started;
    long emulatorCpu = emulatorCpuNanos() - emulatorCpuBefore;

    int count = 0;
    for (long[] perThread : latencies) {
      count += perThread.length;
    }
    long[] all = new long[count];
    int at = 0;
    for (long[] perThread : latencies) {
      System.arraycopy(perThread, 0, all, at, perThread.length);
      at += perThread.length;
    }
    Arrays.sort(all);
    Result result = new Result(count / (elapsed / 1e9), all[(int) (all.length * 0.99)] / 1e6);
    System.out.printf(
        Locale.ROOT,
        "%-22s %8.0f writes/s   p50 %6.2f ms   p99 %6.2f ms   emulator threads' CPU %5.1f %% of"
            + " one core%n",
        label,
        result.perSecond,
        all[all.length / 2] / 1e6,
        result.p99Millis,
        100.0 * emulatorCpu / elapsed);
    return result;
  }

  private static List<long[]> measure(
      CqlSession session, PreparedStatement insert, String payload, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    AtomicInteger ids = new AtomicInteger();
    List<long[]> results = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      long[][] slot = new long[1][];
      results.add(null);
      int index = t;
      Thread thread =
          new Thread(
              () -> {
                long[] latencies = new long[1 << 20];
                int n = 0;
                while (System.nanoTime() < deadline && n < latencies.length) {
                  long start = System.nanoTime();
                  session.execute(insert.bind(ids.incrementAndGet(), payload));
                  latencies[n++] = System.nanoTime() - start;
                }
                slot[0] = Arrays.copyOf(latencies, n);
                synchronized (results) {
                  results.set(index, slot[0]);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return results;
  }

  /** CPU time of the emulator's Netty threads (the driver's own threads are named differently). */
  private static long emulatorCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("nioEventLoopGroup")) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  private static CqlSession emulatorSession(CosmosEmulator emulator) {
    return emulator.sessionBuilder(emulator.key()).build();
  }

  private static final class Result {
    final double perSecond;
    final double p99Millis;

    Result(double perSecond, double p99Millis) {
      this.perSecond = perSecond;
      this.p99Millis = p99Millis;
    }
  }
}

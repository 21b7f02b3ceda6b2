package io.github.cosmosspark.testkit.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ParentWatchingLauncherTest {

  /** Stands in for Cassandra: says it started, then runs until something stops it. */
  public static final class RunsForever {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("started " + String.join(",", args));
      System.out.flush();
      new java.util.concurrent.CountDownLatch(1).await();
    }
  }

  @Test
  @Timeout(60)
  void childHaltsWhenTheParentsPipeCloses() throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                Arrays.asList(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    ParentWatchingLauncher.class.getName(),
                    RunsForever.class.getName(),
                    "a",
                    "b"))
            .redirectError(new File("/dev/null"))
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("started a,b", out.readLine());
      assertTrue(child.isAlive());

      // What the operating system does to the pipe when the parent JVM dies.
      child.getOutputStream().close();

      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child still running after parent left");
      assertEquals(3, child.exitValue());
    } finally {
      child.destroyForcibly();
    }
  }
}

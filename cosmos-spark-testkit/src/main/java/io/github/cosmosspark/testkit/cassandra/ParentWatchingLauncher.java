package io.github.cosmosspark.testkit.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Main class of the server JVM: runs the real main class, and halts the JVM as soon as the test JVM
 * that started it is gone.
 *
 * <p>A shutdown hook in the test JVM stops the server on a normal exit, but not when that JVM is
 * killed (a build cancelled, a forked test JVM timed out). The server's standard input is a pipe
 * from the test JVM; the operating system closes it when the test JVM dies, however it dies, and
 * the end of that stream is the signal to go. Uses nothing but the JDK, since it runs on the
 * server's classpath.
 */
public final class ParentWatchingLauncher {

  private ParentWatchingLauncher() {}

  /**
   * @param args the main class to run, then its arguments
   */
  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      System.err.println("usage: ParentWatchingLauncher <main class> [arguments...]");
      System.exit(2);
    }
    Thread watcher = new Thread(ParentWatchingLauncher::haltWhenParentIsGone, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();

    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void haltWhenParentIsGone() {
    InputStream parent = System.in;
    byte[] buffer = new byte[64];
    try {
      while (parent.read(buffer) >= 0) {
        // The test JVM never writes; anything read is ignored.
      }
    } catch (IOException e) {
      // A broken pipe means the same as the end of the stream.
    }
    System.err.println("ParentWatchingLauncher: the JVM that started this server is gone; halting");
    Runtime.getRuntime().halt(3);
  }
}

package io.github.cosmosspark.testkit.cassandra;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server JVM, its output appended to the log file, with a shutdown hook that stops it if
 * the test JVM exits first.
 */
final class ServerProcess {

  // The facade's logger, so that users' log settings for CassandraServer still cover this.
  private static final Logger LOG = LoggerFactory.getLogger(CassandraServer.class);

  private final Process process;
  private final Thread shutdownHook;

  private ServerProcess(Process process, Thread shutdownHook) {
    this.process = process;
    this.shutdownHook = shutdownHook;
  }

  /** Starts {@code command} (executable first) in the working directory. */
  static ServerProcess start(List<String> command, ServerDirectory directory) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.logFile().toFile()));
    Process launched;
    try {
      launched = builder.start();
    } catch (IOException e) {
      throw new CassandraServerException(
          "Could not start the Cassandra JVM with " + command.get(0), e);
    }
    Thread shutdownHook =
        new Thread(
            () -> {
              launched.destroy();
              try {
                if (!launched.waitFor(30, TimeUnit.SECONDS)) {
                  launched.destroyForcibly();
                }
              } catch (InterruptedException e) {
                launched.destroyForcibly();
              }
            },
            "cassandra-server-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    return new ServerProcess(launched, shutdownHook);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code; only once the JVM has exited. */
  int exitValue() {
    return process.exitValue();
  }

  /**
   * Ends the JVM and waits for it: at once when {@code forcibly} (SIGKILL), else cleanly (SIGTERM),
   * killing it after {@code stopTimeout}.
   *
   * @param port named in the warning when a clean stop times out
   */
  void destroy(boolean forcibly, Duration stopTimeout, int port) {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and the hook is running.
    }
    try {
      if (forcibly) {
        process.destroyForcibly();
      } else {
        process.destroy();
        if (!process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn(
              "Cassandra on port {} did not stop within {} s; killing it",
              port,
              stopTimeout.getSeconds());
          process.destroyForcibly();
        }
      }
      process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(process);
    }
  }

  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Nothing left to tell the process.
    }
  }
}

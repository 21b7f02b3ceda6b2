package io.github.cosmosspark.testkit.cassandra;

import java.nio.file.Path;

/** Finds server JVMs by the marker every one carries on its command line. */
final class ServerProcesses {

  private ServerProcesses() {}

  static boolean anyRunningIn(Path workDirectory) {
    String marker = "-D" + CassandraServer.PROCESS_MARKER_PROPERTY + "=" + workDirectory;
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .anyMatch(p -> p.info().commandLine().map(line -> line.contains(marker)).orElse(false));
  }
}

package io.github.cosmosspark.testkit.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The server's log file, of which startup failures quote the end. */
final class ServerLog {

  private static final int TAIL_LINES = 40;
  // Enough for the tail's lines without reading a log of any size.
  private static final int TAIL_WINDOW_BYTES = 64 * 1024;

  private final Path file;

  ServerLog(Path file) {
    this.file = file;
  }

  /** The last lines of the log, introduced, for an exception message; never throws. */
  String tail() {
    if (!Files.isRegularFile(file)) {
      return "The server wrote no log (" + file + ").";
    }
    try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
      long length = log.length();
      int window = (int) Math.min(length, TAIL_WINDOW_BYTES);
      byte[] bytes = new byte[window];
      log.seek(length - window);
      log.readFully(bytes);
      List<String> lines =
          Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1));
      List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      return "Last lines of " + file + ":\n" + String.join("\n", tail);
    } catch (IOException e) {
      return "Could not read the server log " + file + ": " + e;
    }
  }
}

package io.github.cosmosspark.testkit.cassandra;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's working directory and where each file lives in it, named once so that the
 * configuration, the JVM command line and the saved state agree.
 */
final class ServerDirectory {

  // The facade's logger, so that users' log settings for CassandraServer still cover this.
  private static final Logger LOG = LoggerFactory.getLogger(CassandraServer.class);

  private final Path root;
  private final boolean owned;

  private ServerDirectory(Path root, boolean owned) {
    this.root = root;
    this.owned = owned;
  }

  /** The directory the user asked for, created if needed, or a new temporary one if null. */
  static ServerDirectory create(Path requested) {
    try {
      return requested != null
          ? new ServerDirectory(Files.createDirectories(requested.toAbsolutePath()), false)
          : new ServerDirectory(Files.createTempDirectory("cosmos-testkit-cassandra-"), true);
    } catch (IOException e) {
      throw new CassandraServerException("Could not create the server's working directory", e);
    }
  }

  Path root() {
    return root;
  }

  /** Whether the testkit created this directory, and so deletes it on close. */
  boolean owned() {
    return owned;
  }

  Path conf() {
    return root.resolve("conf");
  }

  Path cassandraYaml() {
    return conf().resolve("cassandra.yaml");
  }

  Path logbackXml() {
    return conf().resolve("logback.xml");
  }

  Path logs() {
    return root.resolve("logs");
  }

  /** The server JVM's standard output and error, which is Cassandra's log. */
  Path logFile() {
    return logs().resolve("cassandra.log");
  }

  Path tls() {
    return root.resolve("tls");
  }

  Path keystore() {
    return tls().resolve("keystore.p12");
  }

  Path truststore() {
    return tls().resolve("truststore.p12");
  }

  /** Ports and passwords, kept for restarts and for later servers on the same directory. */
  Path stateFile() {
    return root.resolve("testkit-server.properties");
  }

  Path launcher() {
    return root.resolve("launcher");
  }

  /** Deletes the directory and everything in it; a failure is logged, not thrown. */
  void delete() {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", root, e.toString());
    }
  }
}

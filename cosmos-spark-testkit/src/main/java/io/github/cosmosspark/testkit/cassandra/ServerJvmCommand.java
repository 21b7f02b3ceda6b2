package io.github.cosmosspark.testkit.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The command line of the server JVM: heap, the JDK internals Cassandra needs opened, where its
 * configuration, data and log are, the flags that make a single node start in seconds, the user's
 * own arguments, and a classpath of the distribution's jars behind the {@link
 * ParentWatchingLauncher}.
 */
final class ServerJvmCommand {

  /** Cassandra's own jvm11/jvm17 options: the JDK internals it reaches into. */
  private static final List<String> JDK_MODULE_OPTIONS =
      Collections.unmodifiableList(
          Arrays.asList(
              "--add-exports",
              "java.base/jdk.internal.misc=ALL-UNNAMED",
              "--add-exports",
              "java.base/jdk.internal.ref=ALL-UNNAMED",
              "--add-exports",
              "java.base/sun.nio.ch=ALL-UNNAMED",
              "--add-exports",
              "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
              "--add-exports",
              "java.rmi/sun.rmi.registry=ALL-UNNAMED",
              "--add-exports",
              "java.rmi/sun.rmi.server=ALL-UNNAMED",
              "--add-exports",
              "java.sql/java.sql=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.lang.module=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.loader=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.ref=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.reflect=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.math=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.module=ALL-UNNAMED",
              "--add-opens",
              "java.base/jdk.internal.util.jar=ALL-UNNAMED",
              "--add-opens",
              "jdk.management/com.sun.management.internal=ALL-UNNAMED",
              "--add-opens",
              "java.base/sun.nio.ch=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.io=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.nio=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.util.concurrent=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.util=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.lang=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.math=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.lang.reflect=ALL-UNNAMED",
              "--add-opens",
              "java.base/java.net=ALL-UNNAMED"));

  private ServerJvmCommand() {}

  /**
   * The full command, executable first. Copies the launcher class into the working directory on the
   * way.
   *
   * @param heapSize as for {@code -Xmx}
   * @param extraArguments the user's own JVM arguments, placed after the testkit's so they win
   */
  static List<String> build(
      JavaInstallation java,
      ServerDirectory directory,
      CassandraDistribution distribution,
      int jmxPort,
      String heapSize,
      List<String> extraArguments) {
    List<String> command = new ArrayList<>();
    command.add(java.executable().toString());
    command.add("-Xms" + heapSize);
    command.add("-Xmx" + heapSize);
    command.add("-XX:+UseG1GC");
    command.add("-XX:+IgnoreUnrecognizedVMOptions");
    command.addAll(JDK_MODULE_OPTIONS);
    command.add("-Djava.net.preferIPv4Stack=true");
    command.add("-D" + CassandraServer.PROCESS_MARKER_PROPERTY + "=" + directory.root());
    command.add("-Dcassandra.config=" + directory.cassandraYaml().toUri());
    command.add("-Dlogback.configurationFile=" + directory.logbackXml().toUri());
    command.add("-Dcassandra.storagedir=" + directory.root());
    command.add("-Dcassandra.logdir=" + directory.logs());
    command.add("-Dcassandra.jmx.local.port=" + jmxPort);
    command.add("-Dcassandra-foreground=yes");
    // A single node has no ring to wait for; these make it come up in seconds, not minutes.
    command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    command.add("-Dcassandra.ring_delay_ms=100");
    command.add("-Dcassandra.superuser_setup_delay_ms=0");
    command.addAll(extraArguments);
    command.add("-cp");
    command.add(classpath(directory, distribution));
    command.add(ParentWatchingLauncher.class.getName());
    command.add("org.apache.cassandra.service.CassandraDaemon");
    return command;
  }

  private static String classpath(ServerDirectory directory, CassandraDistribution distribution) {
    List<String> entries = new ArrayList<>();
    entries.add(launcherDirectory(directory).toString());
    for (Path jar : distribution.classpath()) {
      entries.add(jar.toAbsolutePath().toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  /**
   * Copies the launcher class, alone, into the working directory. Putting the testkit's own jar on
   * the server's classpath instead would bring whatever else that jar holds, e.g. a test fat jar's
   * Guava and Netty, ahead of Cassandra's.
   */
  private static Path launcherDirectory(ServerDirectory directory) {
    String resource = ParentWatchingLauncher.class.getName().replace('.', '/') + ".class";
    Path launcher = directory.launcher();
    Path target = launcher.resolve(resource);
    try (InputStream in = ServerJvmCommand.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new CassandraServerException("The testkit's launcher class is missing: " + resource);
      }
      Files.createDirectories(target.getParent());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new CassandraServerException("Could not copy the launcher class to " + launcher, e);
    }
    return launcher;
  }
}

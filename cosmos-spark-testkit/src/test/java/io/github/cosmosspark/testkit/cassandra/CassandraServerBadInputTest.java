package io.github.cosmosspark.testkit.cassandra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraServerBadInputTest {

  @TempDir Path temp;

  @Test
  void aNativePortInUseIsNamedBeforeAnythingStarts() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      try (CassandraServer server = CassandraServer.builder().nativePort(port).build()) {
        CassandraServerException error =
            assertThrows(CassandraServerException.class, server::start);
        assertTrue(error.getMessage().contains("port " + port), error.getMessage());
        assertTrue(error.getMessage().contains("already in use"), error.getMessage());
        assertFalse(ServerProcesses.anyRunningIn(server.workDirectory()), "server JVM started");
      }
    }
  }

  @Test
  void aJavaHomeWithoutJavaIsNamed() {
    try (CassandraServer server = CassandraServer.builder().javaHome(temp).build()) {
      CassandraServerException error = assertThrows(CassandraServerException.class, server::start);
      assertTrue(error.getMessage().contains(temp.toString()), error.getMessage());
      assertTrue(error.getMessage().contains("no executable"), error.getMessage());
    }
  }

  @Test
  void aJavaCassandraCannotRunOnIsNamedWithItsVersion() throws IOException {
    Path bin = Files.createDirectories(temp.resolve("jdk8/bin"));
    Path java = Files.write(bin.resolve("java"), Collections.singletonList("#!/bin/sh"));
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.write(
        temp.resolve("jdk8/release"),
        "JAVA_VERSION=\"1.8.0_432\"\n".getBytes(StandardCharsets.UTF_8));
    try (CassandraServer server =
        CassandraServer.builder().javaHome(temp.resolve("jdk8")).build()) {
      CassandraServerException error = assertThrows(CassandraServerException.class, server::start);
      assertTrue(error.getMessage().contains("Java 8"), error.getMessage());
      assertTrue(error.getMessage().contains("JDK 11 or 17"), error.getMessage());
    }
  }

  @Test
  void aServerThatExitsDuringStartShowsItsLog() {
    try (CassandraServer server =
        CassandraServer.builder().yaml("num_tokens", "not-a-number").build()) {
      CassandraServerException error = assertThrows(CassandraServerException.class, server::start);
      assertTrue(error.getMessage().contains("exited with code"), error.getMessage());
      assertTrue(error.getMessage().contains("Last lines of"), error.getMessage());
      assertTrue(error.getMessage().contains("num_tokens"), error.getMessage());
      assertFalse(ServerProcesses.anyRunningIn(server.workDirectory()), "server JVM left behind");
    }
  }

  @Test
  void aServerThatIsNotUpInTimeIsKilledAndShowsItsLog() {
    try (CassandraServer server =
        CassandraServer.builder().startupTimeout(Duration.ofMillis(300)).build()) {
      CassandraServerException error = assertThrows(CassandraServerException.class, server::start);
      assertTrue(error.getMessage().contains("within 300 ms"), error.getMessage());
      assertTrue(
          error.getMessage().contains("Last lines of " + server.logFile()), error.getMessage());
      assertFalse(ServerProcesses.anyRunningIn(server.workDirectory()), "server JVM left behind");
    }
  }

  @Test
  void aMirrorIsUsedOnlyWhenItCoversCentral() {
    assertTrue(CassandraDistribution.MavenSettings.mirrorsCentral("*"));
    assertTrue(CassandraDistribution.MavenSettings.mirrorsCentral("external:*"));
    assertTrue(CassandraDistribution.MavenSettings.mirrorsCentral("internal, central"));
    assertFalse(CassandraDistribution.MavenSettings.mirrorsCentral("*,!central"));
    assertFalse(CassandraDistribution.MavenSettings.mirrorsCentral("company-releases"));
  }

  @Test
  void invalidBuilderValuesAreRejectedWithTheirName() {
    IllegalArgumentException port =
        assertThrows(IllegalArgumentException.class, () -> CassandraServer.builder().nativePort(0));
    assertTrue(port.getMessage().contains("nativePort"), port.getMessage());
    IllegalArgumentException heap =
        assertThrows(
            IllegalArgumentException.class, () -> CassandraServer.builder().heapSize("lots"));
    assertTrue(heap.getMessage().contains("heapSize"), heap.getMessage());
  }

  @Test
  void askingForTheAddressBeforeStartSaysSo() {
    try (CassandraServer server = CassandraServer.builder().build()) {
      IllegalStateException error = assertThrows(IllegalStateException.class, server::port);
      assertTrue(error.getMessage().contains("Start the CassandraServer"), error.getMessage());
    }
  }
}

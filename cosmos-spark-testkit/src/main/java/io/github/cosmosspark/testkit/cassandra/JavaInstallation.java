package io.github.cosmosspark.testkit.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A JDK that can run Cassandra 5.0, which supports Java 11 and 17 only. */
final class JavaInstallation {

  /** System property: the JDK to run the server with. */
  static final String JAVA_HOME_PROPERTY = "cosmos.testkit.cassandra.java.home";

  final Path home;
  final int majorVersion;

  private JavaInstallation(Path home, int majorVersion) {
    this.home = home;
    this.majorVersion = majorVersion;
  }

  Path executable() {
    return home.resolve("bin").resolve(isWindows() ? "java.exe" : "java");
  }

  /**
   * The JDK given explicitly (builder, then system property), which must be usable; otherwise the
   * first usable one of the running JVM and {@code JAVA_HOME}.
   */
  static JavaInstallation locate(Path explicitHome) {
    Path explicit = explicitHome;
    String source = "javaHome(...)";
    if (explicit == null && System.getProperty(JAVA_HOME_PROPERTY) != null) {
      explicit = Paths.get(System.getProperty(JAVA_HOME_PROPERTY));
      source = JAVA_HOME_PROPERTY;
    }
    if (explicit != null) {
      JavaInstallation java = inspect(explicit, source);
      if (!java.isSupported()) {
        throw new CassandraServerException(
            source
                + " is "
                + explicit
                + ", a Java "
                + java.majorVersion
                + "; Cassandra 5.0 runs on Java 11 or 17. Point it at a JDK 11 or 17.");
      }
      return java;
    }
    List<String> tried = new ArrayList<>();
    List<JavaInstallation> candidates = new ArrayList<>();
    candidates.add(
        new JavaInstallation(
            Paths.get(System.getProperty("java.home")),
            parseMajor(System.getProperty("java.specification.version"))));
    String javaHomeEnv = System.getenv("JAVA_HOME");
    if (javaHomeEnv != null && !javaHomeEnv.isEmpty()) {
      try {
        candidates.add(inspect(Paths.get(javaHomeEnv), "JAVA_HOME"));
      } catch (CassandraServerException e) {
        tried.add(e.getMessage());
      }
    } else {
      tried.add("JAVA_HOME is not set");
    }
    for (JavaInstallation candidate : candidates) {
      if (candidate.isSupported() && Files.isExecutable(candidate.executable())) {
        return candidate;
      }
      tried.add(candidate.home + " is Java " + candidate.majorVersion);
    }
    throw new CassandraServerException(
        "No Java to run Cassandra with: it runs on Java 11 or 17, and "
            + String.join("; ", tried)
            + ". Set the system property "
            + JAVA_HOME_PROPERTY
            + " (or CassandraServer.builder().javaHome(...)) to a JDK 11 or 17.");
  }

  private static JavaInstallation inspect(Path home, String source) {
    Path executable = home.resolve("bin").resolve(isWindows() ? "java.exe" : "java");
    if (!Files.isExecutable(executable)) {
      throw new CassandraServerException(
          source + " is " + home + ", which has no executable " + executable + ".");
    }
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      throw new CassandraServerException(
          source + " is " + home + ", which has no 'release' file to tell its Java version.");
    }
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(release)) {
      properties.load(in);
    } catch (IOException e) {
      throw new CassandraServerException("Could not read " + release, e);
    }
    String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "");
    return new JavaInstallation(home, parseMajor(version));
  }

  static int parseMajor(String version) {
    String[] parts = version.split("[._+-]");
    try {
      int first = Integer.parseInt(parts[0]);
      return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private boolean isSupported() {
    return majorVersion == 11 || majorVersion == 17;
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win");
  }
}

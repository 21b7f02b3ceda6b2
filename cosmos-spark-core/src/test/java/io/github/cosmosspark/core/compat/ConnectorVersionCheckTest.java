package io.github.cosmosspark.core.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.spark.connector.cql.CassandraConnector;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another Spark Cassandra Connector next to ours: copies of SCC are jars holding SCC's own {@code
 * CassandraConnector} class under another version in their manifest, as a cluster library or an
 * application's own dependency would bring it.
 */
class ConnectorVersionCheckTest {

  @TempDir Path directory;

  @Test
  void theConnectorOnTheBuildClasspathIsTheOneWeAreBuiltAgainst() throws Exception {
    assertEquals(manifestVersion(realConnectorJar()), ConnectorVersionCheck.builtAgainst());

    ConnectorVersionCheck.Outcome outcome =
        ConnectorVersionCheck.check(ConnectorVersionCheckTest.class.getClassLoader());

    assertNull(outcome.error);
    assertNull(outcome.warning);
  }

  @Test
  void anotherMinorVersionLoadedFirstStopsWithBothVersionsAndItsJarNamed() throws Exception {
    String other = otherMinor(ConnectorVersionCheck.builtAgainst());
    Path otherJar = connectorCopy(other);

    ConnectorVersionCheck.Outcome outcome = check(otherJar, realConnectorJar());

    assertNotNull(outcome.error);
    assertNull(outcome.warning);
    assertTrue(outcome.error.contains("loads SCC " + other + " from "), outcome.error);
    assertTrue(
        outcome.error.contains(
            "built against the Spark Cassandra Connector " + ConnectorVersionCheck.builtAgainst()),
        outcome.error);
    assertTrue(outcome.error.contains(otherJar.getFileName().toString()), outcome.error);
    assertTrue(outcome.error.contains("Remove the other Spark Cassandra Connector"), outcome.error);
  }

  @Test
  void anotherPatchVersionLoadedFirstIsAWarningNamingBoth() throws Exception {
    String other = otherPatch(ConnectorVersionCheck.builtAgainst());

    ConnectorVersionCheck.Outcome outcome = check(connectorCopy(other), realConnectorJar());

    assertNull(outcome.error);
    assertNotNull(outcome.warning);
    assertTrue(outcome.warning.contains("loads SCC " + other), outcome.warning);
    assertTrue(outcome.warning.contains(ConnectorVersionCheck.builtAgainst()), outcome.warning);
  }

  @Test
  void aSecondCopyThatIsNotLoadedIsAWarningNamingBoth() throws Exception {
    String other = otherMinor(ConnectorVersionCheck.builtAgainst());
    Path otherJar = connectorCopy(other);

    ConnectorVersionCheck.Outcome outcome = check(realConnectorJar(), otherJar);

    assertNull(outcome.error);
    assertNotNull(outcome.warning);
    assertTrue(
        outcome.warning.contains("more than one Spark Cassandra Connector"), outcome.warning);
    assertTrue(outcome.warning.contains("SCC " + other + " in "), outcome.warning);
    assertTrue(outcome.warning.contains(otherJar.getFileName().toString()), outcome.warning);
  }

  @Test
  void noConnectorAtAllSaysWhatToAdd() throws Exception {
    ConnectorVersionCheck.Outcome outcome = check();

    assertNotNull(outcome.error);
    assertTrue(outcome.error.contains("has none"), outcome.error);
    assertTrue(outcome.error.contains("assembly jar"), outcome.error);
  }

  @Test
  void anAssemblyCopyCountsAsTheVersionItsBuildBundled() throws Exception {
    Path assembly = directory.resolve("cosmos-spark-assembly.jar");
    try (JarOutputStream out =
        new JarOutputStream(Files.newOutputStream(assembly), manifest(null))) {
      copyProbe(out);
      out.putNextEntry(new JarEntry("io/github/cosmosspark/core/compat/build.properties"));
      out.write(
          ("spark-cassandra-connector.version=" + ConnectorVersionCheck.builtAgainst() + "\n")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.closeEntry();
    }

    ConnectorVersionCheck.Outcome outcome = check(assembly, realConnectorJar());

    assertNull(outcome.error);
    assertNull(outcome.warning);
  }

  private static ConnectorVersionCheck.Outcome check(Path... jars) throws IOException {
    URL[] urls = new URL[jars.length];
    for (int i = 0; i < jars.length; i++) {
      urls[i] = jars[i].toUri().toURL();
    }
    // No parent: the copies given are all this loader sees.
    try (URLClassLoader loader = new URLClassLoader(urls, null)) {
      return ConnectorVersionCheck.check(loader);
    }
  }

  /** A jar as another SCC release would be: SCC's class, SCC's manifest, another version. */
  private Path connectorCopy(String version) throws IOException {
    Path jar = directory.resolve("spark-cassandra-connector_2.12-" + version + ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest(version))) {
      copyProbe(out);
    }
    return jar;
  }

  private static void copyProbe(JarOutputStream out) throws IOException {
    out.putNextEntry(new JarEntry(ConnectorVersionCheck.PROBE));
    try (InputStream in =
        CassandraConnector.class
            .getClassLoader()
            .getResourceAsStream(ConnectorVersionCheck.PROBE)) {
      in.transferTo(out);
    }
    out.closeEntry();
  }

  private static Manifest manifest(String version) {
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (version != null) {
      main.put(Attributes.Name.IMPLEMENTATION_TITLE, "spark-cassandra-connector");
      main.put(Attributes.Name.IMPLEMENTATION_VERSION, version);
    }
    return manifest;
  }

  private static Path realConnectorJar() throws Exception {
    return Paths.get(
        CassandraConnector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static String manifestVersion(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.getManifest()
          .getMainAttributes()
          .getValue(Attributes.Name.IMPLEMENTATION_VERSION);
    }
  }

  private static String otherMinor(String version) {
    String[] parts = version.split("\\.");
    return parts[0] + "." + (Integer.parseInt(parts[1]) - 1) + ".0";
  }

  private static String otherPatch(String version) {
    String[] parts = version.split("\\.");
    return parts[0] + "." + parts[1] + "." + (Integer.parseInt(parts[2]) + 7);
  }
}

package io.github.cosmosspark.core.compat;

import io.github.cosmosspark.core.errors.IncompatibleConnectorException;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the Spark Cassandra Connector (SCC) this JVM loads with the one cosmos-spark was built
 * against, once per JVM, when the data source or the connection factory is first used.
 *
 * <p>An application or cluster that also carries its own SCC puts two copies on the classpath, and
 * the first one wins. Another minor version (3.4 against 3.5) fails with {@link
 * IncompatibleConnectorException}, naming both versions and the jar to remove; another patch
 * version, or a second copy that does not win, is a warning. A copy's version comes from its jar's
 * manifest ({@code Implementation-Version}, as SCC's jars carry it); the copy inside the
 * cosmos-spark assembly is the one the build bundled.
 */
public final class ConnectorVersionCheck {

  /** A class of SCC's main jar: every copy of SCC holds it. */
  static final String PROBE = "com/datastax/spark/connector/cql/CassandraConnector.class";

  private static final String BUILD_PROPERTIES =
      "io/github/cosmosspark/core/compat/build.properties";
  private static final Logger LOG = LoggerFactory.getLogger(ConnectorVersionCheck.class);

  private ConnectorVersionCheck() {}

  /** The JVM's verdict, worked out (and its warning logged) when first asked for. */
  private static final class Verdict {
    static final Outcome OUTCOME = checkAndWarn();

    private static Outcome checkAndWarn() {
      Outcome checked = check(ConnectorVersionCheck.class.getClassLoader());
      if (checked.warning != null) {
        LOG.warn(checked.warning);
      }
      return checked;
    }
  }

  /**
   * Checks once per JVM; logs a warning the first time if there is one, and throws every time if
   * the loaded SCC cannot work with this build.
   *
   * @throws IncompatibleConnectorException when the loaded SCC is of another minor version
   */
  public static void verify() {
    Outcome checked = Verdict.OUTCOME;
    if (checked.error != null) {
      throw new IncompatibleConnectorException(checked.error);
    }
  }

  /** The SCC version this build was compiled and tested against. */
  public static String builtAgainst() {
    return buildProperties().getProperty("spark-cassandra-connector.version");
  }

  /** The cosmos-spark version of this build. */
  public static String cosmosSparkVersion() {
    return buildProperties().getProperty("version");
  }

  /** Every copy of SCC {@code loader} sees, in the order it would load them, and the verdict. */
  static Outcome check(ClassLoader loader) {
    Map<String, String> copies = new LinkedHashMap<>();
    try {
      for (URL url : Collections.list(loader.getResources(PROBE))) {
        copies.put(location(url), versionOf(url));
      }
    } catch (IOException e) {
      LOG.debug("Could not list the copies of SCC on the classpath", e);
    }
    return judge(copies, builtAgainst(), cosmosSparkVersion());
  }

  /**
   * The verdict on the SCC copies found, in class loading order ({@code null} version: unknown).
   */
  static Outcome judge(Map<String, String> copies, String builtAgainst, String ourVersion) {
    if (builtAgainst == null) {
      // Not a packaged build (no build.properties): nothing to compare with.
      return new Outcome(null, null);
    }
    if (copies.isEmpty()) {
      return new Outcome(
          "cosmos-spark "
              + ourVersion
              + " needs the Spark Cassandra Connector "
              + builtAgainst
              + ", and this JVM has none. Add com.datastax.spark:spark-cassandra-connector, or"
              + " attach the cosmos-spark assembly jar, which includes it.",
          null);
    }
    Map.Entry<String, String> loaded = copies.entrySet().iterator().next();
    String loadedVersion = loaded.getValue();
    List<String> others = new ArrayList<>();
    for (Map.Entry<String, String> copy : copies.entrySet()) {
      if (copy != loaded && !builtAgainst.equals(copy.getValue())) {
        others.add("SCC " + describe(copy.getValue()) + " in " + copy.getKey());
      }
    }
    String advice =
        " Remove the other Spark Cassandra Connector (the jar, or the Maven coordinate"
            + " com.datastax.spark:spark-cassandra-connector_* of the cluster or application):"
            + " cosmos-spark brings SCC "
            + builtAgainst
            + " itself, as a dependency or inside its assembly jar.";
    if (loadedVersion != null && !sameMinor(loadedVersion, builtAgainst)) {
      return new Outcome(
          "cosmos-spark "
              + ourVersion
              + " is built against the Spark Cassandra Connector "
              + builtAgainst
              + ", but this JVM loads SCC "
              + loadedVersion
              + " from "
              + loaded.getKey()
              + ", which it cannot work with."
              + advice,
          null);
    }
    if (loadedVersion != null && !loadedVersion.equals(builtAgainst)) {
      return new Outcome(
          null,
          "cosmos-spark "
              + ourVersion
              + " is built against the Spark Cassandra Connector "
              + builtAgainst
              + ", but this JVM loads SCC "
              + loadedVersion
              + " from "
              + loaded.getKey()
              + "; continuing, since only the patch version differs."
              + advice);
    }
    if (!others.isEmpty()) {
      return new Outcome(
          null,
          "This JVM has more than one Spark Cassandra Connector: SCC "
              + describe(loadedVersion)
              + " in "
              + loaded.getKey()
              + " is used, and also "
              + String.join(", ", others)
              + ". cosmos-spark "
              + ourVersion
              + " is built against SCC "
              + builtAgainst
              + "."
              + advice);
    }
    return new Outcome(null, null);
  }

  private static String describe(String version) {
    return version != null ? version : "(version unknown)";
  }

  static boolean sameMinor(String a, String b) {
    return minor(a).equals(minor(b));
  }

  private static String minor(String version) {
    String[] parts = version.split("[.-]");
    return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
  }

  /** The jar (or directory) a resource URL points into, for messages. */
  private static String location(URL url) {
    String text = url.toString();
    if (text.startsWith("jar:")) {
      int separator = text.indexOf("!/");
      return separator > 0 ? text.substring(4, separator) : text.substring(4);
    }
    return text.endsWith(PROBE) ? text.substring(0, text.length() - PROBE.length()) : text;
  }

  /**
   * The SCC version of the copy at {@code url}: its jar's {@code Implementation-Version}; or, for
   * the copy inside the cosmos-spark assembly (which holds our build properties and no SCC
   * manifest), the version the build bundled; {@code null} when neither tells.
   */
  private static String versionOf(URL url) {
    try {
      URLConnection connection = url.openConnection();
      if (!(connection instanceof JarURLConnection)) {
        return null;
      }
      JarURLConnection jarConnection = (JarURLConnection) connection;
      jarConnection.setUseCaches(false);
      try (JarFile jar = jarConnection.getJarFile()) {
        java.util.zip.ZipEntry ours = jar.getEntry(BUILD_PROPERTIES);
        if (ours != null) {
          Properties bundled = new Properties();
          try (InputStream in = jar.getInputStream(ours)) {
            bundled.load(in);
          }
          return bundled.getProperty("spark-cassandra-connector.version");
        }
        Manifest manifest = jar.getManifest();
        if (manifest == null) {
          return null;
        }
        Attributes main = manifest.getMainAttributes();
        String title = main.getValue(Attributes.Name.IMPLEMENTATION_TITLE);
        if (title != null && !title.startsWith("spark-cassandra-connector")) {
          return null;
        }
        return main.getValue(Attributes.Name.IMPLEMENTATION_VERSION);
      }
    } catch (IOException e) {
      LOG.debug("Could not read the version of the SCC copy at {}", url, e);
      return null;
    }
  }

  private static Properties buildProperties() {
    Properties properties = new Properties();
    try (InputStream in =
        ConnectorVersionCheck.class.getClassLoader().getResourceAsStream(BUILD_PROPERTIES)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      LOG.debug("Could not read {}", BUILD_PROPERTIES, e);
    }
    return properties;
  }

  /** An error that stops the job, or a warning to log once; both {@code null} when all is well. */
  static final class Outcome {
    final String error;
    final String warning;

    Outcome(String error, String warning) {
      this.error = error;
      this.warning = warning;
    }
  }
}

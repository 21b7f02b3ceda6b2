package io.github.cosmosspark.testkit.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.TransferEvent;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.JreProxySelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The jars a Cassandra server runs from.
 *
 * <p>By default they are {@code org.apache.cassandra:cassandra-all} and its runtime dependencies,
 * resolved with Maven's own resolver into the local Maven repository (the one the build uses, so a
 * second run is offline). That keeps Cassandra off the test classpath, where its dependencies would
 * clash with Spark's, and needs nothing installed by hand. Set {@value #CLASSPATH_PROPERTY} to run
 * from jars you provide instead.
 */
public final class CassandraDistribution {

  /** System property: jars or directories of jars, separated by the path separator. */
  public static final String CLASSPATH_PROPERTY = "cosmos.testkit.cassandra.classpath";

  /** System property: the {@code cassandra-all} version to resolve instead of the default. */
  public static final String VERSION_PROPERTY = "cosmos.testkit.cassandra.version";

  /** System property: the remote Maven repository to resolve from (a mirror of Maven Central). */
  public static final String REPOSITORY_PROPERTY = "cosmos.testkit.maven.repository";

  /** System property: the local Maven repository; Maven's own name for it. */
  public static final String LOCAL_REPOSITORY_PROPERTY = "maven.repo.local";

  private static final String MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2/";
  private static final Logger LOG = LoggerFactory.getLogger(CassandraDistribution.class);
  private static final Map<String, CassandraDistribution> RESOLVED = new ConcurrentHashMap<>();

  private final String version;
  private final List<Path> classpath;

  private CassandraDistribution(String version, List<Path> classpath) {
    this.version = version;
    this.classpath = Collections.unmodifiableList(new ArrayList<>(classpath));
  }

  /**
   * The distribution to use when none is given: the jars named by {@value #CLASSPATH_PROPERTY} if
   * set, else {@link #defaultVersion()} resolved from Maven.
   */
  public static CassandraDistribution fromEnvironment() {
    String explicit = System.getProperty(CLASSPATH_PROPERTY);
    if (explicit != null && !explicit.trim().isEmpty()) {
      return ofClasspath(explicit);
    }
    return resolve(System.getProperty(VERSION_PROPERTY, defaultVersion()));
  }

  /** The Cassandra version this testkit was built and tested with. */
  public static String defaultVersion() {
    Properties properties = new Properties();
    try (InputStream in = CassandraDistribution.class.getResourceAsStream("testkit.properties")) {
      if (in == null) {
        throw new CassandraServerException("testkit.properties is missing from the testkit jar");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new CassandraServerException("Could not read testkit.properties", e);
    }
    return properties.getProperty("cassandra.version");
  }

  /**
   * Resolves {@code org.apache.cassandra:cassandra-all:<version>} and its runtime dependencies,
   * downloading what the local Maven repository lacks. Cached per JVM.
   */
  public static CassandraDistribution resolve(String version) {
    return RESOLVED.computeIfAbsent(version, CassandraDistribution::resolveWithMaven);
  }

  /** Jars given as a path list; an entry that is a directory contributes every jar in it. */
  public static CassandraDistribution ofClasspath(String pathList) {
    List<Path> jars = new ArrayList<>();
    for (String entry : pathList.split(File.pathSeparator)) {
      if (entry.trim().isEmpty()) {
        continue;
      }
      Path path = Paths.get(entry.trim());
      if (Files.isDirectory(path)) {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(path, "*.jar")) {
          for (Path jar : dir) {
            jars.add(jar);
          }
        } catch (IOException e) {
          throw new CassandraServerException("Could not list jars in " + path, e);
        }
      } else if (Files.isRegularFile(path)) {
        jars.add(path);
      } else {
        throw new CassandraServerException(
            CLASSPATH_PROPERTY + " names " + path + ", which does not exist");
      }
    }
    if (jars.isEmpty()) {
      throw new CassandraServerException(CLASSPATH_PROPERTY + " names no jars: '" + pathList + "'");
    }
    return new CassandraDistribution("(from " + CLASSPATH_PROPERTY + ")", jars);
  }

  /** The Cassandra version, or where the jars came from when they were given explicitly. */
  public String version() {
    return version;
  }

  /** The server's classpath, never on the test JVM's own. */
  public List<Path> classpath() {
    return classpath;
  }

  private static CassandraDistribution resolveWithMaven(String version) {
    String coordinates = "org.apache.cassandra:cassandra-all:" + version;
    return new CassandraDistribution(
        version,
        resolveRuntimeClasspath(
            coordinates, " or set " + CLASSPATH_PROPERTY + " to the Cassandra jars"));
  }

  /**
   * Resolves any artifact and its runtime dependencies the way the server's jars are resolved (the
   * local repository and Central mirror of the user's Maven settings), e.g. Spark's own jars for a
   * standalone Spark cluster in a test. Not cached.
   *
   * @param coordinates {@code groupId:artifactId:version}
   * @param whatElse appended to the error message after the advice on the repository
   */
  public static List<Path> resolveRuntimeClasspath(String coordinates, String whatElse) {
    MavenSettings settings = MavenSettings.read();
    long started = System.nanoTime();
    RepositorySystem system = new RepositorySystemSupplier().get();
    try {
      DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
      session.setSystemProperties(System.getProperties());
      // A proxy the JVM is told of (http.proxyHost, https.proxyHost, http.nonProxyHosts) is used
      // the way Maven Resolver documents it. Its "useSystemProperties" switch did the same, but
      // made
      // every HTTP transporter warn "Please use documented means to configure resolver transport":
      // about 250 lines before a first quick start printed anything of its own.
      session.setProxySelector(new JreProxySelector());
      DownloadProgress progress = new DownloadProgress(coordinates);
      session.setTransferListener(progress);
      session.setLocalRepositoryManager(
          system.newLocalRepositoryManager(
              session, new LocalRepository(settings.localRepository.toFile())));
      // The id must be "central": artifacts Maven itself downloaded are recorded under that id.
      RemoteRepository remote =
          new RemoteRepository.Builder("central", "default", settings.remoteRepository).build();
      CollectRequest collect =
          new CollectRequest(
              new Dependency(new DefaultArtifact(coordinates), JavaScopes.RUNTIME),
              Collections.singletonList(remote));
      DependencyRequest request =
          new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
      List<Path> jars = new ArrayList<>();
      for (ArtifactResult result :
          system.resolveDependencies(session, request).getArtifactResults()) {
        jars.add(result.getArtifact().getFile().toPath());
      }
      LOG.info(
          "Resolved {} ({} jars{}) in {} ms from {}",
          coordinates,
          jars.size(),
          progress.summary(),
          (System.nanoTime() - started) / 1_000_000,
          settings.localRepository);
      return jars;
    } catch (DependencyResolutionException e) {
      throw new CassandraServerException(
          "Could not resolve "
              + coordinates
              + " from "
              + settings.remoteRepository
              + " into "
              + settings.localRepository
              + ". Check the network or set "
              + REPOSITORY_PROPERTY
              + " to a reachable mirror of Maven Central"
              + whatElse
              + ". Cause: "
              + e.getMessage(),
          e);
    } finally {
      system.shutdown();
    }
  }

  /**
   * Progress of a first run's downloads, which take tens of seconds with nothing else to show: one
   * line when the first download starts, then one every {@value #EVERY_FILES} files or {@value
   * #EVERY_SECONDS} s, whichever comes first; never one per file. A warm run downloads nothing and
   * says nothing here.
   */
  static final class DownloadProgress extends AbstractTransferListener {
    static final int EVERY_FILES = 50;
    static final int EVERY_SECONDS = 10;

    private final String coordinates;
    private final AtomicInteger files = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lastLine = new AtomicLong();
    private final AtomicInteger filesAtLastLine = new AtomicInteger();

    DownloadProgress(String coordinates) {
      this.coordinates = coordinates;
    }

    @Override
    public void transferInitiated(TransferEvent event) {
      if (event.getRequestType() == TransferEvent.RequestType.GET
          && lastLine.compareAndSet(0, System.nanoTime())) {
        LOG.info(
            "Downloading {} and its dependencies into the local Maven repository (first run only)",
            coordinates);
      }
    }

    @Override
    public void transferSucceeded(TransferEvent event) {
      String name = event.getResource().getResourceName();
      if (event.getRequestType() != TransferEvent.RequestType.GET
          || !(name.endsWith(".jar") || name.endsWith(".pom"))) {
        return; // checksums and metadata are not what the user waits for
      }
      int done = files.incrementAndGet();
      bytes.addAndGet(Math.max(0, event.getTransferredBytes()));
      long now = System.nanoTime();
      long last = lastLine.get();
      boolean due =
          done - filesAtLastLine.get() >= EVERY_FILES
              || now - last >= TimeUnit.SECONDS.toNanos(EVERY_SECONDS);
      if (due && lastLine.compareAndSet(last, now)) {
        filesAtLastLine.set(done);
        LOG.info("Downloaded {} jars and POMs ({} MB) so far", done, bytes.get() / 1_000_000);
      }
    }

    /** ", N jars and POMs (M MB) downloaded" after downloads, empty when everything was local. */
    String summary() {
      int done = files.get();
      return done == 0
          ? ""
          : ", " + done + " jars and POMs (" + bytes.get() / 1_000_000 + " MB) downloaded";
    }
  }

  /** The two things of the user's Maven settings the resolver needs: where, and from where. */
  static final class MavenSettings {
    final Path localRepository;
    final String remoteRepository;

    private MavenSettings(Path localRepository, String remoteRepository) {
      this.localRepository = localRepository;
      this.remoteRepository = remoteRepository;
    }

    static MavenSettings read() {
      Path home = Paths.get(System.getProperty("user.home"), ".m2");
      String localFromSettings = null;
      String mirrorFromSettings = null;
      Path settingsFile = home.resolve("settings.xml");
      if (Files.isRegularFile(settingsFile)) {
        try {
          DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
          factory.setExpandEntityReferences(false);
          Document document = factory.newDocumentBuilder().parse(settingsFile.toFile());
          localFromSettings = firstText(document.getDocumentElement(), "localRepository");
          mirrorFromSettings = centralMirror(document);
        } catch (Exception e) {
          LOG.warn("Ignoring unreadable Maven settings {}: {}", settingsFile, e.toString());
        }
      }
      String local = System.getProperty(LOCAL_REPOSITORY_PROPERTY, localFromSettings);
      Path localRepository =
          local != null && !local.trim().isEmpty()
              ? Paths.get(local.trim())
              : home.resolve("repository");
      String remote =
          System.getProperty(
              REPOSITORY_PROPERTY, mirrorFromSettings != null ? mirrorFromSettings : MAVEN_CENTRAL);
      return new MavenSettings(localRepository, remote);
    }

    private static String centralMirror(Document document) {
      NodeList mirrors = document.getElementsByTagName("mirror");
      for (int i = 0; i < mirrors.getLength(); i++) {
        Element mirror = (Element) mirrors.item(i);
        if (mirrorsCentral(firstText(mirror, "mirrorOf"))) {
          return firstText(mirror, "url");
        }
      }
      return null;
    }

    /** Maven's mirrorOf syntax: a comma list of ids, '*', 'external:*', and '!id' exclusions. */
    static boolean mirrorsCentral(String mirrorOf) {
      if (mirrorOf == null) {
        return false;
      }
      boolean matches = false;
      for (String token : mirrorOf.split(",")) {
        String id = token.trim();
        if (id.equals("!central")) {
          return false;
        }
        if (id.equals("central") || id.equals("*") || id.equals("external:*")) {
          matches = true;
        }
      }
      return matches;
    }

    private static String firstText(Element parent, String tag) {
      NodeList nodes = parent.getElementsByTagName(tag);
      if (nodes.getLength() == 0) {
        return null;
      }
      String text = nodes.item(0).getTextContent();
      return text == null || text.trim().isEmpty() ? null : text.trim();
    }
  }
}

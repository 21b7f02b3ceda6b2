package io.github.cosmosspark.testkit.emulator;

import io.github.cosmosspark.testkit.cassandra.CassandraServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the emulator until Ctrl-C: starts a Cassandra and the emulator in front of it, prints how to
 * connect, and writes the same as {@code spark.cosmos.cassandra.*} settings to a properties file
 * that the examples and the core read. Stops both cleanly, and deletes the file, on exit.
 *
 * <p>Arguments: the properties file to write (default {@value #DEFAULT_PROPERTIES}), and {@value
 * #CASSANDRA_DIALECT} for Cassandra's CQL dialect instead of Cosmos's (see {@link
 * CosmosEmulator.Builder#cassandraDialect()}), {@value #CASSANDRA_TOPOLOGY} for Cassandra's
 * topology instead of Cosmos's (see {@link CosmosEmulator.Builder#cassandraTopology()}), {@value
 * #REGION}{@code =<name>} for the account's region (see {@link
 * CosmosEmulator.Builder#region(String)}), {@value #REGIONS}{@code =<name>,<name>,...} for a
 * multi-region account, the write region first (see {@link
 * CosmosEmulator.Builder#regions(String...)}), and {@value #MULTI_REGION_WRITES} (see {@link
 * CosmosEmulator.Builder#multiRegionWrites(boolean)}).
 */
public final class CosmosEmulatorMain {

  /** Where the connection settings go when no path is given. */
  public static final String DEFAULT_PROPERTIES = "cosmos-emulator.properties";

  /** The flag that lets through what Cosmos refuses and Cassandra runs, such as logged batches. */
  public static final String CASSANDRA_DIALECT = "--cassandra-dialect";

  /** The flag that shows clients Cassandra's own topology instead of Cosmos's. */
  public static final String CASSANDRA_TOPOLOGY = "--cassandra-topology";

  /** The flag that names the account's region, as {@code --region="West Europe"}. */
  public static final String REGION = "--region";

  /**
   * The flag that names a multi-region account's regions, as {@code --regions="West US,East US"}.
   */
  public static final String REGIONS = "--regions";

  /** The flag that lets every region of the account take writes. */
  public static final String MULTI_REGION_WRITES = "--multi-region-writes";

  private CosmosEmulatorMain() {}

  public static void main(String[] args) throws Exception {
    String propertiesPath = DEFAULT_PROPERTIES;
    boolean cassandraDialect = false;
    boolean cassandraTopology = false;
    String[] regions = null;
    boolean multiRegionWrites = false;
    for (String arg : args) {
      if (arg.trim().isEmpty()) {
        continue; // Maven passes an unset -Demulator.flags as an empty argument
      } else if (arg.equals(CASSANDRA_DIALECT)) {
        cassandraDialect = true;
      } else if (arg.equals(CASSANDRA_TOPOLOGY)) {
        cassandraTopology = true;
      } else if (arg.startsWith(REGION + "=")) {
        regions = new String[] {arg.substring(REGION.length() + 1)};
      } else if (arg.startsWith(REGIONS + "=")) {
        regions = arg.substring(REGIONS.length() + 1).split(",", -1);
        for (int i = 0; i < regions.length; i++) {
          regions[i] = regions[i].trim();
        }
      } else if (arg.equals(MULTI_REGION_WRITES)) {
        multiRegionWrites = true;
      } else if (arg.startsWith("--")) {
        System.err.println(
            "Unknown flag "
                + arg
                + "; the flags are "
                + CASSANDRA_DIALECT
                + ", "
                + CASSANDRA_TOPOLOGY
                + ", "
                + REGION
                + "=<Azure region's display name>, "
                + REGIONS
                + "=<name>,<name>,... (the write region first) and "
                + MULTI_REGION_WRITES
                + ".");
        System.exit(2);
      } else {
        propertiesPath = arg;
      }
    }
    Path propertiesFile = Paths.get(propertiesPath).toAbsolutePath();
    System.out.println("Starting Apache Cassandra and the Cosmos emulator...");
    CassandraServer cassandra = CassandraServer.builder().build();
    CosmosEmulator emulator;
    try {
      cassandra.start();
      CosmosEmulator.Builder builder = CosmosEmulator.builder(cassandra);
      if (cassandraDialect) {
        builder.cassandraDialect();
      }
      if (cassandraTopology) {
        builder.cassandraTopology();
      }
      if (regions != null) {
        builder.regions(regions);
      }
      builder.multiRegionWrites(multiRegionWrites);
      emulator = builder.build().start();
    } catch (RuntimeException e) {
      cassandra.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping the Cosmos emulator and Cassandra...");
                  emulator.close();
                  cassandra.close();
                  try {
                    Files.deleteIfExists(propertiesFile);
                  } catch (IOException e) {
                    System.err.println("Could not delete " + propertiesFile + ": " + e);
                  }
                  stopped.countDown();
                },
                "cosmos-emulator-shutdown"));

    Properties settings = connectionSettings(emulator);
    try (OutputStream out = Files.newOutputStream(propertiesFile)) {
      settings.store(out, "Cosmos emulator connection, valid while the emulator runs");
    }
    System.out.println();
    System.out.println("Cosmos DB for Apache Cassandra emulator is running.");
    System.out.println("  endpoint    " + emulator.host() + ":" + emulator.port() + " (TLS)");
    System.out.println("  account     " + emulator.account());
    System.out.println("  key         " + emulator.key());
    System.out.println("  read-only   " + emulator.readOnlyKey());
    System.out.println(
        "  data centre "
            + emulator.localDatacenter()
            + (cassandraTopology
                ? " (Cassandra's topology)"
                : " (the account's region; " + CASSANDRA_TOPOLOGY + " for Cassandra's)"));
    if (emulator.regions().size() > 1) {
      System.out.println(
          "  regions     "
              + (multiRegionWrites
                  ? "every region takes writes (multi-region writes)"
                  : "the first takes writes, the others reads only ("
                      + MULTI_REGION_WRITES
                      + " for all)"));
      for (String name : emulator.regions()) {
        System.out.println(
            "    "
                + name
                + "  "
                + emulator.regionAddress(name)
                + ":"
                + emulator.port()
                + "  "
                + emulator.regionalHostName(name)
                + (name.equals(emulator.writeRegion()) ? "  (write region)" : ""));
      }
      System.out.println(
          "  global name "
              + emulator.globalHostName()
              + " = "
              + emulator.host()
              + " (names do not resolve; use them as the TLS peer host)");
    }
    System.out.println("  truststore  " + emulator.truststorePath() + " (PKCS12)");
    System.out.println("  password    " + emulator.truststorePassword());
    System.out.println("  settings    " + propertiesFile);
    System.out.println(
        "  dialect     "
            + (cassandraDialect
                ? "Cassandra's: logged batches and statements Cosmos refuses are let through"
                : "Cosmos's (" + CASSANDRA_DIALECT + " for Cassandra's)"));
    System.out.println("Press Ctrl-C to stop.");
    stopped.await();
  }

  /** The {@code spark.cosmos.cassandra.*} settings that reach this emulator. */
  public static Properties connectionSettings(CosmosEmulator emulator) {
    Properties settings = new Properties();
    settings.setProperty("spark.cosmos.cassandra.account", emulator.account());
    settings.setProperty("spark.cosmos.cassandra.password", emulator.key());
    settings.setProperty("spark.cosmos.cassandra.host", emulator.host());
    settings.setProperty("spark.cosmos.cassandra.port", Integer.toString(emulator.port()));
    settings.setProperty(
        "spark.cosmos.cassandra.tls.truststore.path", emulator.truststorePath().toString());
    settings.setProperty(
        "spark.cosmos.cassandra.tls.truststore.password", emulator.truststorePassword());
    settings.setProperty("spark.cosmos.cassandra.tls.truststore.type", emulator.truststoreType());
    return settings;
  }
}

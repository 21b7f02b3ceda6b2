package io.github.cosmosspark.core.catalog;

import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Spark sessions with a Cosmos catalog on the emulator. */
final class CatalogSessions {
  private static final String PREFIX = "spark.cosmos.cassandra.";

  private CatalogSessions() {}

  /**
   * A new session (the shared context, its own SQL configuration) with catalog {@code catalog}
   * configured by its own {@code spark.sql.catalog.<catalog>.*} settings, in the format's short
   * option names; made the active session.
   */
  static SparkSession withCatalog(CosmosEmulator emulator, String catalog) {
    SparkSession session = LocalSpark.session().newSession();
    session.conf().set("spark.sql.catalog." + catalog, CosmosCassandraCatalog.class.getName());
    for (Map.Entry<String, String> setting : EmulatorBooks.connectionOptions(emulator).entrySet()) {
      session
          .conf()
          .set(
              "spark.sql.catalog." + catalog + "." + setting.getKey().substring(PREFIX.length()),
              setting.getValue());
    }
    SparkSession.setActiveSession(session);
    return session;
  }

  /** The message of {@code error} and of every cause, so a test finds its text however wrapped. */
  static String messages(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      text.append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
      text.append('\n');
    }
    return text.toString();
  }
}

package io.github.cosmosspark.core.config;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Which warnings a JVM has already given: a setting that is deprecated, weakens TLS, or leaves a
 * table without a budget is said once per JVM, not once per read, so the one line that matters is
 * not buried. The JVM's one instance is held by the session layer's runtime; a fresh one (as {@link
 * CosmosCassandraConfig#resolve(java.util.Map, java.util.Map)} uses) says everything.
 */
public final class WarnOnce {
  private final Set<String> said = ConcurrentHashMap.newKeySet();

  /** Logs at WARN through {@code log} unless a warning under {@code key} was already given. */
  public void warn(Logger log, String key, String message, Object... arguments) {
    if (said.add(key)) {
      log.warn(message, arguments);
    }
  }

  /** Logs at INFO through {@code log} unless a line under {@code key} was already given. */
  public void info(Logger log, String key, String message, Object... arguments) {
    if (said.add(key)) {
      log.info(message, arguments);
    }
  }
}

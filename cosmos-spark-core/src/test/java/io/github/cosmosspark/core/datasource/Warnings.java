package io.github.cosmosspark.core.datasource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** The WARN lines some classes log while it is open, as the user reads them. */
final class Warnings implements AutoCloseable {
  private static final String NAME = "capture-warnings";

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<LoggerConfig> loggers = new ArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);

  Warnings(Class<?>... from) {
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Class<?> type : from) {
      names.add(type.getName());
    }
    AbstractAppender capture =
        new AbstractAppender(NAME, null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            if (names.contains(event.getLoggerName())) {
              lines.add(event.getMessage().getFormattedMessage());
            }
          }
        };
    capture.start();
    for (Class<?> type : from) {
      LoggerConfig logger = context.getConfiguration().getLoggerConfig(type.getName());
      if (!loggers.contains(logger)) {
        logger.addAppender(capture, Level.WARN, null);
        loggers.add(logger);
      }
    }
    context.updateLoggers();
  }

  /** Every line so far. */
  List<String> all() {
    return new ArrayList<>(lines);
  }

  /** The lines that contain {@code text}. */
  List<String> about(String text) {
    return lines.stream().filter(line -> line.contains(text)).collect(Collectors.toList());
  }

  @Override
  public void close() {
    for (LoggerConfig logger : loggers) {
      logger.removeAppender(NAME);
    }
    context.updateLoggers();
  }
}

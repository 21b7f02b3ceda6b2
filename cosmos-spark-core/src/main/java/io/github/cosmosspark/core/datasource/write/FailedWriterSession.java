package io.github.cosmosspark.core.datasource.write;

import java.lang.reflect.Field;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the session of an SCC write task that failed. SCC 3.5.1's {@code
 * AsyncStatementWriter.close()} throws the write's error before it closes its session, so the
 * session's use count in SCC's cache never returns to zero: every failed write task kept a driver
 * session (and its connections to Cosmos, each a TLS handshake and a login) open until the JVM
 * ended, and the driver warned of too many sessions in a notebook after a few failed writes. SCC
 * offers no way to reach the session, so this reads the writer's field; SCC's version is checked at
 * start ({@code ConnectorVersionCheck}), and if the field is not found nothing is closed and the
 * leak is logged at DEBUG.
 */
final class FailedWriterSession {
  private static final Logger LOG = LoggerFactory.getLogger(FailedWriterSession.class);

  private FailedWriterSession() {}

  /**
   * Closes the session {@code sccWriter} opened, if it opened one. Closing SCC's session handle
   * twice is harmless (its proxy ignores a second close), so a later successful close changes
   * nothing.
   */
  static void close(DataWriter<InternalRow> sccWriter) {
    try {
      Object statementWriter = field(sccWriter, "writer");
      // The lazily opened session: null when the task failed before sending anything.
      Object session = statementWriter == null ? null : field(statementWriter, "session");
      if (session instanceof AutoCloseable) {
        ((AutoCloseable) session).close();
      }
    } catch (Exception e) {
      LOG.debug(
          "Could not close the session of a failed SCC write task ({}); it stays open until the"
              + " JVM ends",
          e.toString());
    }
  }

  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    Field field = owner.getClass().getDeclaredField(name);
    field.setAccessible(true);
    return field.get(owner);
  }
}

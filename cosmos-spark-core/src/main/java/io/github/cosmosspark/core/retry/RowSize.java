package io.github.cosmosspark.core.retry;

/**
 * The largest row a write request carries, for telling a row Cosmos refuses for its size (413) from
 * the other write failures, which the Java driver 4 does not tell apart: its {@code
 * WriteFailureException} drops the text in which Cosmos names the status code.
 */
public final class RowSize {

  /**
   * Cosmos DB's limit on one item, which for the Cassandra API is one row: 2 MB ("Azure Cosmos DB
   * service quotas", per-item limits). Counted here as the bytes of the row's values as the driver
   * sends them; the write check refuses larger rows before sending, the emulator answers them 413.
   */
  public static final long MAX_BYTES = 2L * 1024 * 1024;

  /** A request whose rows' sizes are not known (a statement with values in its text). */
  public static final RowSize UNKNOWN = new RowSize(null, -1);

  private final String key;
  private final long bytes;

  /**
   * @param key the row's partition key as a person reads it, or null
   * @param bytes the bytes of its values, or -1 when not known
   */
  public RowSize(String key, long bytes) {
    this.key = key;
    this.bytes = bytes;
  }

  /** The row's partition key, readable, or null. */
  public String key() {
    return key;
  }

  /** The bytes of its values, or -1 when not known. */
  public long bytes() {
    return bytes;
  }

  /** Whether Cosmos refuses the row for its size. */
  public boolean overLimit() {
    return bytes > MAX_BYTES;
  }
}

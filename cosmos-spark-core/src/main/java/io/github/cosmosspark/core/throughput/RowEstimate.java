package io.github.cosmosspark.core.throughput;

import java.util.Locale;

/**
 * How many rows a table holds, extrapolated from a few pages of its tokens read at points spread
 * over the token ring (see {@code session.TableSizeProbe}), since Cosmos keeps no {@code
 * system.size_estimates}.
 *
 * <p>Each sample covers one segment of the ring, from its start: either the whole segment, when the
 * page held fewer rows than asked (the segment's rows are then counted exactly), or the span up to
 * the last token of a full page. A segment's rows are extrapolated as {@code (rows - 1) / span ×
 * segment}, which for tokens spread uniformly at random is an unbiased estimate of the density; the
 * table's rows are the segments' sum. This assumes that Cosmos's {@code token()} values, although
 * not Cassandra's Murmur3 values, are a hash spread evenly over the signed 64-bit range, as
 * Murmur3's are (not confirmed; docs/cosmos-behaviour.md, "Topology").
 */
public final class RowEstimate {
  /** 2^64, the size of the token ring. */
  static final double RING = Math.pow(2, 64);

  private final double rows;
  private final long rowsSampled;
  private final double ringSampled;
  private final boolean exact;
  private final double requestUnits;
  private final long rowBytes;

  private RowEstimate(
      double rows,
      long rowsSampled,
      double ringSampled,
      boolean exact,
      double requestUnits,
      long rowBytes) {
    this.requestUnits = requestUnits;
    this.rowBytes = rowBytes;
    this.rows = rows;
    this.rowsSampled = rowsSampled;
    this.ringSampled = ringSampled;
    this.exact = exact;
  }

  /** An estimate built segment by segment. */
  public static Builder builder() {
    return new Builder();
  }

  /** The estimated number of rows; 0 for an empty table. */
  public long rows() {
    return Math.round(rows);
  }

  /** The tokens read to make the estimate. */
  public long rowsSampled() {
    return rowsSampled;
  }

  /** The share of the token ring whose rows were read, 0 to 1. */
  public double ringSampled() {
    return ringSampled / RING;
  }

  /** What reading the samples was charged, in request units (0 where nothing says). */
  public double requestUnits() {
    return requestUnits;
  }

  /**
   * A row's average size in bytes as read from a sample of whole rows (each column's value and 4
   * bytes for its length, as a page carries it); 0 when no row was sampled.
   */
  public long rowBytes() {
    return rowBytes;
  }

  /**
   * A row's size for what reading it costs: the sample's when rows were sampled, since the schema
   * knows no text's or blob's length; else {@code fromSchema}.
   */
  public long rowBytesOr(long fromSchema) {
    return rowBytes > 0 ? rowBytes : fromSchema;
  }

  /** Whether every segment was read whole, so that {@link #rows()} is a count. */
  public boolean exact() {
    return exact;
  }

  @Override
  public String toString() {
    String cost =
        requestUnits > 0 ? String.format(Locale.ROOT, ", charged %,.1f RU", requestUnits) : "";
    String size = rowBytes > 0 ? String.format(Locale.ROOT, " of ~%,d B (sampled)", rowBytes) : "";
    return exact
        ? String.format(Locale.ROOT, "%,d rows%s (counted%s)", rows(), size, cost)
        : String.format(
            Locale.ROOT,
            "~%,d rows%s (from %,d tokens over %.2f%% of the token ring%s)",
            rows(),
            size,
            rowsSampled,
            ringSampled() * 100,
            cost);
  }

  /** Collects the samples of the segments of the ring. */
  public static final class Builder {
    private double rows;
    private long rowsSampled;
    private double ringSampled;
    private boolean exact = true;
    private double requestUnits;
    private long sampledRows;
    private long sampledBytes;

    private Builder() {}

    /** Whether any segment held a row. */
    public boolean hasRows() {
      return rowsSampled > 0;
    }

    /** Adds whole rows read to learn a row's size: {@code rows} of {@code bytes} in all. */
    public Builder sampledRows(long rows, long bytes) {
      sampledRows += rows;
      sampledBytes += bytes;
      return this;
    }

    /** Adds what one of the samples was charged. */
    public Builder charged(double requestUnits) {
      this.requestUnits += requestUnits;
      return this;
    }

    /**
     * One segment of {@code segmentSize} tokens, read from its start: {@code rowsRead} rows, whose
     * last token lies {@code spanRead} tokens past the start; {@code whole} when the page held
     * fewer rows than asked, so the segment holds exactly {@code rowsRead}.
     */
    public Builder segment(double segmentSize, long rowsRead, double spanRead, boolean whole) {
      rowsSampled += rowsRead;
      if (whole) {
        rows += rowsRead;
        ringSampled += segmentSize;
      } else {
        double span = Math.max(1, Math.min(segmentSize, spanRead));
        rows += Math.max(1, rowsRead - 1) / span * segmentSize;
        ringSampled += span;
        exact = false;
      }
      return this;
    }

    public RowEstimate build() {
      long rowBytes =
          sampledRows == 0 ? 0 : Math.max(1, Math.round((double) sampledBytes / sampledRows));
      return new RowEstimate(rows, rowsSampled, ringSampled, exact, requestUnits, rowBytes);
    }
  }
}

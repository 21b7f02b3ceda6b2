package io.github.cosmosspark.core.throughput;

/**
 * The first guess of what a row costs to read or write on Cosmos, in request units, before any real
 * charge has been seen: Microsoft's published figures by row size ("Understand request units
 * consumption in Azure Cosmos DB", learn.microsoft.com/azure/cosmos-db/understand-request-unit-
 * consumption, which applies to the Cassandra API; session or eventual consistency, one region),
 * piecewise-linear between the published sizes. The testkit's emulator charges from the same table;
 * core does not depend on the testkit, so the figures are repeated here (docs/emulator.md).
 */
final class RowCosts {
  private static final double[] KILOBYTES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048};
  private static final double[] READ = {
    1.00, 1.04, 1.14, 1.33, 1.67, 2.19, 4.76, 9.95, 20.28, 40.95, 145.90, 291.80
  };
  private static final double[] WRITE = {
    4.95, 6.29, 6.67, 7.04, 9.52, 11.23, 22.67, 48.19, 98.29, 184.57, 625.00, 1250.00
  };

  private RowCosts() {}

  /** A write of one row of {@code rowBytes}: never less than the 1 KB figure. */
  static double write(long rowBytes) {
    return interpolate(WRITE, Math.max(rowBytes, 1024));
  }

  /** A read request on its own (a point read, a page's least): never less than the 1 KB figure. */
  static double read(long rowBytes) {
    return interpolate(READ, Math.max(rowBytes, 1024));
  }

  /**
   * One row of a page of a scan: rows under 1 KB pro rata (1 RU per KB), as the emulator charges
   * them; Microsoft publishes no figure below 1 KB, so that part is a guess.
   */
  static double readInPage(long rowBytes) {
    return rowBytes < 1024 ? READ[0] * Math.max(1, rowBytes) / 1024.0 : interpolate(READ, rowBytes);
  }

  /** Linear between the published sizes; past 2 MB, the last segment's slope. */
  private static double interpolate(double[] costs, long bytes) {
    double kilobytes = bytes / 1024.0;
    int last = KILOBYTES.length - 1;
    int upper = 1;
    while (upper < last && kilobytes > KILOBYTES[upper]) {
      upper++;
    }
    int lower = upper - 1;
    double slope = (costs[upper] - costs[lower]) / (KILOBYTES[upper] - KILOBYTES[lower]);
    return costs[lower] + slope * (kilobytes - KILOBYTES[lower]);
  }
}

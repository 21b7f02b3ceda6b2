package io.github.cosmosspark.testkit.emulator;

/**
 * What a read or a write costs in request units, by row size, from the table Microsoft publishes
 * for every API, Cassandra included ("Understand request units consumption in Azure Cosmos DB",
 * learn.microsoft.com/azure/cosmos-db/understand-request-unit-consumption; the figures are for
 * session and eventual consistency, in one region). Only formulas: where a charge is booked is for
 * {@link RequestCharges} and the budgets to decide. Every source and guess is listed in
 * docs/emulator.md.
 */
final class CostModel {

  /** The row sizes of Microsoft's table, in KB (1 KB = 1,024 bytes). */
  static final double[] KILOBYTES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048};

  /** A point read of a row of each size in {@link #KILOBYTES}, in RU. */
  static final double[] READ = {
    1.00, 1.04, 1.14, 1.33, 1.67, 2.19, 4.76, 9.95, 20.28, 40.95, 145.90, 291.80
  };

  /** A write of a row of each size in {@link #KILOBYTES}, in RU. */
  static final double[] WRITE = {
    4.95, 6.29, 6.67, 7.04, 9.52, 11.23, 22.67, 48.19, 98.29, 184.57, 625.00, 1250.00
  };

  private CostModel() {}

  /**
   * One row read on its own (a point read): its size on the table, never less than the 1 KB figure;
   * also what a read reserves before it runs. A page of one row costs the same.
   */
  static double readRow(long bytes) {
    return rounded(interpolate(READ, Math.max(bytes, 1024)));
  }

  /** One row written (an insert, update or delete, or one statement of a batch). */
  static double writeRow(long bytes) {
    return rounded(interpolate(WRITE, Math.max(bytes, 1024)));
  }

  /**
   * A page of rows: each row read at its size on the table, as Microsoft says a feed of five 1 KB
   * rows costs about what five point reads of them do; rows under 1 KB pro rata (1 RU per KB), a
   * guess: Microsoft publishes nothing below 1 KB, and a floor of 1 RU per row would charge a scan
   * of 100-byte rows ten times what its bytes are. The whole page, even an empty one, costs at
   * least the 1 KB figure: a lookup that finds nothing is still work (a guess too).
   */
  static double readPage(long[] rowBytes) {
    double total = 0;
    for (long bytes : rowBytes) {
      total += bytes < 1024 ? READ[0] * bytes / 1024.0 : interpolate(READ, bytes);
    }
    return rounded(Math.max(READ[0], total));
  }

  /** A write request of one or more statements (a batch): each statement a row of its own. */
  static double write(long[] statementBytes) {
    double total = 0;
    for (long bytes : statementBytes) {
      total += interpolate(WRITE, Math.max(bytes, 1024));
    }
    return rounded(statementBytes.length == 0 ? WRITE[0] : total);
  }

  /**
   * Piecewise-linear in size between Microsoft's points: monotone because both columns rise, exact
   * at each published size, and with no shape the figures do not show (a power law or spline would
   * invent curvature between points 2x apart). Beyond 2 MB, the last segment's slope, which is
   * proportional to size (1 MB to 2 MB doubles both figures); Cosmos refuses rows over 2 MB anyway.
   */
  static double interpolate(double[] costs, long bytes) {
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

  /** To the hundredth of an RU, as Microsoft's figures are given. */
  private static double rounded(double requestUnits) {
    return Math.round(requestUnits * 100) / 100.0;
  }
}

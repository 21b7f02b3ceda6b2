package io.github.cosmosspark.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The emulator's cost formulas against Microsoft's published figures ("Understand request units
 * consumption in Azure Cosmos DB"), which are given to the hundredth of an RU, as the model rounds.
 */
class CostModelTest {
  private static final long KB = 1024;

  @Test
  void aRowOfAPublishedSizeCostsExactlyThePublishedFigure() {
    assertEquals(1.00, CostModel.readRow(KB), 1e-9);
    assertEquals(4.95, CostModel.writeRow(KB), 1e-9);
    assertEquals(1.14, CostModel.readRow(4 * KB), 1e-9);
    assertEquals(6.67, CostModel.writeRow(4 * KB), 1e-9);
    assertEquals(4.76, CostModel.readRow(64 * KB), 1e-9);
    assertEquals(22.67, CostModel.writeRow(64 * KB), 1e-9);
    assertEquals(145.90, CostModel.readRow(1024 * KB), 1e-9);
    assertEquals(625.00, CostModel.writeRow(1024 * KB), 1e-9);
    assertEquals(291.80, CostModel.readRow(2048 * KB), 1e-9);
    assertEquals(1250.00, CostModel.writeRow(2048 * KB), 1e-9);
  }

  @Test
  void betweenPublishedSizesTheCostIsLinearInSize() {
    // 56 KB is three quarters of the way from 32 KB (2.19 / 11.23) to 64 KB (4.76 / 22.67).
    assertEquals(2.19 + 0.75 * (4.76 - 2.19), CostModel.readRow(56 * KB), 0.005);
    assertEquals(11.23 + 0.75 * (22.67 - 11.23), CostModel.writeRow(56 * KB), 0.005);
  }

  @Test
  void aRowUnder1KbCostsWhatA1KbRowDoesAndPast2MbTheCostGrowsInProportion() {
    assertEquals(1.00, CostModel.readRow(0), 1e-9);
    assertEquals(1.00, CostModel.readRow(100), 1e-9);
    assertEquals(4.95, CostModel.writeRow(1), 1e-9);
    assertEquals(2 * 291.80, CostModel.readRow(4096 * KB), 1e-9);
    assertEquals(2 * 1250.00, CostModel.writeRow(4096 * KB), 1e-9);
  }

  @Test
  void theCostNeverFallsAsARowGrows() {
    double read = 0;
    double write = 0;
    double page = 0;
    for (long bytes = 0; bytes <= 3 * 1024 * KB; bytes += 256) {
      double nextRead = CostModel.readRow(bytes);
      double nextWrite = CostModel.writeRow(bytes);
      double nextPage = CostModel.readPage(new long[] {bytes, bytes});
      assertTrue(nextRead >= read, "read at " + bytes + " B: " + nextRead + " < " + read);
      assertTrue(nextWrite >= write, "write at " + bytes + " B: " + nextWrite + " < " + write);
      assertTrue(nextPage >= page, "page at " + bytes + " B: " + nextPage + " < " + page);
      read = nextRead;
      write = nextWrite;
      page = nextPage;
    }
    assertTrue(CostModel.readRow(3 * 1024 * KB) > CostModel.readRow(2048 * KB));
  }

  @Test
  void aPageCostsTheSumOfItsRowsWithRowsUnder1KbProRataAndAtLeastOnePointRead() {
    assertEquals(3 * 1.04, CostModel.readPage(new long[] {2 * KB, 2 * KB, 2 * KB}), 1e-9);
    assertEquals(1.14 + 4.76, CostModel.readPage(new long[] {4 * KB, 64 * KB}), 1e-9);
    // 20 rows of 100 B: 2,000 B at 1 RU per KB is 1.953 RU, to the hundredth 1.95.
    assertEquals(1.95, hundredRowPage(20), 1e-9);
    // 5 such rows are 0.49 RU: the page costs a point read's 1 RU; an empty page too.
    assertEquals(1.00, hundredRowPage(5), 1e-9);
    assertEquals(1.00, CostModel.readPage(new long[0]), 1e-9);
  }

  @Test
  void aPageOfOneRowCostsWhatAPointReadOfItDoes() {
    for (long bytes : new long[] {0, 100, KB, 3 * KB, 100 * KB, 1024 * KB}) {
      assertEquals(CostModel.readRow(bytes), CostModel.readPage(new long[] {bytes}), 1e-9);
    }
  }

  @Test
  void aBatchCostsAWriteOfEachOfItsStatements() {
    assertEquals(2 * 4.95, CostModel.write(new long[] {100, 1 * KB}), 1e-9);
    assertEquals(4.95 + 22.67, CostModel.write(new long[] {10, 64 * KB}), 1e-9);
    assertEquals(6.67, CostModel.write(new long[] {4 * KB}), 1e-9);
  }

  private static double hundredRowPage(int rows) {
    long[] sizes = new long[rows];
    Arrays.fill(sizes, 100);
    return CostModel.readPage(sizes);
  }
}

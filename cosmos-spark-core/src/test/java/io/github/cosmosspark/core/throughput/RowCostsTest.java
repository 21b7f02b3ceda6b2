package io.github.cosmosspark.core.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The connector's first guesses against Microsoft's published figures ("Understand request units
 * consumption in Azure Cosmos DB"), given to the hundredth of an RU: within 0.005 at the points.
 */
class RowCostsTest {
  private static final long KB = 1024;

  @Test
  void aRowOfAPublishedSizeIsGuessedAtThePublishedFigure() {
    assertEquals(1.00, RowCosts.read(KB), 0.005);
    assertEquals(4.95, RowCosts.write(KB), 0.005);
    assertEquals(1.14, RowCosts.read(4 * KB), 0.005);
    assertEquals(6.67, RowCosts.write(4 * KB), 0.005);
    assertEquals(4.76, RowCosts.read(64 * KB), 0.005);
    assertEquals(22.67, RowCosts.write(64 * KB), 0.005);
    assertEquals(145.90, RowCosts.read(1024 * KB), 0.005);
    assertEquals(625.00, RowCosts.write(1024 * KB), 0.005);
  }

  @Test
  void smallRowsCostA1KbRowOnTheirOwnAndTheirShareOfAKbInAPage() {
    assertEquals(1.00, RowCosts.read(40), 0.005);
    assertEquals(4.95, RowCosts.write(40), 0.005);
    assertEquals(40 / 1024.0, RowCosts.readInPage(40), 1e-9);
    assertEquals(1.14, RowCosts.readInPage(4 * KB), 0.005);
  }

  @Test
  void theGuessNeverFallsAsARowGrows() {
    double read = 0;
    double write = 0;
    double inPage = 0;
    for (long bytes = 0; bytes <= 3 * 1024 * KB; bytes += 256) {
      assertTrue(RowCosts.read(bytes) >= read, "read at " + bytes);
      assertTrue(RowCosts.write(bytes) >= write, "write at " + bytes);
      assertTrue(RowCosts.readInPage(bytes) >= inPage, "in a page at " + bytes);
      read = RowCosts.read(bytes);
      write = RowCosts.write(bytes);
      inPage = RowCosts.readInPage(bytes);
    }
  }
}

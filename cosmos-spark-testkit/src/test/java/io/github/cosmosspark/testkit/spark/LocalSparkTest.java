package io.github.cosmosspark.testkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class LocalSparkTest {

  @Test
  void aTestsOwnSessionReplacesTheSharedOneUntilItIsStopped() {
    SparkSession shared = LocalSpark.session();
    SparkSession own = LocalSpark.sessionWithTaskSlots(8);
    try {
      assertTrue(shared.sparkContext().isStopped(), "the shared session was stopped");
      assertEquals("local[8]", own.sparkContext().master());
      assertEquals(8, own.sparkContext().defaultParallelism());
      assertSame(own, LocalSpark.session(), "while it runs, session() returns it");
    } finally {
      own.stop();
    }

    SparkSession again = LocalSpark.session();
    assertEquals("local[2]", again.sparkContext().master());
    assertEquals(10, again.range(0, 10).count());
  }
}

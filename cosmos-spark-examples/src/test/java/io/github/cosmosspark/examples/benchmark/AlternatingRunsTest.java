package io.github.cosmosspark.examples.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlternatingRunsTest {

  @Test
  void warmsUpEachSideOnceThenAlternatesThemForTheGivenRounds() throws Exception {
    AlternatingRuns.Result result =
        new AlternatingRuns(2)
            .side("A", turn -> Collections.singletonMap("write", 1.0))
            .side("B", turn -> Collections.singletonMap("write", 1.0))
            .run();

    assertEquals(
        Arrays.asList("A (warm-up)", "B (warm-up)", "A #1", "B #1", "A #2", "B #2"),
        result.order());
  }

  @Test
  void leavesTheWarmUpsOutOfTheSamples() throws Exception {
    Deque<Double> values = new ArrayDeque<>(Arrays.asList(1_000.0, 10.0, 30.0, 20.0));
    AlternatingRuns.Result result =
        new AlternatingRuns(3)
            .side("A", turn -> Collections.singletonMap("scan", values.removeFirst()))
            .run();

    assertEquals(Arrays.asList(10.0, 30.0, 20.0), result.of("A", "scan").values());
  }

  @Test
  void givesEachSidesMedianAndSpread() throws Exception {
    Deque<Double> values = new ArrayDeque<>(Arrays.asList(0.0, 40.0, 10.0, 30.0, 20.0));
    AlternatingRuns.Samples samples =
        new AlternatingRuns(4)
            .side("A", turn -> Collections.singletonMap("write", values.removeFirst()))
            .run()
            .of("A", "write");

    assertEquals(25.0, samples.median());
    assertEquals(10.0, samples.min());
    assertEquals(40.0, samples.max());
  }

  @Test
  void dividesOneSidesMedianByTheOthers() throws Exception {
    List<Double> a = Arrays.asList(0.0, 90.0, 110.0, 100.0);
    List<Double> b = Arrays.asList(0.0, 200.0, 180.0, 220.0);
    AlternatingRuns.Result result =
        new AlternatingRuns(3)
            .side("A", turn -> Collections.singletonMap("write", a.get(turn.round())))
            .side("B", turn -> Collections.singletonMap("write", b.get(turn.round())))
            .run();

    assertEquals(0.5, result.ratioOfMedians("write", "A", "B"), 1e-12);
  }

  @Test
  void refusesToCountNoRounds() {
    assertThrows(IllegalArgumentException.class, () -> new AlternatingRuns(0));
  }
}

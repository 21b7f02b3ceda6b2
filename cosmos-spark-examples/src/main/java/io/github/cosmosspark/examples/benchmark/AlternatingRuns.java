package io.github.cosmosspark.examples.benchmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the sides of a comparison in turn — one untimed warm-up of each, then A B A B … for a number
 * of rounds — and keeps what each run measured, per side and measure. On a shared machine a load
 * that comes and goes then falls on both sides alike, and neither side pays alone for the JIT,
 * class loading or the first session.
 */
final class AlternatingRuns {

  /** One run of one side: what it measured, by name (e.g. {@code write} → rows per second). */
  interface Side {
    Map<String, Double> run(Turn turn) throws Exception;
  }

  /** Which run this is, for the side to label what it records. */
  static final class Turn {
    private final String side;
    private final int round;

    Turn(String side, int round) {
      this.side = side;
      this.round = round;
    }

    String side() {
      return side;
    }

    /** 0 for the warm-up, then 1, 2, …. */
    int round() {
      return round;
    }

    boolean warmUp() {
      return round == 0;
    }

    @Override
    public String toString() {
      return side + (warmUp() ? " (warm-up)" : " #" + round);
    }
  }

  private final int rounds;
  private final Map<String, Side> sides = new LinkedHashMap<>();

  /**
   * @param rounds the counted runs of each side, after its warm-up
   */
  AlternatingRuns(int rounds) {
    if (rounds < 1) {
      throw new IllegalArgumentException("At least one counted round, got " + rounds + ".");
    }
    this.rounds = rounds;
  }

  /** Adds a side; sides run in the order they are added. */
  AlternatingRuns side(String name, Side side) {
    sides.put(name, side);
    return this;
  }

  /** Runs every side's warm-up, then the rounds, and gives what the counted runs measured. */
  Result run() throws Exception {
    Result result = new Result(rounds);
    for (int round = 0; round <= rounds; round++) {
      for (Map.Entry<String, Side> side : sides.entrySet()) {
        Turn turn = new Turn(side.getKey(), round);
        Map<String, Double> measured = side.getValue().run(turn);
        result.order.add(turn.toString());
        if (!turn.warmUp()) {
          for (Map.Entry<String, Double> measure : measured.entrySet()) {
            result.add(side.getKey(), measure.getKey(), measure.getValue());
          }
        }
      }
    }
    return result;
  }

  /** What the counted runs measured. */
  static final class Result {
    private final int rounds;
    private final List<String> order = new ArrayList<>();
    private final Map<String, Map<String, Samples>> samples = new LinkedHashMap<>();

    private Result(int rounds) {
      this.rounds = rounds;
    }

    private void add(String side, String measure, double value) {
      samples
          .computeIfAbsent(side, s -> new LinkedHashMap<>())
          .computeIfAbsent(measure, m -> new Samples())
          .values
          .add(value);
    }

    int rounds() {
      return rounds;
    }

    /** Every run in the order it ran, warm-ups included, e.g. {@code ours (warm-up)}. */
    List<String> order() {
      return Collections.unmodifiableList(order);
    }

    /** One side's counted values of one measure. */
    Samples of(String side, String measure) {
      Map<String, Samples> ofSide = samples.get(side);
      Samples found = ofSide == null ? null : ofSide.get(measure);
      if (found == null) {
        throw new IllegalArgumentException("No runs of " + side + " measured " + measure + ".");
      }
      return found;
    }

    /** {@code side}'s median of {@code measure} ÷ {@code other}'s. */
    double ratioOfMedians(String measure, String side, String other) {
      return of(side, measure).median() / of(other, measure).median();
    }
  }

  /** The values one side measured, in the order they were taken. */
  static final class Samples {
    private final List<Double> values = new ArrayList<>();

    List<Double> values() {
      return Collections.unmodifiableList(values);
    }

    double median() {
      List<Double> sorted = sorted();
      int middle = sorted.size() / 2;
      return sorted.size() % 2 == 1
          ? sorted.get(middle)
          : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    double min() {
      return sorted().get(0);
    }

    double max() {
      List<Double> sorted = sorted();
      return sorted.get(sorted.size() - 1);
    }

    private List<Double> sorted() {
      List<Double> sorted = new ArrayList<>(values);
      Collections.sort(sorted);
      return sorted;
    }
  }
}

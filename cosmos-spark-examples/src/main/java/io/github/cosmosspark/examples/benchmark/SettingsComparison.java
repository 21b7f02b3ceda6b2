package io.github.cosmosspark.examples.benchmark;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The effective settings of the sides of a comparison, per kind of run (a write, a scan), gathered
 * over every counted run and printed side by side, each difference with the reason it is there. A
 * value that changed between runs of one side is shown with all its values, separated by {@code /}.
 */
final class SettingsComparison {
  private static final String NOT_EXPLAINED = "DIFFERS, not explained";

  /** kind → side → setting → the values seen, in the order first seen. */
  private final Map<String, Map<String, Map<String, Set<String>>>> seen = new LinkedHashMap<>();

  /** What one run of {@code side} ran with, for {@code kind}. */
  void record(String kind, String side, Map<String, String> settings) {
    Map<String, Set<String>> values =
        seen.computeIfAbsent(kind, k -> new LinkedHashMap<>())
            .computeIfAbsent(side, s -> new LinkedHashMap<>());
    settings.forEach(
        (key, value) -> values.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(value));
  }

  /**
   * One table per kind: a row per setting, a column per side in {@code sides}, and, where the
   * values differ, {@code why} of the setting, or {@value #NOT_EXPLAINED} when it gives null.
   */
  void print(String source, List<String> sides, Function<String, String> why) {
    for (Map.Entry<String, Map<String, Map<String, Set<String>>>> kind : seen.entrySet()) {
      System.out.printf(
          "%nEffective settings of the %s (%s; values that changed between runs are separated by"
              + " /):%n%n",
          kind.getKey(), source);
      StringBuilder format = new StringBuilder("| %-58s |");
      Object[] header = new Object[sides.size() + 2];
      header[0] = "setting";
      for (int i = 0; i < sides.size(); i++) {
        format.append(" %-34s |");
        header[i + 1] = sides.get(i);
      }
      format.append(" %s%n");
      header[sides.size() + 1] = "";
      System.out.printf(format.toString(), header);
      Set<String> keys = new LinkedHashSet<>();
      for (String side : sides) {
        keys.addAll(kind.getValue().getOrDefault(side, new LinkedHashMap<>()).keySet());
      }
      for (String key : keys) {
        Object[] row = new Object[sides.size() + 2];
        row[0] = key;
        Set<String> distinct = new LinkedHashSet<>();
        for (int i = 0; i < sides.size(); i++) {
          Set<String> values =
              kind.getValue().getOrDefault(sides.get(i), new LinkedHashMap<>()).get(key);
          String shown = values == null ? "(absent)" : String.join(" / ", values);
          row[i + 1] = shown;
          distinct.add(shown);
        }
        String reason = why.apply(key);
        row[sides.size() + 1] = distinct.size() == 1 ? "" : reason == null ? NOT_EXPLAINED : reason;
        System.out.printf(format.toString(), row);
      }
    }
  }
}

package lab.grpclb.bench;

import java.util.List;
import java.util.function.DoubleFunction;

/**
 * A measure over a row's runs: the median (the lower middle for an even count, as the rows' median run is) and
 * the range. Two spreads whose ranges overlap are not a difference to call real.
 */
record RunSpread(double median, double min, double max, int runs) {

  static RunSpread of(List<Double> values) {
    List<Double> known = values.stream().filter(v -> !Double.isNaN(v)).sorted().toList();
    if (known.isEmpty()) {
      return new RunSpread(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    return new RunSpread(known.get((known.size() - 1) / 2), known.get(0), known.get(known.size() - 1), known.size());
  }

  boolean known() {
    return runs > 0;
  }

  /** Whether either one's range holds a value of the other's: one run against one run never overlaps. */
  boolean overlaps(RunSpread other) {
    return known() && other.known() && min <= other.max && other.min <= max && (runs > 1 || other.runs > 1);
  }

  /** "median (min–max)", or just the median for one run, or "–" when nothing was measured. */
  String format(DoubleFunction<String> number) {
    if (!known()) {
      return "–";
    }
    String median = number.apply(this.median);
    return runs == 1 ? median : median + " (" + number.apply(min) + "–" + number.apply(max) + ")";
  }
}

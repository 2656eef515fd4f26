package lab.grpclb.experiment;

import java.util.List;

/** The lowest and highest of repeated measurements (of a time: lower is better). */
public record Range(double min, double max) {

  public static Range of(List<Double> values) {
    return new Range(values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
        values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
  }

  /**
   * This range against another, by the noise rule: slower only when this one's best is worse than the other's
   * worst, faster for the opposite, otherwise within noise. One run against one run is a range of width zero,
   * so a single run always gives a verdict: repeat runs before trusting it.
   */
  public Verdict against(Range other) {
    if (min > other.max) {
      return Verdict.SLOWER;
    }
    if (max < other.min) {
      return Verdict.FASTER;
    }
    return Verdict.WITHIN_NOISE;
  }

  /** How one set of runs compares with another. */
  public enum Verdict {
    FASTER("faster"), SLOWER("slower"), WITHIN_NOISE("within noise");

    private final String words;

    Verdict(String words) {
      this.words = words;
    }

    public String words() {
      return words;
    }
  }
}

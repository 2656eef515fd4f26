package lab.grpclb.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import lab.grpclb.experiment.Range;

/** How the report prints numbers: times in ms to 3 significant figures, ratios, shares and counts. */
final class Numbers {
  private static final MathContext THREE_FIGURES = new MathContext(3);

  private Numbers() {
  }

  /** 3175.58 as "3 180 ms", 45.67 as "45.7 ms". */
  static String ms(double value) {
    return figures(value) + " ms";
  }

  /** A median with its range over the runs: "612 ms (598–640)"; a single run shows no range. */
  static String ms(double median, Range range) {
    if (range.min() == range.max()) {
      return ms(median);
    }
    return ms(median) + " (" + figures(range.min()) + "–" + figures(range.max()) + ")";
  }

  static String figures(double value) {
    if (!Double.isFinite(value) || value == 0) {
      return Double.isFinite(value) ? "0" : "?";
    }
    String plain = new BigDecimal(value).round(THREE_FIGURES).stripTrailingZeros().toPlainString();
    return plain.contains(".") || plain.length() <= 4 ? plain : count(Long.parseLong(plain));
  }

  static String ratio(double value) {
    return String.format(Locale.ROOT, value >= 10 ? "%.0f" : value >= 1.1 ? "%.1f" : "%.2f", value);
  }

  static String percent(double value) {
    return String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f" : "%.1f", value);
  }

  /** A share in percent to one decimal, as "20 %" or "6.6 %". */
  static String share(double percent) {
    return percent(Math.round(percent * 10) / 10.0) + " %";
  }

  /** 10000 as "10 000", the write-up's spacing. */
  static String count(long value) {
    return Math.abs(value) < 10_000 ? String.valueOf(value) : String.format(Locale.ROOT, "%,d", value).replace(',', ' ');
  }
}

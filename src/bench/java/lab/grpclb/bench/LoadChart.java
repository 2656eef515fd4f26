package lab.grpclb.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The latency-against-load chart: offered calls/s on a linear x axis, latency on a log y axis (µs to seconds),
 * one colour per client, p99 solid and p50 dashed. The report's {@code Charts} draws evenly spaced steps in one
 * style per series; here the rates are uneven and each client needs two styles, so this small writer draws it.
 */
final class LoadChart {
  /** One client's line: the offered rate of each point, its p50 and p99 in µs (NaN: not measured). */
  record ChartLine(String label, double[] rates, double[] p50Micros, double[] p99Micros) {
  }

  private static final String[] COLORS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd"};
  private static final int WIDTH = 760;
  private static final int HEIGHT = 360;
  private static final int LEFT = 70;
  private static final int RIGHT = 250;
  private static final int TOP = 30;
  private static final int BOTTOM = 50;

  private LoadChart() {
  }

  static String svg(String title, List<ChartLine> series) {
    double maxRate = 1;
    double low = Double.MAX_VALUE;
    double high = 1;
    for (ChartLine s : series) {
      for (int i = 0; i < s.rates().length; i++) {
        maxRate = Math.max(maxRate, s.rates()[i]);
        for (double v : new double[] {s.p50Micros()[i], s.p99Micros()[i]}) {
          if (Double.isFinite(v) && v > 0) {
            low = Math.min(low, v);
            high = Math.max(high, v);
          }
        }
      }
    }
    double yLow = Math.pow(10, Math.floor(Math.log10(Math.min(low, high))));
    double yHigh = Math.pow(10, Math.ceil(Math.log10(high * 1.0001)));
    double xHigh = niceAbove(maxRate * 1.05);
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\"><title>%s</title>",
        WIDTH, HEIGHT, WIDTH, HEIGHT, escape(title)));
    svg.append(text(LEFT, 18, "start", title));
    for (double tick = yLow; tick <= yHigh * 1.0001; tick *= 10) {
      for (double step : new double[] {1, 2, 5}) {
        double value = tick * step;
        if (value > yHigh * 1.0001) {
          break;
        }
        double y = y(value, yLow, yHigh);
        svg.append(grid(LEFT, y, WIDTH - RIGHT, y, "#ddd")).append(text(LEFT - 6, y + 4, "end", micros(value)));
      }
    }
    for (int i = 0; i <= 5; i++) {
      double rate = xHigh * i / 5;
      double x = x(rate, xHigh);
      svg.append(grid(x, TOP, x, HEIGHT - BOTTOM, "#eee"))
          .append(text(x, HEIGHT - BOTTOM + 18, "middle", BenchTable.count(Math.round(rate))));
    }
    svg.append(text(LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - 10, "middle", "offered calls/s (open loop)"));
    svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">"
        + "latency (log scale)</text>", (TOP + HEIGHT - BOTTOM) / 2.0, (TOP + HEIGHT - BOTTOM) / 2.0));
    for (int s = 0; s < series.size(); s++) {
      ChartLine one = series.get(s);
      String color = COLORS[s % COLORS.length];
      svg.append(polyline(one.rates(), one.p99Micros(), xHigh, yLow, yHigh, color, null));
      svg.append(polyline(one.rates(), one.p50Micros(), xHigh, yLow, yHigh, color, "6 4"));
      double legendY = TOP + 20 + s * 40;
      svg.append(line(WIDTH - RIGHT + 16, legendY, WIDTH - RIGHT + 40, legendY, color, null))
          .append(text(WIDTH - RIGHT + 46, legendY + 4, "start", one.label() + " p99"))
          .append(line(WIDTH - RIGHT + 16, legendY + 16, WIDTH - RIGHT + 40, legendY + 16, color, "6 4"))
          .append(text(WIDTH - RIGHT + 46, legendY + 20, "start", one.label() + " p50"));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String polyline(double[] rates, double[] micros, double xHigh, double yLow, double yHigh, String color,
                                 String dash) {
    List<String> points = new ArrayList<>();
    StringBuilder marks = new StringBuilder(); // a point of its own shows where a line has one rate only
    for (int i = 0; i < rates.length; i++) {
      if (Double.isFinite(micros[i]) && micros[i] > 0) {
        double px = x(rates[i], xHigh);
        double py = y(micros[i], yLow, yHigh);
        points.add(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
        marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s</title></circle>",
            px, py, color, escape(BenchTable.count(Math.round(rates[i])) + " calls/s: " + micros(micros[i]))));
      }
    }
    return "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" + (dash == null ? "" : " stroke-dasharray=\""
        + dash + "\"") + " points=\"" + String.join(" ", points) + "\"/>" + marks;
  }

  private static double x(double rate, double xHigh) {
    return LEFT + (WIDTH - LEFT - RIGHT) * rate / xHigh;
  }

  private static double y(double micros, double low, double high) {
    double share = (Math.log(Math.max(micros, low)) - Math.log(low)) / (Math.log(high) - Math.log(low));
    return HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * share;
  }

  /** The smallest 1, 2 or 5 times a power of ten at or above {@code value}. */
  private static double niceAbove(double value) {
    double base = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 5, 10}) {
      if (base * step >= value) {
        return base * step;
      }
    }
    return base * 10;
  }

  private static String micros(double value) {
    if (value >= 1_000_000) {
      return String.format(Locale.ROOT, "%.0f s", value / 1e6);
    }
    return value >= 1000 ? String.format(Locale.ROOT, "%.0f ms", value / 1e3) : String.format(Locale.ROOT, "%.0f µs", value);
  }

  private static String line(double x1, double y1, double x2, double y2, String color, String dash) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>",
        x1, y1, x2, y2, color, dash == null ? "" : " stroke-dasharray=\"" + dash + "\"");
  }

  private static String grid(double x1, double y1, double x2, double y2, String color) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x1, y1, x2, y2, color);
  }

  private static String text(double x, double y, String anchor, String content) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor, escape(content));
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

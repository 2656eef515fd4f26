package lab.grpclb.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.experiment.Range;

/**
 * The report's charts as standalone SVG: elapsed time against n (log axis, so Client's seconds do not squash the
 * others), calls per pod per run, the latency CDF of the steady-load runs, and calls per pod per second of one run.
 */
final class Charts {
  private static final String[] TYPE_COLORS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"};
  private static final int WIDTH = 720;
  private static final double[] NICE = {1, 2, 5};

  private Charts() {
  }

  /** A line per client type: the median elapsed at each n, with a bar over the runs' min-max; log time axis. */
  static String elapsedVsN(WriteupRuns r) {
    int height = 320;
    int left = 70;
    int right = 190;
    int top = 20;
    int bottom = 50;
    List<Integer> ns = r.options().ns();
    double low = Double.MAX_VALUE;
    double high = 1;
    for (Map<Integer, MeasuredRun> byN : r.timings().values()) {
      for (MeasuredRun run : byN.values()) {
        low = Math.min(low, run.elapsed().min());
        high = Math.max(high, run.elapsed().max());
      }
    }
    LogAxis axis = new LogAxis(Math.min(low, high), high, top + height - top - bottom, top);
    double plotW = WIDTH - left - right;
    StringBuilder svg = open(height, "Elapsed time against n, per client type (log scale)");
    axis.drawY(svg, left, left + plotW);
    for (int i = 0; i < ns.size(); i++) {
      svg.append(text(x(i, ns.size(), left, plotW), height - bottom + 20, "middle", "n = " + Numbers.count(ns.get(i))));
    }
    svg.append(text(left + plotW / 2, height - 8, "middle", "n (evenly spaced, not to scale); bars: min–max over the runs"));
    int series = 0;
    for (String type : ClientType.wireNames(ClientType.WRITEUP)) {
      String color = TYPE_COLORS[series % TYPE_COLORS.length];
      StringBuilder points = new StringBuilder();
      StringBuilder marks = new StringBuilder();
      for (int i = 0; i < ns.size(); i++) {
        MeasuredRun run = r.timing(type, ns.get(i));
        if (run == null) {
          continue;
        }
        double px = x(i, ns.size(), left, plotW);
        double py = axis.at(run.elapsedMs());
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        Range range = run.elapsed();
        marks.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
            px, px, axis.at(range.min()), axis.at(range.max()), color));
        String tip = type + " n=" + run.n() + ": " + Numbers.ms(run.elapsedMs(), range)
            + (run.failed() > 0 ? ", " + run.failed() + " failed" : "");
        marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"%s><title>%s</title></circle>",
            px, py, run.failed() > 0 ? "white" : color, run.failed() > 0 ? " stroke=\"" + color + "\" stroke-width=\"2\"" : "",
            escape(tip)));
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
          .append(points.toString().trim()).append("\"/>").append(marks);
      legend(svg, left + plotW + 16, top + 10 + series * 22, color, type);
      series++;
    }
    svg.append(text(left + plotW + 16, top + 10 + series * 22 + 4, "start", "hollow dot: some calls failed"));
    return svg.append("</svg>").toString();
  }

  /** A bar per run, split by the pod IPs that served its calls (each IP one colour throughout). */
  static String callsPerPod(List<String> labels, List<MeasuredRun> runs) {
    TreeSet<String> ips = new TreeSet<>(MeasuredRun.IP_ORDER);
    runs.forEach(run -> ips.addAll(run.countPerIp().keySet()));
    List<String> ipList = new ArrayList<>(ips);
    int left = 300;
    int barH = 22;
    int gap = 8;
    int top = 10;
    int legendRows = (ipList.size() + 3) / 4;
    int height = top + runs.size() * (barH + gap) + 20 + legendRows * 20;
    double plotW = WIDTH - left - 20;
    StringBuilder svg = open(height, "Calls per pod, per run");
    for (int i = 0; i < runs.size(); i++) {
      MeasuredRun run = runs.get(i);
      double y = top + i * (barH + gap);
      svg.append(text(left - 8, y + barH * 0.7, "end", labels.get(i)));
      double total = Math.max(1, run.countPerIp().values().stream().mapToInt(Integer::intValue).sum());
      double x = left;
      for (Map.Entry<String, Integer> e : run.countPerIp().entrySet()) {
        double w = plotW * e.getValue() / total;
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"white\"><title>%s</title></rect>",
            x, y, w, barH, color(ipList.indexOf(e.getKey())), escape(e.getKey() + ": " + e.getValue() + " calls")));
        if (w > 34) {
          svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" fill=\"white\">%d</text>",
              x + w / 2, y + barH * 0.7, e.getValue()));
        }
        x += w;
      }
      if (run.failed() > 0) {
        svg.append(text(left + plotW + 4, y + barH * 0.7, "start", "!"));
      }
    }
    double legendTop = top + runs.size() * (barH + gap) + 10;
    for (int i = 0; i < ipList.size(); i++) {
      double lx = 20 + (i % 4) * 175;
      double ly = legendTop + (i / 4) * 20;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>", lx, ly,
          color(i)));
      svg.append(text(lx + 18, ly + 10, "start", ipList.get(i)));
    }
    return svg.append("</svg>").toString();
  }

  /** The share of calls at or under each latency, a line per run (log latency axis), from the runs' histograms. */
  static String latencyCdf(Map<String, MeasuredRun> runs) {
    int height = 300;
    int left = 60;
    int right = 190;
    int top = 15;
    int bottom = 45;
    double low = Double.MAX_VALUE;
    double high = 1;
    for (MeasuredRun run : runs.values()) {
      for (ExperimentReport.Bucket bucket : run.report().histogram()) {
        low = Math.min(low, bucket.leMs());
        high = Math.max(high, bucket.leMs());
      }
    }
    double plotW = WIDTH - left - right;
    double plotH = height - top - bottom;
    LogAxis axis = new LogAxis(Math.min(low, high), high, left, left + plotW);
    StringBuilder svg = open(height, "Latency CDF under steady load, per client type");
    for (int pct = 0; pct <= 100; pct += 25) {
      double y = top + plotH - plotH * pct / 100;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left,
          left + plotW, y, y));
      svg.append(text(left - 6, y + 4, "end", pct + " %"));
    }
    axis.drawX(svg, top, top + plotH);
    svg.append(text(left + plotW / 2, height - 6, "middle", "latency (log scale); a line reaches 100 % at the slowest call"));
    int series = 0;
    for (Map.Entry<String, MeasuredRun> entry : runs.entrySet()) {
      String color = TYPE_COLORS[series % TYPE_COLORS.length];
      List<ExperimentReport.Bucket> buckets = entry.getValue().report().histogram();
      long total = Math.max(1, buckets.stream().mapToLong(ExperimentReport.Bucket::count).sum());
      StringBuilder points = new StringBuilder();
      long seen = 0;
      for (ExperimentReport.Bucket bucket : buckets) {
        seen += bucket.count();
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", axis.at(bucket.leMs()), top + plotH - plotH * seen / total));
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
          .append(points.toString().trim()).append("\"><title>").append(escape(entry.getKey())).append("</title></polyline>");
      legend(svg, left + plotW + 16, top + 10 + series * 22, color, entry.getKey());
      series++;
    }
    return svg.append("</svg>").toString();
  }

  /**
   * Calls per second of a run, a line per lane (a pod, by the second the calls left), the {@code highlighted} lane
   * red and thick, and a dashed vertical line at each marked second, labelled.
   */
  static String callsPerSecond(String title, Map<String, int[]> lanes, String highlighted, Map<Integer, String> marks) {
    int height = 280;
    int left = 55;
    int right = 230;
    int top = 20;
    int bottom = 40;
    int seconds = Math.max(1, lanes.values().stream().mapToInt(counts -> counts.length).max().orElse(1));
    int highest = Math.max(1, lanes.values().stream().flatMapToInt(Arrays::stream).max().orElse(1));
    long step = niceAtLeast(highest / 4.0);
    long peak = step * (long) Math.ceil((double) highest / step);
    double plotW = WIDTH - left - right;
    double plotH = height - top - bottom;
    StringBuilder svg = open(height, title);
    for (long tick = 0; tick <= peak; tick += step) {
      double y = top + plotH - plotH * tick / peak;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>",
          left, left + plotW, y, y));
      svg.append(text(left - 6, y + 4, "end", Numbers.count(tick)));
    }
    svg.append(text(left + plotW / 2, height - 8, "middle", "second of the run (calls by the second they left)"));
    for (int s = 0; s <= seconds; s += Math.max(1, seconds / 10)) {
      svg.append(text(left + plotW * s / seconds, top + plotH + 16, "middle", String.valueOf(s)));
    }
    marks.forEach((second, label) -> {
      double x = left + plotW * second / seconds;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#555\" "
          + "stroke-dasharray=\"4 3\"/>", x, x, top, top + plotH));
      svg.append(text(x + 3, top - 6, "start", label));
    });
    int series = 0;
    for (Map.Entry<String, int[]> lane : lanes.entrySet()) {
      boolean hot = lane.getKey().equals(highlighted);
      String color = hot ? TYPE_COLORS[0] : color(series + 1);
      StringBuilder points = new StringBuilder();
      for (int s = 0; s < lane.getValue().length; s++) {
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotW * (s + 0.5) / seconds,
            top + plotH - plotH * lane.getValue()[s] / peak));
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"").append(hot ? 3 : 1.5)
          .append("\" points=\"").append(points.toString().trim()).append("\"><title>").append(escape(lane.getKey()))
          .append("</title></polyline>");
      legend(svg, left + plotW + 16, top + 10 + series * 20, color, lane.getKey());
      series++;
    }
    return svg.append("</svg>").toString();
  }

  /**
   * A line per series over evenly spaced steps (loads, percentiles), on a log time axis; a dashed grey line at
   * {@code referenceMs} when given (an all-idle p99, say). A NaN value leaves that point out.
   */
  static String linesOverSteps(String title, List<String> steps, Map<String, double[]> series, String xCaption,
                               Double referenceMs) {
    int height = 300;
    int left = 70;
    int right = 230;
    int top = 20;
    int bottom = 50;
    double low = referenceMs == null ? Double.MAX_VALUE : referenceMs;
    double high = referenceMs == null ? 1 : referenceMs;
    for (double[] values : series.values()) {
      for (double value : values) {
        if (Double.isFinite(value) && value > 0) {
          low = Math.min(low, value);
          high = Math.max(high, value);
        }
      }
    }
    LogAxis axis = new LogAxis(Math.min(low, high), high, height - bottom, top);
    double plotW = WIDTH - left - right;
    StringBuilder svg = open(height, title);
    axis.drawY(svg, left, left + plotW);
    for (int i = 0; i < steps.size(); i++) {
      svg.append(text(x(i, steps.size(), left, plotW), height - bottom + 20, "middle", steps.get(i)));
    }
    svg.append(text(left + plotW / 2, height - 8, "middle", xCaption));
    if (referenceMs != null) {
      double y = axis.at(referenceMs);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" "
          + "stroke-dasharray=\"4 3\"/>", left, left + plotW, y, y));
      svg.append(text(left + plotW + 4, y + 4, "start", "reference " + Numbers.ms(referenceMs)));
    }
    int index = 0;
    for (Map.Entry<String, double[]> line : series.entrySet()) {
      String color = TYPE_COLORS[index % TYPE_COLORS.length];
      StringBuilder points = new StringBuilder();
      StringBuilder marks = new StringBuilder();
      double[] values = line.getValue();
      for (int i = 0; i < values.length; i++) {
        if (!Double.isFinite(values[i])) {
          continue;
        }
        double px = x(i, steps.size(), left, plotW);
        double py = axis.at(values[i]);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s</title>"
            + "</circle>", px, py, color, escape(line.getKey() + ", " + steps.get(i) + ": " + Numbers.ms(values[i]))));
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
          .append(points.toString().trim()).append("\"/>").append(marks);
      legend(svg, left + plotW + 16, top + 30 + index * 22, color, line.getKey());
      index++;
    }
    return svg.append("</svg>").toString();
  }

  /** The smallest of 1, 2 and 5 times a power of ten that is at least {@code value} (and at least 1). */
  private static long niceAtLeast(double value) {
    for (long base = 1; ; base *= 10) {
      for (double step : NICE) {
        if (base * step >= value) {
          return (long) (base * step);
        }
      }
    }
  }

  /**
   * A log scale from {@code low} to {@code high} ms mapped onto [{@code from}, {@code to}] pixels, with ticks at
   * 1, 2 and 5 of each power of ten (1 ms, 2 ms, 5 ms ... 1 s, 2 s, 5 s).
   */
  private record LogAxis(double lowMs, double highMs, double from, double to) {
    LogAxis {
      double min = Math.max(0.01, lowMs);
      lowMs = tickAtOrBelow(min);
      highMs = Math.max(tickAtOrAbove(highMs), lowMs * 2);
    }

    double at(double ms) {
      double share = (Math.log(Math.max(ms, lowMs)) - Math.log(lowMs)) / (Math.log(highMs) - Math.log(lowMs));
      return from + (to - from) * share;
    }

    List<Double> ticks() {
      List<Double> ticks = new ArrayList<>();
      for (double decade = tickAtOrBelow(lowMs); decade <= highMs * 1.0001; decade *= 10) {
        double base = Math.pow(10, Math.floor(Math.log10(decade) + 1e-9));
        for (double step : NICE) {
          double tick = base * step;
          if (tick >= lowMs * 0.9999 && tick <= highMs * 1.0001 && !ticks.contains(tick)) {
            ticks.add(tick);
          }
        }
      }
      return ticks;
    }

    void drawY(StringBuilder svg, double x1, double x2) {
      for (double tick : ticks()) {
        double y = at(tick);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", x1, x2, y, y));
        svg.append(text(x1 - 8, y + 4, "end", label(tick)));
      }
    }

    void drawX(StringBuilder svg, double y1, double y2) {
      for (double tick : ticks()) {
        double x = at(tick);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", x, x, y1, y2));
        svg.append(text(x, y2 + 16, "middle", label(tick)));
      }
    }

    private static double tickAtOrBelow(double ms) {
      double base = Math.pow(10, Math.floor(Math.log10(ms)));
      double best = base;
      for (double step : NICE) {
        if (base * step <= ms * 1.0001) {
          best = base * step;
        }
      }
      return best;
    }

    private static double tickAtOrAbove(double ms) {
      double base = Math.pow(10, Math.floor(Math.log10(ms)));
      for (double step : NICE) {
        if (base * step >= ms * 0.9999) {
          return base * step;
        }
      }
      return base * 10;
    }

    private static String label(double ms) {
      return ms >= 1000 ? Numbers.figures(ms / 1000) + " s" : Numbers.figures(ms) + " ms";
    }
  }

  private static void legend(StringBuilder svg, double x, double y, String color, String label) {
    svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>", x, y - 4, color));
    svg.append(text(x + 20, y + 2, "start", label));
  }

  private static StringBuilder open(int height, String title) {
    return new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
            + "font-size=\"12\" role=\"img\"><title>%s</title>", WIDTH, height, WIDTH, height, escape(title)));
  }

  private static String text(double x, double y, String anchor, String content) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor, escape(content));
  }

  private static double x(int i, int count, int left, double plotW) {
    return count == 1 ? left + plotW / 2 : left + 20 + (plotW - 40) * i / (count - 1);
  }

  /** Distinct, stable colours for any number of pods: golden-angle hues, alternately dark and light. */
  private static String color(int index) {
    return String.format(Locale.ROOT, "hsl(%.0f, 65%%, %d%%)", (index * 137.508) % 360, index % 2 == 0 ? 38 : 55);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

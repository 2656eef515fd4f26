package lab.grpclb.report;

import static lab.grpclb.report.MarkdownHtml.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import lab.grpclb.experiment.ClientTypes;

/** The report's two charts as inline SVG: elapsed time against n per client type, and calls per pod per run. */
final class Charts {
  private static final String[] TYPE_COLORS = {"#d62728", "#1f77b4", "#2ca02c"};
  private static final int WIDTH = 720;

  private Charts() {
  }

  /** A line per client type: elapsed ms at each n of the timing tables (n evenly spaced, labelled). */
  static String elapsedVsN(Results r) {
    int height = 340;
    int left = 70;
    int right = 190;
    int top = 20;
    int bottom = 50;
    List<Integer> ns = r.options.ns();
    double max = 1;
    for (Map<Integer, Run> byN : r.timings.values()) {
      for (Run run : byN.values()) {
        max = Math.max(max, run.elapsedMs());
      }
    }
    double yMax = niceCeiling(max * 1.1);
    double plotW = WIDTH - left - right;
    double plotH = height - top - bottom;
    StringBuilder svg = open(height, "Elapsed time against n, per client type");
    for (int i = 0; i <= 4; i++) {
      double value = yMax * i / 4;
      double y = top + plotH - plotH * i / 4;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left,
          left + plotW, y, y));
      svg.append(text(left - 8, y + 4, "end", String.format(Locale.ROOT, "%.0f ms", value)));
    }
    for (int i = 0; i < ns.size(); i++) {
      svg.append(text(x(i, ns.size(), left, plotW), height - bottom + 20, "middle", "n = " + ns.get(i)));
    }
    svg.append(text(left + plotW / 2, height - 8, "middle", "n (concurrent calls; evenly spaced, not to scale)"));
    int series = 0;
    for (String type : ClientTypes.ALL) {
      String color = TYPE_COLORS[series % TYPE_COLORS.length];
      StringBuilder points = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (int i = 0; i < ns.size(); i++) {
        Run run = r.timing(type, ns.get(i));
        if (run == null) {
          continue;
        }
        double px = x(i, ns.size(), left, plotW);
        double py = top + plotH - plotH * run.elapsedMs() / yMax;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        String tip = type + " n=" + run.n() + ": " + run.time() + (run.failed() > 0 ? ", " + run.failed() + " failed" : "");
        dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"%s><title>%s</title></circle>",
            px, py, run.failed() > 0 ? "white" : color, run.failed() > 0 ? " stroke=\"" + color + "\" stroke-width=\"2\"" : "",
            escape(tip)));
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
          .append(points.toString().trim()).append("\"/>").append(dots);
      double legendY = top + 10 + series * 22;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>",
          left + plotW + 16, legendY - 4, color));
      svg.append(text(left + plotW + 36, legendY + 2, "start", type));
      series++;
    }
    svg.append(text(left + plotW + 16, top + 10 + series * 22 + 4, "start", "hollow dot: some calls failed"));
    return svg.append("</svg>").toString();
  }

  /** A bar per run, split by the pod IPs that served its calls (each IP one colour throughout). */
  static String callsPerPod(Results r) {
    List<String> labels = new ArrayList<>();
    List<Run> runs = new ArrayList<>();
    addRun(labels, runs, r.timing(ClientTypes.CLIENT, r.options.spreadN()));
    addRun(labels, runs, r.timing(ClientTypes.REUSE_CONN, r.options.spreadN()));
    addRun(labels, runs, r.timing(ClientTypes.REUSE_CONN, r.options.splitN()));
    addRun(labels, runs, r.timing(ClientTypes.KUBE_RESOLVER, r.options.splitN()));
    for (Step step : r.steps) {
      labels.add(step.title() + " (n=" + step.run().n() + ")");
      runs.add(step.run());
    }
    TreeSet<String> ips = new TreeSet<>(Run.IP_ORDER);
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
      Run run = runs.get(i);
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

  private static void addRun(List<String> labels, List<Run> runs, Run run) {
    if (run != null) {
      labels.add(run.type() + " (n=" + run.n() + ")");
      runs.add(run);
    }
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

  private static double niceCeiling(double value) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10}) {
      if (step * magnitude >= value) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }
}

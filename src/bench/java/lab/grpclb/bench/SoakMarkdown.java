package lab.grpclb.bench;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A soak's result as Markdown: a table per client type, RSS and fds over time, the chaos done, the log's warnings. */
final class SoakMarkdown {
  private SoakMarkdown() {
  }

  static String render(SoakResult result, String command) {
    StringBuilder out = new StringBuilder();
    SoakOptions o = result.options();
    out.append("## grpc-lb-lab chaos soak: ").append(result.passed() ? "PASSED" : "FAILED").append("\n\n");
    out.append("`").append(command).append("`: ").append(result.elapsed().toSeconds()).append(" s, n=").append(o.n())
        .append(" per burst, pod delay ").append(o.delayMs()).append(" ms, ").append(o.minReplicas()).append("-")
        .append(o.maxReplicas()).append(" replicas, call deadline ").append(o.callTimeoutMs()).append(" ms, hedging after ")
        .append(o.hedgingDelayMs()).append(" ms (").append(o.hedgingMaxAttempts()).append(" attempts), freezes ").append(o.freezes() ? "on" : "off").append(", seed ").append(o.seed()).append(".\n");
    out.append("Passes when ClientWithKubeResolver lost no call and no log record carried a stack trace.\n");

    for (SoakResult.TypeSummary t : result.types()) {
      out.append("\n### ").append(t.type()).append("\n\n");
      out.append("| runs | calls | ok | failed | retried | retried_transparent | retried_policy | hedged | hedge_won "
          + "| p99 ms max | p99 ms median |\n");
      out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      out.append("| ").append(t.runs()).append(" | ").append(t.calls()).append(" | ").append(t.ok()).append(" | ")
          .append(t.failed()).append(" | ").append(t.retried().total()).append(" | ").append(t.retried().transparent())
          .append(" | ").append(t.retried().policy()).append(" | ").append(t.hedged()).append(" | ").append(t.hedgeWon())
          .append(" | ").append(ms(t.p99MaxMs())).append(" | ")
          .append(ms(t.p99MedianMs())).append(" |\n");
      if (!t.errors().isEmpty()) {
        out.append("\n| failed by status | calls |\n|---|---:|\n");
        t.errors().forEach((status, count) -> out.append("| ").append(cell(status)).append(" | ").append(count).append(" |\n"));
      }
    }

    out.append("\n### This process (pods, control plane and client together)\n\n");
    out.append("| when | at s | VmRSS MiB | open fds |\n|---|---:|---:|---:|\n");
    for (ProcSample s : result.samples()) {
      out.append("| ").append(s.when()).append(" | ").append(s.atMs() / 1000).append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", s.rssKb() / 1024.0)).append(" | ").append(s.fds()).append(" |\n");
    }
    ProcSample first = result.first();
    ProcSample last = result.last();
    out.append("| slope per minute | | ")
        .append(String.format(Locale.ROOT, "%+.1f", SoakResult.slopePerMinute(first, last, first.rssKb(), last.rssKb()) / 1024))
        .append(" | ").append(String.format(Locale.ROOT, "%+.1f", SoakResult.slopePerMinute(first, last, first.fds(), last.fds())))
        .append(" |\n");

    Chaos.ChaosActions c = result.chaos();
    out.append("\n### Chaos done\n\n");
    out.append("| kills | scales | slowdowns | freezes (unfrozen) | health flips | watch drops (streams cut) | compactions (410s answered) "
        + "| 500s answered |\n");
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    out.append("| ").append(c.kills()).append(" | ").append(c.scales()).append(" | ").append(c.slowdowns()).append(" | ")
        .append(c.freezes()).append(" (").append(c.unfrozen()).append(") | ").append(c.healthFlips()).append(" | ")
        .append(c.controlPlane().watchDrops()).append(" (").append(c.controlPlane().streamsDropped()).append(") | ")
        .append(c.controlPlane().compactions()).append(" (").append(c.controlPlane().expiredAnswered()).append(") | ")
        .append(c.controlPlane().failuresAnswered()).append(" |\n");

    LogTally.LogCounts logs = result.logs();
    out.append("\n### WARNING and SEVERE log lines (").append(total(logs.warnings())).append("; stack traces: ")
        .append(logs.stackTraceTotal()).append(")\n\n");
    table(out, "line", logs.warnings());
    if (!logs.stackTraces().isEmpty()) {
      out.append('\n');
      table(out, "stack trace (line <- exception)", logs.stackTraces());
    }
    return out.toString();
  }

  private static void table(StringBuilder out, String what, Map<String, Long> counts) {
    if (counts.isEmpty()) {
      out.append("none\n");
      return;
    }
    out.append("| ").append(what).append(" | count |\n|---|---:|\n");
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.append("| ").append(cell(e.getKey())).append(" | ").append(e.getValue()).append(" |\n"));
  }

  private static long total(Map<String, Long> counts) {
    return counts.values().stream().collect(Collectors.summingLong(Long::longValue));
  }

  private static String ms(double value) {
    return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}

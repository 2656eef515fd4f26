package lab.grpclb.report;

import java.util.ArrayList;
import java.util.List;
import lab.grpclb.experiment.ClientTypes;

/**
 * The lab's answer to "how should my services call each other": every strategy in one table, from the runs of a
 * full report (the steady-load section, the dns experiment and the rollout). Drawn only when all three ran.
 */
final class StrategyTable {
  private StrategyTable() {
  }

  static void render(Markdown md, Results results, List<ReportSection> sections) {
    NewPodsBehindDns dns = find(sections, NewPodsBehindDns.class);
    RolloutUnderLoad rollout = find(sections, RolloutUnderLoad.class);
    if (results == null || results.steady.isEmpty() || dns == null || rollout == null) {
      return;
    }
    md.line("## The strategies side by side");
    md.line("");
    md.line("Balance: the busiest pod's share of the steady-load run (" + Numbers.percent(100.0 / results.podIps().size())
        + " % is even). Reaction: from a scale-up to a new pod's first reply (dns experiment). Rollout: failed calls"
        + " during a rolling update. Connections: opened during the steady-load run.");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    for (String type : ClientTypes.ALL) {
      MeasuredRun steady = results.steady.get(type);
      if (steady == null) {
        continue;
      }
      MeasuredRun rolled = rollout.run(type);
      rows.add(List.of(type, Numbers.share(100.0 * steady.largestShare() / Math.max(1, steady.ok())),
          reaction(type, dns), rolled == null ? "?" : String.valueOf(rolled.failed()),
          String.valueOf(steady.report().channel().connections()), Numbers.figures(steady.latency().p99())));
    }
    md.table(List.of("strategy", "balance (busiest pod)", "reaction to a new pod", "failed in a rollout",
        "connections", "p99 ms under steady load"), rows);
  }

  private static String reaction(String type, NewPodsBehindDns dns) {
    if (type.equals(ClientTypes.CLIENT)) {
      return "its next call (a connection per call)";
    }
    if (type.equals(ClientTypes.REUSE_CONN)) {
      return "never (one connection)";
    }
    Integer lag = dns.lagS(type);
    return lag == null ? "not within the run" : "≈ " + lag + " s";
  }

  private static <T> T find(List<ReportSection> sections, Class<T> kind) {
    return sections.stream().filter(kind::isInstance).map(kind::cast).findFirst().orElse(null);
  }
}

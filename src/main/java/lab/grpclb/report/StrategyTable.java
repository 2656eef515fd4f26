package lab.grpclb.report;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import lab.grpclb.config.ClientType;

/**
 * The lab's answer to "how should my services call each other": every strategy in one table, from the runs of a
 * full report (the write-up's steady load, the dns experiment and the rollout). It runs nothing of its own, so it
 * comes after those three, and only in a report that has all three.
 */
record StrategyTable(Writeup writeup, NewPodsBehindDns dns, RolloutUnderLoad rollout) implements ReportSection {

  @Override
  public String name() {
    return "strategies";
  }

  @Override
  public Future<Void> run() {
    return Future.succeededFuture();
  }

  @Override
  public List<String> summary() {
    return List.of();
  }

  @Override
  public List<String> findings() {
    return List.of();
  }

  @Override
  public void render(Markdown md) {
    WriteupRuns runs = writeup.runs();
    md.line("## The strategies side by side");
    md.line("");
    md.line("Balance: the busiest pod's share of the steady-load run (" + Numbers.percent(100.0 / runs.podIps().size())
        + " % is even). Reaction: from a scale-up to a new pod's first reply (dns experiment). Rollout: failed calls"
        + " during a rolling update. Connections: opened during the steady-load run.");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    for (String type : ClientType.wireNames()) {
      MeasuredRun steady = runs.steady().get(type);
      if (steady == null) {
        continue;
      }
      MeasuredRun rolled = rollout.run(type);
      rows.add(List.of(type, Numbers.share(100.0 * steady.largestShare() / Math.max(1, steady.ok())),
          reaction(type), rolled == null ? "?" : String.valueOf(rolled.failed()),
          String.valueOf(steady.report().channel().connections()), Numbers.figures(steady.latency().p99())));
    }
    md.table(List.of("strategy", "balance (busiest pod)", "reaction to a new pod", "failed in a rollout",
        "connections", "p99 ms under steady load"), rows);
  }

  private String reaction(String type) {
    if (type.equals(ClientType.CLIENT.wireName())) {
      return "its next call (a connection per call)";
    }
    if (type.equals(ClientType.REUSE_CONN.wireName())) {
      return "never (one connection)";
    }
    Integer lag = dns.lagS(type);
    return lag == null ? "not within the run" : "≈ " + lag + " s";
  }
}

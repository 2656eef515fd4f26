package lab.grpclb.report;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import lab.grpclb.experiment.ClientTypes;
import lab.grpclb.experiment.GoDuration;

/** The report as Markdown, laid out like the write-up: its tables, its count_per_ip blocks, then the findings. */
final class MarkdownReport {
  private final Results r;
  private final StringBuilder md = new StringBuilder();

  private MarkdownReport(Results results) {
    this.r = results;
  }

  static String render(Results results, List<String> findings) {
    MarkdownReport report = new MarkdownReport(results);
    report.setup();
    report.sectionOne();
    report.sectionTwo();
    report.sectionThree();
    report.findings(findings);
    return report.md.toString();
  }

  private void setup() {
    line("# The write-up, reproduced on one machine");
    line("");
    line("Setup: " + r.podIps().size() + " greeter pods (" + String.join(", ", r.podIps()) + ") replying after "
        + r.delayMs() + " ms, behind the service address " + r.clusterAtStart.getString("service")
        + " (each new connection goes to a random ready pod, as with kube-proxy); ClientWithKubeResolver watches the "
        + "EndpointSlices of the control plane at " + r.clusterAtStart.getString("controlPlane") + ". "
        + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version") + ".");
    line("");
    line("A warm-up ran first: each client type once at n = " + r.options.warmupN() + " (not in the tables: "
        + r.warmups.stream().map(w -> w.type() + " " + w.time()).collect(Collectors.joining(", "))
        + "), so JIT compilation does not pollute the first rows. Every number below is one run. "
        + "The whole report took " + GoDuration.format(r.elapsedNanos) + ".");
    line("");
  }

  private void sectionOne() {
    line("## 1. Client vs ClientWithReuseConn");
    line("");
    timingTable(ClientTypes.CLIENT, ClientTypes.REUSE_CONN);
    countPerIp(r.options.spreadN(), ClientTypes.CLIENT, ClientTypes.REUSE_CONN);
  }

  private void sectionTwo() {
    line("## 2. ClientWithReuseConn vs ClientWithKubeResolver (replicas = " + r.podIps().size() + ")");
    line("");
    timingTable(ClientTypes.REUSE_CONN, ClientTypes.KUBE_RESOLVER);
    countPerIp(r.options.splitN(), ClientTypes.REUSE_CONN, ClientTypes.KUBE_RESOLVER);
  }

  private void sectionThree() {
    line("## 3. ClientWithKubeResolver with scaling up or down");
    line("");
    line("| step | replicas | n | pods that served | failed | retried | time |");
    line("| -------- | -------- | -------- | -------- | -------- | -------- | -------- |");
    for (Step step : r.steps) {
      Run run = step.run();
      line("| " + step.title() + " | " + step.replicas() + " | " + run.n() + " | " + run.countPerIp().size() + " | "
          + run.failed() + " | " + run.retried() + " | " + run.time() + " |");
    }
    line("");
    for (Step step : r.steps) {
      line("#### " + step.title());
      line("");
      line("* " + action(step));
      line("* endpoints the client knew: " + step.run().endpointsAtStart().size() + " at the start of the run, "
          + step.run().endpointsAtEnd().size() + " at its end; ok " + step.run().ok() + ", failed " + step.run().failed()
          + ", retried " + step.run().retried());
      countBlock(step.run());
    }
  }

  private String action(Step step) {
    if (step.kill() != null) {
      Step.Kill kill = step.kill();
      return "`kubectl delete pod " + kill.pod() + "` (`DELETE /cluster/pods/" + kill.pod() + "`, pod IP " + kill.ip()
          + ") sent " + kill.sentMs() + " ms and answered " + kill.afterMs() + " ms after the run of n = " + step.run().n()
          + " was requested (it was scheduled for " + r.options.killAfterMs() + " ms); the replacement is "
          + kill.replacement() + " (" + kill.replacementIp() + ")";
    }
    String scale = "`kubectl scale deployments/greeter-server --replicas=" + step.replicas()
        + "` (`POST /cluster/scale?replicas=" + step.replicas() + "`)";
    if (step.title().startsWith("During")) {
      return scale + ", and the run started at once, without waiting for the new pods";
    }
    if (step.clientSawMs() != null) {
      return scale + "; the client routed to exactly the ready pods " + step.clientSawMs() + " ms after it answered";
    }
    return "no change; the run started once the client routed to exactly the ready pods";
  }

  private void findings(List<String> findings) {
    line("## 4. Findings");
    line("");
    findings.forEach(f -> line("* " + f));
  }

  private void timingTable(String left, String right) {
    line("| | " + left + " | " + right + " |");
    line("| -------- | -------- | -------- |");
    for (int n : r.options.ns()) {
      line("| n = " + n + " | " + cell(r.timing(left, n)) + " | " + cell(r.timing(right, n)) + " |");
    }
    line("");
  }

  /** The time, as the write-up shows it, and the failures, which it showed as "Crash". */
  private static String cell(Run run) {
    if (run == null) {
      return "not run";
    }
    return run.failed() == 0 ? run.time() : run.time() + " (" + run.failed() + " of " + run.n() + " failed)";
  }

  private void countPerIp(int n, String... types) {
    line("#### LoadBalancing (n = " + n + ")");
    line("");
    for (String type : types) {
      Run run = r.timing(type, n);
      if (run != null) {
        line("* " + type);
        countBlock(run);
      }
    }
  }

  private void countBlock(Run run) {
    line("");
    line("```");
    Map<String, Integer> counts = run.countPerIp();
    if (counts.size() <= 1) {
      line("\"count_per_ip\":{" + entries(counts, "") + "}");
    } else {
      line("\"count_per_ip\":{");
      line(entries(counts, "  ").replace(",", ",\n"));
      line("}");
    }
    line("```");
    line("");
  }

  private static String entries(Map<String, Integer> counts, String indent) {
    return counts.entrySet().stream().map(e -> indent + "\"" + e.getKey() + "\":" + e.getValue())
        .collect(Collectors.joining(","));
  }

  private void line(String text) {
    md.append(text).append('\n');
  }
}

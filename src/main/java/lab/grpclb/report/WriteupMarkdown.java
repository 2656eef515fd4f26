package lab.grpclb.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import lab.grpclb.config.ClientType;

/**
 * The write-up's part of the report in Markdown, in its order: the setup, its tables and count_per_ip blocks, each
 * with its chart, and the steady-load section beyond it. Charts are SVG files beside the Markdown, linked as images.
 */
final class WriteupMarkdown {
  private final WriteupRuns r;
  private final Markdown md;

  private WriteupMarkdown(WriteupRuns runs, Markdown md) {
    this.r = runs;
    this.md = md;
  }

  static void render(Markdown md, WriteupRuns runs) {
    WriteupMarkdown writeup = new WriteupMarkdown(runs, md);
    writeup.setup();
    writeup.sectionOne();
    writeup.sectionTwo();
    writeup.sectionThree();
    writeup.sectionFour();
  }

  private void setup() {
    line("Setup: " + r.podIps().size() + " greeter pods (" + String.join(", ", r.podIps()) + ") replying after "
        + r.delayMs() + " ms, behind the service address " + r.clusterAtStart().service()
        + " (each new connection goes to a random ready pod, as with kube-proxy); ClientWithKubeResolver watches the "
        + "EndpointSlices of the control plane at " + r.clusterAtStart().controlPlane() + ". "
        + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version") + ".");
    line("");
    line("A warm-up ran first: each client type once at n = " + r.options().warmupN() + " (not in the tables: "
        + r.warmups().stream().map(w -> w.type() + " " + Numbers.ms(w.elapsedMs())).collect(Collectors.joining(", "))
        + "), so JIT compilation does not pollute the first rows. Each timing is the median of " + r.options().runs()
        + " runs, with their min–max; the tables mirroring the write-up also show the median as Go prints it. "
        + "The whole report took " + Numbers.figures(r.elapsedNanos() / 1e9) + " s.");
    line("");
  }

  private void sectionOne() {
    line("## 1. Client vs ClientWithReuseConn");
    line("");
    timingTable(ClientType.CLIENT.wireName(), ClientType.REUSE_CONN.wireName());
    chart("elapsed-vs-n.svg", "Elapsed time against n, per client type, log scale (sections 1 and 2)",
        Charts.elapsedVsN(r));
    countPerIp(r.options().spreadN(), ClientType.CLIENT.wireName(), ClientType.REUSE_CONN.wireName());
  }

  private void sectionTwo() {
    line("## 2. ClientWithReuseConn vs ClientWithKubeResolver (replicas = " + r.podIps().size() + ")");
    line("");
    timingTable(ClientType.REUSE_CONN.wireName(), ClientType.KUBE_RESOLVER.wireName());
    countPerIp(r.options().splitN(), ClientType.REUSE_CONN.wireName(), ClientType.KUBE_RESOLVER.wireName());
    List<String> labels = new ArrayList<>();
    List<MeasuredRun> runs = new ArrayList<>();
    addRun(labels, runs, r.timing(ClientType.CLIENT.wireName(), r.options().spreadN()));
    addRun(labels, runs, r.timing(ClientType.REUSE_CONN.wireName(), r.options().spreadN()));
    addRun(labels, runs, r.timing(ClientType.REUSE_CONN.wireName(), r.options().splitN()));
    addRun(labels, runs, r.timing(ClientType.KUBE_RESOLVER.wireName(), r.options().splitN()));
    chart("calls-per-pod.svg", "Calls per pod: the count_per_ip runs of sections 1 and 2", Charts.callsPerPod(labels, runs));
  }

  private void sectionThree() {
    line("## 3. ClientWithKubeResolver with scaling up or down");
    line("");
    line("| step | replicas | n | pods that served | failed | retried | time |");
    line("| -------- | -------- | -------- | -------- | -------- | -------- | -------- |");
    for (Step step : r.steps()) {
      MeasuredRun run = step.run();
      line("| " + step.title() + " | " + step.replicas() + " | " + run.n() + " | " + run.countPerIp().size() + " | "
          + run.failed() + " | " + run.retried() + " | " + Numbers.ms(run.elapsedMs()) + " |");
    }
    line("");
    chart("scaling.svg", "Calls per pod in each step of section 3",
        Charts.callsPerPod(r.steps().stream().map(s -> s.title() + " (n=" + s.run().n() + ")").toList(),
            r.steps().stream().map(Step::run).toList()));
    for (Step step : r.steps()) {
      line("#### " + step.title());
      line("");
      line("* " + action(step));
      line("* endpoints the client knew: " + step.run().endpointsAtStart().size() + " at the start of the run, "
          + step.run().endpointsAtEnd().size() + " at its end; ok " + step.run().ok() + ", failed " + step.run().failed()
          + ", retried " + step.run().retried());
      countBlock(step.run());
    }
  }

  private void sectionFour() {
    if (r.steady().isEmpty()) {
      return;
    }
    line("## 4. Under steady load (beyond the write-up)");
    line("");
    line("An open loop: " + Numbers.count(r.options().steadyRate()) + " calls per second for " + r.options().steadySeconds()
        + " s, started on schedule whether or not earlier calls had returned, the shape of real traffic. Latencies in ms,"
        + " medians of " + r.options().runs() + " runs (p99 with its min–max).");
    line("");
    line("| type | sent/s | p50 | p90 | p99 | p99.9 | max | failed | pods that served |");
    line("| -------- | -------- | -------- | -------- | -------- | -------- | -------- | -------- | -------- |");
    r.steady().forEach((type, run) -> {
      var latency = run.latency();
      var pacing = run.report().pacing();
      line("| " + type + " | " + (pacing == null ? "?" : Numbers.figures(pacing.achievedPerS())) + " | "
          + Numbers.figures(latency.p50()) + " | " + Numbers.figures(latency.p90()) + " | "
          + Numbers.ms(latency.p99(), run.report().p99Range()).replace(" ms", "") + " | "
          + Numbers.figures(latency.p999()) + " | " + Numbers.figures(latency.max()) + " | " + run.failed() + " | "
          + run.shares() + " |");
    });
    line("");
    chart("latency-cdf.svg", "Latency CDF under steady load, per client type", Charts.latencyCdf(r.steady()));
    r.steady().values().stream().flatMap(run -> run.report().warnings().stream().map(w -> run.type() + ": " + w))
        .forEach(w -> line("* Warning, " + w));
    line("");
  }

  private String action(Step step) {
    if (step.kill() != null) {
      Step.Kill kill = step.kill();
      return "`kubectl delete pod " + kill.pod() + "` (`DELETE /cluster/pods/" + kill.pod() + "`, pod IP " + kill.ip()
          + ") sent " + kill.sentMs() + " ms and answered " + kill.afterMs() + " ms after the run of n = " + step.run().n()
          + " was requested (it was scheduled for " + r.options().killAfterMs() + " ms); the replacement is "
          + kill.replacement() + " (" + kill.replacementIp() + ")";
    }
    String scale = "`kubectl scale deployments/greeter-server --replicas=" + step.replicas()
        + "` (`POST /cluster/scale?replicas=" + step.replicas() + "`)";
    if (step.kind() == Step.ScalingStep.DURING_SCALE_UP) {
      return scale + ", and the run started at once, without waiting for the new pods";
    }
    if (step.clientSawMs() != null) {
      return scale + "; the client routed to exactly the ready pods " + step.clientSawMs() + " ms after it answered";
    }
    return "no change; the run started once the client routed to exactly the ready pods";
  }

  /** The write-up's table (Go's duration of the median), with the median and range in ms beside each. */
  private void timingTable(String left, String right) {
    line("| | " + left + " | ms (min–max) | " + right + " | ms (min–max) |");
    line("| -------- | -------- | -------- | -------- | -------- |");
    for (int n : r.options().ns()) {
      line("| n = " + n + " | " + cell(r.timing(left, n)) + " | " + rounded(r.timing(left, n)) + " | "
          + cell(r.timing(right, n)) + " | " + rounded(r.timing(right, n)) + " |");
    }
    line("");
  }

  /** The time, as the write-up shows it, and the failures, which it showed as "Crash". */
  private static String cell(MeasuredRun run) {
    if (run == null) {
      return "not run";
    }
    return run.failed() == 0 ? run.time() : run.time() + " (" + run.failed() + " of " + run.n() + " failed)";
  }

  private static String rounded(MeasuredRun run) {
    return run == null ? "" : Numbers.ms(run.elapsedMs(), run.elapsed()).replace(" ms", "");
  }

  private void chart(String file, String caption, String svg) {
    md.chart(file, caption, svg);
  }

  private static void addRun(List<String> labels, List<MeasuredRun> runs, MeasuredRun run) {
    if (run != null) {
      labels.add(run.type() + " (n=" + run.n() + ")");
      runs.add(run);
    }
  }

  private void countPerIp(int n, String... types) {
    line("#### LoadBalancing (n = " + n + ")");
    line("");
    for (String type : types) {
      MeasuredRun run = r.timing(type, n);
      if (run != null) {
        line("* " + type);
        countBlock(run);
      }
    }
  }

  private void countBlock(MeasuredRun run) {
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
    md.line(text);
  }
}

package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lab.grpclb.experiment.Range;

/**
 * Equal pods whose calls take a random time (exponential: queueing theory's M/M/c) at 80 % of their capacity: round
 * robin deals calls out blind to the queues that chance builds, while least_request and peak_ewma look at two pods
 * and take the less loaded (the power of two choices). The question is whether that shows in the tail.
 */
final class EqualPodsVariance implements ReportSection {
  static final int PODS = PickerRuns.PODS;
  static final int LOAD_PERCENT = 80;
  /** The pickers the target expects to beat round robin's p99 beyond noise: the two that sample two pods. */
  static final List<String> TWO_CHOICES = List.of("least_request", "peak_ewma");

  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions.CapacityLoad load;
  private final int runs;
  private final Map<String, QueuedRun> results = new LinkedHashMap<>();

  EqualPodsVariance(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.load = options.capacity().variance();
    this.runs = options.runs();
  }

  @Override
  public String name() {
    return "equal-pods-variance";
  }

  private double ratePerS() {
    return load.ratePerS(PODS * load.calls()) * LOAD_PERCENT / 100;
  }

  @Override
  public List<PlannedRun> plan() {
    return CapacityRuns.plan(load, runs);
  }

  @Override
  public Future<Void> run() {
    // an unbounded queue: at 80 % the load is stable, and a bound would trade the tail measured for refusals
    PodCapacity.Setting exponential = new PodCapacity.Setting(load.calls(), null, "exponential", null);
    return CapacityRuns.found(api).compose(found -> CapacityRuns.limit(vertx, api,
            Collections.nCopies(PODS, exponential), load.serviceMs())
        .compose(pods -> CapacityRuns.pickers(vertx, api, ratePerS(), load, runs))
        .map(byPicker -> {
          results.putAll(byPicker);
          return (Void) null;
        })
        .eventually(() -> CapacityRuns.restore(vertx, api, found)));
  }

  @Override
  public void render(Markdown md) {
    md.line("## Equal pods, random service times: does the picker shorten the tail?");
    md.line("");
    md.line(PODS + " equal pods, each serving " + load.calls() + " calls at once, each call an exponential time of mean "
        + load.serviceMs() + " ms, the queue unbounded; a Poisson open loop at " + LOAD_PERCENT + " % of their capacity ("
        + Numbers.figures(ratePerS()) + " calls/s) for " + load.seconds() + " s, " + runs + " runs per picker (p99 with"
        + " its min–max). weighted_round_robin first ran the same load unmeasured until its weights counted. Latencies"
        + " in ms; the longest queue per pod (IP order) as `GET /cluster` showed it every " + load.sampleMs() + " ms.");
    md.line("");
    QueuedRun rr = results.get("round_robin");
    List<List<String>> rows = new ArrayList<>();
    results.forEach((picker, r) -> {
      var latency = r.run().latency();
      rows.add(List.of(picker, Numbers.figures(latency.p50()),
          Numbers.ms(latency.p99(), r.run().report().p99Range()).replace(" ms", ""), Numbers.figures(latency.p999()),
          r.run().failures(), r.queues(), rr == null ? "" : p99Against(r, rr).words()));
    });
    md.table(List.of("picker", "p50", "p99", "p99.9", "failed (by status)", "longest queue per pod",
        "p99 vs round_robin"), rows);
    Map<String, double[]> lines = new LinkedHashMap<>();
    results.forEach((picker, r) -> lines.put(picker, new double[] {r.run().latency().p50(), r.run().latency().p90(),
        r.run().latency().p99(), r.run().latency().p999()}));
    md.chart("equal-pods-variance.svg", "Latency percentiles per picker, " + PODS + " equal pods at " + LOAD_PERCENT
            + " %, exponential service", Charts.linesOverSteps("Latency percentiles per picker (exponential service, "
            + LOAD_PERCENT + " % load)", List.of("p50", "p90", "p99", "p99.9"), lines, "percentile", null));
  }

  private static Range.Verdict p99Against(QueuedRun run, QueuedRun other) {
    return run.run().report().p99Range().against(other.run().report().p99Range());
  }

  /** The pickers that beat round robin's p99 beyond noise, in the table's order. */
  private List<String> beatRoundRobin() {
    QueuedRun rr = results.get("round_robin");
    return results.entrySet().stream()
        .filter(e -> rr != null && p99Against(e.getValue(), rr) == Range.Verdict.FASTER)
        .map(Map.Entry::getKey).toList();
  }

  @Override
  public List<String> summary() {
    QueuedRun rr = results.get("round_robin");
    if (rr == null) {
      return List.of();
    }
    List<String> beat = beatRoundRobin();
    return List.of("**Equal pods, exponential service at " + LOAD_PERCENT + " % of capacity:** "
        + (beat.isEmpty() ? "no picker beat round robin's p99 (" + Numbers.ms(rr.run().latency().p99())
        + ") beyond noise, so at this load the choice did not matter here."
        : String.join(" and ", beat) + " beat round robin's p99 (" + Numbers.ms(rr.run().latency().p99())
        + ") beyond noise: " + String.join(", ", beat.stream().map(p -> p + " "
        + Numbers.ms(results.get(p).run().latency().p99())).toList())
        + (beat.size() == 1 ? "; at this load, use it." : "; at this load, use one of them.")));
  }

  @Override
  public List<String> findings() {
    QueuedRun rr = results.get("round_robin");
    if (rr == null) {
      return List.of();
    }
    List<String> findings = new ArrayList<>();
    results.forEach((picker, r) -> {
      if (r == rr) {
        return;
      }
      Range.Verdict verdict = p99Against(r, rr);
      findings.add("With " + PODS + " equal pods at " + LOAD_PERCENT + " % and exponential service, " + picker
          + "'s p99 was " + Numbers.ms(r.run().latency().p99(), r.run().report().p99Range()) + " against round_robin's "
          + Numbers.ms(rr.run().latency().p99(), rr.run().report().p99Range()) + " (" + verdict.words()
          + "), its p99.9 " + Numbers.ms(r.run().latency().p999()) + " against " + Numbers.ms(rr.run().latency().p999())
          + ", its longest queue " + r.longest() + " against " + rr.longest()
          + (TWO_CHOICES.contains(picker) ? "; the target (p99 below round robin's beyond noise) is "
          + (verdict == Range.Verdict.FASTER ? "met" : "not met") : "") + ".");
    });
    return findings;
  }
}

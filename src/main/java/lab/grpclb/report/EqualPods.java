package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lab.grpclb.experiment.Range;

/** A closed loop over equal pods: the pickers should cost nothing when all is well. */
final class EqualPods implements ReportSection {
  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions options;
  private final Map<String, MeasuredRun> runs = new LinkedHashMap<>();

  EqualPods(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.options = options;
  }

  @Override
  public String name() {
    return "equal-pods";
  }

  @Override
  public List<PlannedRun> plan() {
    return PickerRuns.PICKERS.stream().map(picker -> PlannedRun.closedLoop(picker, options.equalN(),
        options.equalConcurrency(), options.runs())).toList();
  }

  @Override
  public Future<Void> run() {
    String load = "concurrency=" + options.equalConcurrency() + "&n=" + options.equalN() + "&runs=" + options.runs();
    Future<Void> chain = PickerRuns.fivePods(vertx, api).mapEmpty();
    for (String picker : PickerRuns.PICKERS) {
      chain = chain.compose(v -> PickerRuns.run(api, picker, load).map(run -> {
        runs.put(picker, run);
        return (Void) null;
      }));
    }
    return chain;
  }

  @Override
  public void render(Markdown md) {
    md.line("## Equal pods: what a picker costs when all is well");
    md.line("");
    md.line(PickerRuns.PODS + " equal pods, a closed loop of " + options.equalConcurrency() + " calls in flight, "
        + Numbers.count(options.equalN()) + " calls per run, " + options.runs() + " runs per picker (median, min–max).");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    MeasuredRun rr = runs.get("round_robin");
    runs.forEach((picker, run) -> rows.add(List.of(picker, Numbers.figures(run.report().throughputPerS()),
        Numbers.ms(run.elapsedMs(), run.elapsed()).replace(" ms", ""),
        Numbers.ms(run.latency().p99(), run.report().p99Range()).replace(" ms", ""),
        run.shares(), rr == null ? "" : run.elapsed().against(rr.elapsed()).words())));
    md.table(List.of("picker", "calls/s", "elapsed ms", "p99 ms", "calls per pod", "vs round_robin"), rows);
  }

  @Override
  public List<String> summary() {
    return List.of();
  }

  @Override
  public List<String> findings() {
    MeasuredRun rr = runs.get("round_robin");
    if (rr == null) {
      return List.of();
    }
    List<String> findings = new ArrayList<>();
    for (String picker : List.of("least_request", "peak_ewma")) {
      MeasuredRun run = runs.get(picker);
      if (run != null) {
        Range.Verdict verdict = run.elapsed().against(rr.elapsed());
        findings.add("With equal pods under a closed loop of " + options.equalConcurrency() + ", " + picker + " was "
            + verdict.words() + (verdict == Range.Verdict.WITHIN_NOISE ? " of" : " than") + " round_robin ("
            + Numbers.ms(run.elapsedMs(), run.elapsed()) + " against " + Numbers.ms(rr.elapsedMs(), rr.elapsed()) + ")"
            + (verdict == Range.Verdict.SLOWER ? ": the target (within noise) is not met." : ": the target (within noise) is met."));
      }
    }
    return findings;
  }
}

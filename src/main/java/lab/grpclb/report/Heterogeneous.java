package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import lab.grpclb.experiment.ExperimentReport;

/**
 * Pods of unequal capacity (1:1:2:4, as nodes of different sizes or a noisy neighbour give): round robin gives each
 * the same share, so the small ones run over while the big one idles; weighted_round_robin weighs pods by the load
 * they report (ORCA, gRFC A58) and should load each in proportion to its capacity.
 */
final class Heterogeneous implements ReportSection {
  /** Each pod's capacity in units of the section's {@code calls}. */
  static final List<Integer> SHARES = List.of(1, 1, 2, 4);
  static final int LOAD_PERCENT = 80;
  /** Target: weighted_round_robin's most loaded pod at most this many times its least loaded. */
  static final double WRR_SPREAD = 1.3;

  /** One picker's run and the load it gave each pod, in % of that pod's capacity (pod IP order). */
  record Spread(QueuedRun result, List<Double> percentOfCapacity) {
    double maxOverMin() {
      double min = percentOfCapacity.stream().mapToDouble(Double::doubleValue).min().orElse(0);
      double max = percentOfCapacity.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      return min == 0 ? Double.POSITIVE_INFINITY : max / min;
    }

    String perPod() {
      return percentOfCapacity.stream().map(p -> String.valueOf(Math.round(p))).collect(Collectors.joining("/"));
    }
  }

  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions.CapacityLoad load;
  private final int runs;
  private final Map<String, Spread> results = new LinkedHashMap<>();
  /** The pods in IP order, as their capacities were given. */
  private List<ClusterView.PodView> pods = List.of();

  Heterogeneous(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.load = options.capacity().heterogeneous();
    this.runs = options.runs();
  }

  @Override
  public String name() {
    return "heterogeneous";
  }

  /** The capacities' ratio, as "1:1:2:4". */
  private static String ratio() {
    return SHARES.stream().map(String::valueOf).collect(Collectors.joining(":"));
  }

  private int slots(int pod) {
    return SHARES.get(pod) * load.calls();
  }

  private int totalSlots() {
    return SHARES.stream().mapToInt(Integer::intValue).sum() * load.calls();
  }

  private double ratePerS() {
    return load.ratePerS(totalSlots()) * LOAD_PERCENT / 100;
  }

  @Override
  public List<PlannedRun> plan() {
    return CapacityRuns.plan(load, runs);
  }

  @Override
  public Future<Void> run() {
    List<PodCapacity.Setting> settings = new ArrayList<>();
    for (int i = 0; i < SHARES.size(); i++) {
      settings.add(new PodCapacity.Setting(slots(i), CapacityRuns.QUEUE_PER_SLOT * slots(i), "fixed", null));
    }
    return CapacityRuns.found(api).compose(found -> CapacityRuns.limit(vertx, api, settings, load.serviceMs())
        .compose(limited -> {
          pods = limited;
          return CapacityRuns.pickers(vertx, api, ratePerS(), load, runs);
        })
        .map(byPicker -> {
          byPicker.forEach((picker, run) -> results.put(picker, spread(run)));
          return (Void) null;
        })
        .eventually(() -> CapacityRuns.restore(vertx, api, found)));
  }

  /**
   * The load each pod was offered, in % of its capacity: the calls routed to it (answered or refused) as a share of
   * all, times the rate and service time, over its slots. Offered, not served: a pod past its capacity refuses the
   * excess, and what it served would hide how far round robin overloads it.
   */
  private Spread spread(QueuedRun run) {
    Map<String, ExperimentReport.EndpointStats> perPod = run.run().report().perEndpoint();
    double routed = perPod.values().stream().mapToDouble(s -> s.count() + s.errors()).sum();
    List<Double> percent = new ArrayList<>();
    for (int i = 0; i < pods.size(); i++) {
      ExperimentReport.EndpointStats stats = perPod.get(pods.get(i).ip());
      double share = stats == null || routed == 0 ? 0 : (stats.count() + stats.errors()) / routed;
      percent.add(100 * share * ratePerS() * load.serviceMs() / 1000 / slots(i));
    }
    return new Spread(run, List.copyOf(percent));
  }

  /**
   * From which share of the cluster's capacity round robin, giving every pod 1/n of the calls, overloads the smallest
   * pod: n x its slots over all slots.
   */
  private double roundRobinOverloadsFromPercent() {
    int smallest = SHARES.stream().mapToInt(Integer::intValue).min().orElse(1) * load.calls();
    return 100.0 * SHARES.size() * smallest / totalSlots();
  }

  @Override
  public void render(Markdown md) {
    md.line("## Pods of unequal capacity (" + ratio() + ")");
    md.line("");
    md.line(SHARES.size() + " pods serving " + SHARES.stream().map(s -> String.valueOf(s * load.calls()))
        .collect(Collectors.joining("/")) + " calls at once (IP order), each call " + load.serviceMs() + " ms (fixed),"
        + " at most " + CapacityRuns.QUEUE_PER_SLOT + " waiting per slot (then RESOURCE_EXHAUSTED); a Poisson open loop"
        + " at " + LOAD_PERCENT + " % of their " + Numbers.figures(load.ratePerS(totalSlots())) + " calls/s ("
        + Numbers.figures(ratePerS()) + " calls/s) for " + load.seconds() + " s, " + runs + " runs per picker."
        + " Load per pod: the calls routed to it (answered or refused) in the median run, as a % of what it can"
        + " serve; p99 with its min–max over the runs, in ms. weighted_round_robin first ran the same load unmeasured"
        + " until its weights counted.");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    results.forEach((picker, s) -> rows.add(List.of(picker, s.perPod(), Numbers.ratio(s.maxOverMin()),
        Numbers.ms(s.result().run().latency().p99(), s.result().run().report().p99Range()).replace(" ms", ""),
        Numbers.figures(s.result().run().latency().p999()), s.result().run().failures(), s.result().queues())));
    md.table(List.of("picker", "load per pod, % of its capacity", "max/min", "p99", "p99.9", "failed (by status)",
        "longest queue per pod"), rows);
    List<String> labels = new ArrayList<>(results.keySet());
    List<MeasuredRun> measured = results.values().stream().map(s -> s.result().run()).toList();
    md.chart("heterogeneous-calls-per-pod.svg", "Replies per pod per picker; capacities " + ratio()
        + " in IP order", Charts.callsPerPod(labels, measured));
  }

  @Override
  public List<String> summary() {
    Spread wrr = results.get(CapacityRuns.WRR);
    Spread rr = results.get("round_robin");
    if (wrr == null || rr == null) {
      return List.of();
    }
    return List.of("**Pods of capacity " + ratio() + " at " + LOAD_PERCENT + " %:** weighted_round_robin loaded them "
        + wrr.perPod() + " % (max/min " + Numbers.ratio(wrr.maxOverMin()) + ", " + wrr.result().run().failed()
        + " failed), round robin " + rr.perPod() + " % (max/min " + Numbers.ratio(rr.maxOverMin()) + ", "
        + rr.result().run().failed() + " failed); round robin overloads the smallest pods from "
        + Numbers.figures(roundRobinOverloadsFromPercent()) + " % of the cluster's capacity on, so from there "
        + (wrr.maxOverMin() < rr.maxOverMin() && wrr.result().run().failed() <= rr.result().run().failed()
        ? "use weighted_round_robin." : "the picker matters, and weighted_round_robin did not do better here."));
  }

  @Override
  public List<String> findings() {
    List<String> findings = new ArrayList<>();
    results.forEach((picker, s) -> findings.add("With capacities " + ratio() + " at " + LOAD_PERCENT + " %, " + picker
        + " loaded the pods " + s.perPod() + " % of their capacity (max/min " + Numbers.ratio(s.maxOverMin())
        + ", from the median run), p99 " + Numbers.ms(s.result().run().latency().p99()) + ", "
        + s.result().run().failed() + " failed" + target(picker, s) + "."));
    return findings;
  }

  private static String target(String picker, Spread s) {
    if (picker.equals(CapacityRuns.WRR)) {
      return "; the target (max/min ≤ " + Numbers.ratio(WRR_SPREAD) + ") is "
          + (s.maxOverMin() <= WRR_SPREAD ? "met" : "not met");
    }
    return picker.equals("round_robin") ? " (by arithmetic, round robin's max/min is the capacities' "
        + Numbers.ratio(SHARES.stream().mapToInt(Integer::intValue).max().orElse(1)
        / (double) SHARES.stream().mapToInt(Integer::intValue).min().orElse(1)) + ")" : "";
  }
}

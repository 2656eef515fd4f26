package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.Range;

/**
 * The write-up's claim, "the client load balancing is enough to avoid hot-spot", tested with pods that can be
 * overloaded: 3 pods of a fixed capacity and a bounded queue, Poisson open loops from half the cluster's capacity to
 * past it, per client type. Against pods without a limit (the write-up's) a hot spot costs nothing; here it queues.
 */
final class HotSpot implements ReportSection {
  static final int PODS = 3;
  /** The loads, in % of the cluster's capacity (pods x c / service time). */
  static final List<Integer> LOADS = List.of(50, 80, 95, 110);
  /** The all-idle reference: a light load, where no call queues. */
  static final int IDLE_PERCENT = 10;
  /** The load of the targets. */
  static final int TARGET_PERCENT = 80;
  /** Target: ClientWithReuseConn's p99 at least this many times ClientWithKubeResolver's (or it fails calls). */
  static final double REUSE_FACTOR = 5;
  /** Target: ClientWithKubeResolver's p99 within this many times the all-idle p99. */
  static final double IDLE_FACTOR = 1.5;
  static final ClientCase KUBE = new ClientCase(ClientType.KUBE_RESOLVER.wireName() + " round_robin",
      ClientType.KUBE_RESOLVER, "&lb=round_robin");
  static final ClientCase REUSE = new ClientCase(ClientType.REUSE_CONN.wireName(), ClientType.REUSE_CONN, "");
  /**
   * The write-up's three types. ClientWithDnsResolver is left out: behind a resolved name it is the same balancer
   * and picker as ClientWithKubeResolver, so it would add a quarter to the section's minutes and nothing new.
   */
  static final List<ClientCase> CASES = List.of(new ClientCase(ClientType.CLIENT.wireName(), ClientType.CLIENT, ""),
      REUSE, KUBE);

  /** A client type, and its picker's query for the balancing one. */
  record ClientCase(String label, ClientType type, String lbQuery) {
  }

  /** One case at one load. */
  record Point(int percent, ClientCase c, QueuedRun result) {
  }

  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions.CapacityLoad load;
  private final int runs;
  private final List<Point> points = new ArrayList<>();
  private QueuedRun idle;

  HotSpot(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.load = options.capacity().hotSpot();
    this.runs = options.runs();
  }

  @Override
  public String name() {
    return "hot-spot";
  }

  private double capacityPerS() {
    return load.ratePerS(PODS * load.calls());
  }

  @Override
  public List<PlannedRun> plan() {
    List<PlannedRun> plan = new ArrayList<>();
    plan.add(PlannedRun.openLoop(KUBE.label() + " at " + IDLE_PERCENT + " % (all idle)", load.seconds(), runs));
    for (int percent : LOADS) {
      for (ClientCase c : CASES) {
        plan.add(PlannedRun.openLoop(c.label() + " at " + percent + " %", load.seconds(), runs));
      }
    }
    return plan;
  }

  @Override
  public Future<Void> run() {
    PodCapacity.Setting bounded = new PodCapacity.Setting(load.calls(), CapacityRuns.QUEUE_PER_SLOT * load.calls(),
        "fixed", null);
    return CapacityRuns.found(api).compose(found -> CapacityRuns.limit(vertx, api,
            Collections.nCopies(PODS, bounded), load.serviceMs())
        .compose(pods -> measureAll())
        .eventually(() -> CapacityRuns.restore(vertx, api, found)));
  }

  private Future<Void> measureAll() {
    Future<Void> chain = measure(KUBE, IDLE_PERCENT).map(run -> {
      idle = run;
      return (Void) null;
    });
    for (int percent : LOADS) {
      for (ClientCase c : CASES) {
        chain = chain.compose(v -> measure(c, percent).map(run -> {
          points.add(new Point(percent, c, run));
          return (Void) null;
        }));
      }
    }
    return chain;
  }

  private Future<QueuedRun> measure(ClientCase c, int percent) {
    return CapacityRuns.measure(vertx, api, c.type().wireName(),
        CapacityRuns.openLoop(capacityPerS() * percent / 100, load.seconds(), runs) + c.lbQuery(), load.sampleMs());
  }

  /** The loads as "50, 80, 95 and 110". */
  private static String loads() {
    List<String> each = LOADS.stream().map(String::valueOf).toList();
    return String.join(", ", each.subList(0, each.size() - 1)) + " and " + each.get(each.size() - 1);
  }

  /** That case at that load, or null when it did not run. */
  QueuedRun at(ClientCase c, int percent) {
    return points.stream().filter(p -> p.c().equals(c) && p.percent() == percent).map(Point::result).findFirst()
        .orElse(null);
  }

  @Override
  public void render(Markdown md) {
    md.line("## A hot spot: pods that can be overloaded");
    md.line("");
    md.line(PODS + " pods, each serving " + load.calls() + " calls at once for " + load.serviceMs() + " ms (fixed),"
        + " at most " + CapacityRuns.QUEUE_PER_SLOT * load.calls() + " waiting (then RESOURCE_EXHAUSTED): the cluster"
        + " serves " + Numbers.figures(capacityPerS()) + " calls/s. Poisson open loops at " + loads() + " % of that for "
        + load.seconds() + " s, " + runs + " runs each (p99 with its min–max over the runs); latencies in ms, over"
        + " every call that ended: a refused call fails at once, so a pod refusing much of its load shows a short p50"
        + " and its cost in the failed column. The"
        + " longest queue per pod (IP order) is the longest `GET /cluster` showed, read every " + load.sampleMs()
        + " ms during the runs. Reference, all idle: " + KUBE.label() + " at " + IDLE_PERCENT + " %"
        + (idle == null ? "" : ", p99 " + p99(idle)) + ".");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    for (Point p : points) {
      var latency = p.result().run().latency();
      rows.add(List.of(p.percent() + " %", Numbers.figures(capacityPerS() * p.percent() / 100), p.c().label(),
          Numbers.figures(latency.p50()), p99(p.result()), Numbers.figures(latency.p999()), p.result().run().failures(),
          p.result().queues()));
    }
    md.table(List.of("load", "calls/s", "client", "p50", "p99", "p99.9", "failed (by status)",
        "longest queue per pod"), rows);
    Map<String, double[]> lines = new LinkedHashMap<>();
    for (ClientCase c : CASES) {
      lines.put(c.label(), LOADS.stream().mapToDouble(percent -> {
        QueuedRun run = at(c, percent);
        return run == null ? Double.NaN : run.run().latency().p99();
      }).toArray());
    }
    md.chart("hot-spot-p99.svg", "p99 against load, per client type, " + PODS + " pods of " + load.calls() + " at "
            + load.serviceMs() + " ms", Charts.linesOverSteps("p99 against the load's share of the cluster's capacity",
        LOADS.stream().map(percent -> percent + " %").toList(), lines, "load, % of capacity; dashed: all idle",
        idle == null ? null : idle.run().latency().p99()));
  }

  private static String p99(QueuedRun run) {
    return Numbers.ms(run.run().latency().p99(), run.run().report().p99Range()).replace(" ms", "");
  }

  /** The lowest load at which a client type was worse than the best there beyond noise, or null. */
  private Integer mattersFrom() {
    for (int percent : LOADS) {
      QueuedRun best = best(percent);
      if (best != null && CASES.stream().map(c -> at(c, percent)).anyMatch(run -> run != null && worse(run, best))) {
        return percent;
      }
    }
    return null;
  }

  /** Failed calls where the other failed none, or a p99 whose range lies wholly above the other's. */
  private static boolean worse(QueuedRun run, QueuedRun than) {
    return run.run().failed() > 0 && than.run().failed() == 0
        || run.run().report().p99Range().against(than.run().report().p99Range()) == Range.Verdict.SLOWER;
  }

  /** At one load: the type with the fewest failed calls, then the lowest p99. */
  private QueuedRun best(int percent) {
    return CASES.stream().map(c -> at(c, percent)).filter(Objects::nonNull)
        .min(Comparator.<QueuedRun>comparingInt(run -> run.run().failed())
            .thenComparingDouble(run -> run.run().latency().p99())).orElse(null);
  }

  private String label(QueuedRun run) {
    return points.stream().filter(p -> p.result() == run).map(p -> p.c().label()).findFirst().orElse("?");
  }

  @Override
  public List<String> summary() {
    int highest = LOADS.stream().filter(percent -> percent < 100).mapToInt(Integer::intValue).max().orElse(0);
    QueuedRun best = best(highest);
    if (best == null) {
      return List.of();
    }
    Integer from = mattersFrom();
    return List.of("**A hot spot (" + PODS + " pods of " + load.calls() + " at " + load.serviceMs() + " ms, loads up to "
        + LOADS.get(LOADS.size() - 1) + " % of capacity):** at " + highest + " % " + label(best) + " did best (p99 "
        + Numbers.ms(best.run().latency().p99()) + ", " + best.run().failed() + " failed); "
        + (from == null ? "no client type was worse than the best beyond noise at any load."
        : "the choice of client type matters from " + from + " % of capacity on: " + standings(from) + "."));
  }

  /** Each type's p99 and failed calls at that load. */
  private String standings(int percent) {
    List<String> each = new ArrayList<>();
    for (ClientCase c : CASES) {
      QueuedRun run = at(c, percent);
      if (run != null) {
        each.add(c.label() + " p99 " + Numbers.ms(run.run().latency().p99()) + ", " + run.run().failed() + " failed");
      }
    }
    return String.join("; ", each);
  }

  @Override
  public List<String> findings() {
    List<String> findings = new ArrayList<>();
    for (int percent : LOADS) {
      QueuedRun reuse = at(REUSE, percent);
      QueuedRun kube = at(KUBE, percent);
      if (reuse != null && kube != null) {
        findings.add("At " + percent + " % of capacity, " + standings(percent) + "; the longest queue on one pod was "
            + reuse.longest() + " with " + REUSE.label() + " and " + kube.longest() + " with " + KUBE.label() + ".");
      }
    }
    reuseTarget().ifPresent(findings::add);
    idleTarget().ifPresent(findings::add);
    return findings;
  }

  /** At 80 %: ClientWithReuseConn's p99 at least 5x the balancer's beyond noise, or calls failed. */
  private Optional<String> reuseTarget() {
    QueuedRun reuse = at(REUSE, TARGET_PERCENT);
    QueuedRun kube = at(KUBE, TARGET_PERCENT);
    if (reuse == null || kube == null) {
      return Optional.empty();
    }
    Range.Verdict verdict = reuse.run().report().p99Range().against(scaled(kube.run().report().p99Range(),
        REUSE_FACTOR));
    boolean met = verdict == Range.Verdict.SLOWER || reuse.run().failed() > 0;
    String against = switch (verdict) {
      case SLOWER -> "above";
      case FASTER -> "below";
      case WITHIN_NOISE -> "within noise of";
    };
    return Optional.of("At " + TARGET_PERCENT + " %, " + REUSE.label() + "'s p99 was "
        + Numbers.ratio(reuse.run().latency().p99() / kube.run().latency().p99()) + "× " + KUBE.label() + "'s ("
        + Numbers.ms(reuse.run().latency().p99()) + " against " + Numbers.ms(kube.run().latency().p99()) + ", "
        + against + " " + Numbers.figures(REUSE_FACTOR) + "× it over the runs) and it failed "
        + reuse.run().failed() + " calls: the target (p99 ≥ " + Numbers.figures(REUSE_FACTOR)
        + "× beyond noise, or failed calls) is " + (met ? "met." : "not met."));
  }

  /** At 80 %: the balancer's p99 within 1.5x the all-idle one, beyond noise. */
  private Optional<String> idleTarget() {
    QueuedRun kube = at(KUBE, TARGET_PERCENT);
    if (kube == null || idle == null) {
      return Optional.empty();
    }
    Range.Verdict verdict = kube.run().report().p99Range().against(scaled(idle.run().report().p99Range(),
        IDLE_FACTOR));
    String outcome = switch (verdict) {
      case FASTER -> "met";
      case SLOWER -> "not met";
      case WITHIN_NOISE -> "not shown met (the runs' ranges straddle it)";
    };
    return Optional.of("At " + TARGET_PERCENT + " %, " + KUBE.label() + "'s p99 was "
        + Numbers.ratio(kube.run().latency().p99() / idle.run().latency().p99()) + "× the all-idle p99 ("
        + Numbers.ms(kube.run().latency().p99()) + " against " + Numbers.ms(idle.run().latency().p99()) + " at "
        + IDLE_PERCENT + " %) with " + kube.run().failed() + " failed: the target (within "
        + Numbers.figures(IDLE_FACTOR) + "×) is " + outcome + ".");
  }

  private static Range scaled(Range range, double factor) {
    return new Range(range.min() * factor, range.max() * factor);
  }
}

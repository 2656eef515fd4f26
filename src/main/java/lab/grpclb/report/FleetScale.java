package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Scaling the pods under a fleet of clients (issue #26): M clients on the old pods, an open loop, then a scale-up in
 * the middle of it. Per way of connecting, with the servers' max connection age off and on: how many connections
 * moved, how many seconds until every pod served within {@link #EVEN} of the mean, and how the load stood at the
 * end. A client that holds one connection moves only when it reconnects, so without MaxConnectionAge the new pods
 * get nothing from it; what MaxConnectionAge buys is the question.
 */
final class FleetScale implements ReportSection {
  /** Even: every pod's replies in a second within this fraction of the mean pod's. */
  static final double EVEN = 0.10;
  /** Even must hold this many seconds in a row to count, so one lucky second does not. */
  static final int HELD_S = 3;

  /** A way of connecting, with the servers' max connection age on or off. */
  record ScaleCase(Fleet.ClientKind c, boolean maxAge) {
  }

  /**
   * One case's runs: a short one before the scale and one after it (their connections per pod, counted by the pods),
   * and the run the scale happened in (its timeline); the ready pods before the scale and at the end.
   */
  record ScaleRun(ScaleCase c, FleetRun before, FleetRun during, FleetRun after, Set<String> oldPods,
                  List<String> podsAtEnd) {
    int connectionsBefore() {
      return before.connections();
    }

    int connectionsAfter() {
      return after.connections();
    }

    /** Connections the old pods lost between the two counts: each was a client's that now connects elsewhere. */
    int movedOff() {
      return oldPods.stream().mapToInt(ip -> Math.max(0, before.connectionsPerPod().getOrDefault(ip, 0)
          - after.connectionsPerPod().getOrDefault(ip, 0))).sum();
    }

    int onNewPods() {
      return after.connectionsPerPod().entrySet().stream().filter(e -> !oldPods.contains(e.getKey()))
          .mapToInt(Map.Entry::getValue).sum();
    }

    /** Every pod's replies in second {@code s} of the run, in {@link #podsAtEnd}' order (0 for a pod with none). */
    int[] perPod(int s) {
      Map<String, Integer> counts = during.run().report().timeline().stream().filter(second -> second.second() == s)
          .findFirst().map(second -> second.countPerIp()).orElse(Map.of());
      return podsAtEnd.stream().mapToInt(ip -> counts.getOrDefault(ip, 0)).toArray();
    }

    /** Of counts in {@link #podsAtEnd}' order, the new pods' sum. */
    int newPodsOf(int[] counts) {
      return IntStream.range(0, counts.length).filter(i -> !oldPods.contains(podsAtEnd.get(i))).map(i -> counts[i])
          .sum();
    }

    /** The same summed over seconds [from, to). */
    int[] perPod(int from, int to) {
      int[] sum = new int[podsAtEnd.size()];
      for (int s = from; s < to; s++) {
        int[] one = perPod(s);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += one[i];
        }
      }
      return sum;
    }

    int failed() {
      return before.run().failed() + during.run().failed() + after.run().failed();
    }
  }

  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions.FleetScaleLoad load;
  private final List<ScaleRun> runs = new ArrayList<>();
  private int delayMs;

  FleetScale(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.load = options.fleetScale();
  }

  List<ScaleCase> cases() {
    List<ScaleCase> cases = new ArrayList<>();
    for (Fleet.ClientKind c : Fleet.CASES.stream().filter(c -> load.kinds().contains(c.label())).toList()) {
      cases.add(new ScaleCase(c, false));
      cases.add(new ScaleCase(c, true));
    }
    return cases;
  }

  @Override
  public String name() {
    return "fleet-scale";
  }

  @Override
  public List<PlannedRun> plan() {
    List<PlannedRun> plan = new ArrayList<>();
    for (ScaleCase c : cases()) {
      plan.add(PlannedRun.openLoop(label(c) + ", connections before", load.countS(), 1));
      plan.add(PlannedRun.openLoop(label(c) + ", the scale", load.seconds(), 1));
      plan.add(PlannedRun.openLoop(label(c) + ", connections after", load.countS(), 1));
    }
    return plan;
  }

  private String label(ScaleCase c) {
    return c.c().label() + ", max age " + (c.maxAge() ? load.maxAgeMs() + " ms" : "off");
  }

  @Override
  public Future<Void> run() {
    return api.cluster().compose(cluster -> api.clients().compose(clients -> {
      delayMs = cluster.delayMs();
      Future<Void> chain = Future.succeededFuture();
      for (ScaleCase c : cases()) {
        chain = chain.compose(v -> measure(c)).map(run -> {
          runs.add(run);
          return (Void) null;
        });
      }
      int replicas = cluster.readyIps().size();
      return chain.eventually(() -> api.maxConnectionAge(0).compose(v -> api.clients(clients))
          .compose(v -> api.scale(replicas)).compose(v -> Convergence.await(vertx, api)));
    }));
  }

  /**
   * From the old pods and a fleet started afresh (so each client connects anew): a count run, the run with the scale
   * {@code scaleAtS} into it, a count run; then back to the old pods.
   */
  private Future<ScaleRun> measure(ScaleCase c) {
    String query = CapacityRuns.openLoop(load.rate(), load.countS(), 1) + c.c().query();
    String type = c.c().type().wireName();
    return api.maxConnectionAge(c.maxAge() ? load.maxAgeMs() : 0).compose(v -> api.scale(load.podsBefore()))
        .compose(v -> Convergence.await(vertx, api)).compose(ms -> api.clients(1))
        .compose(v -> api.clients(load.clients())).compose(v -> api.cluster()).compose(old -> api.fleetExperiment(
            type, query).compose(before -> duringScale(type, c).compose(during -> api.cluster().compose(end ->
            api.fleetExperiment(type, query).map(after -> new ScaleRun(c, before, during, after, old.readyIps(),
                end.pods().stream().filter(ClusterView.PodView::ready).map(ClusterView.PodView::ip)
                    .sorted(MeasuredRun.IP_ORDER).toList()))))))
        .eventually(() -> api.scale(load.podsBefore()));
  }

  private Future<FleetRun> duringScale(String type, ScaleCase c) {
    Future<FleetRun> run = api.fleetExperiment(type, CapacityRuns.openLoop(load.rate(), load.seconds(), 1)
        + c.c().query());
    Promise<Void> scaled = Promise.promise();
    vertx.setTimer(load.scaleAtS() * 1000L, id -> api.scale(load.podsAfter()).onComplete(scaled));
    return Future.all(run, scaled.future()).map(both -> run.result());
  }

  /** Whether every pod's count is within {@link #EVEN} of their mean (never with no reply). */
  static boolean even(int[] counts) {
    double mean = IntStream.of(counts).average().orElse(0);
    return mean > 0 && IntStream.of(counts).allMatch(n -> Math.abs(n - mean) <= EVEN * mean);
  }

  /**
   * Seconds from the scale to the end of the first second that began {@link #HELD_S} even ones in a row, over the
   * run's whole seconds; null if none did.
   */
  Integer secondsToEven(ScaleRun run) {
    for (int s = load.scaleAtS(); s + HELD_S <= load.seconds(); s++) {
      int first = s;
      if (IntStream.range(first, first + HELD_S).allMatch(t -> even(run.perPod(t)))) {
        return first + 1 - load.scaleAtS();
      }
    }
    return null;
  }

  /** The busiest pod over the mean pod in the last tailS seconds. */
  double tailMaxOverMean(ScaleRun run) {
    int[] tail = run.perPod(load.seconds() - load.tailS(), load.seconds());
    double mean = IntStream.of(tail).average().orElse(0);
    return mean == 0 ? Double.NaN : IntStream.of(tail).max().orElse(0) / mean;
  }

  /** The new pods' share of the replies in the last tailS seconds, in %. */
  double tailNewShare(ScaleRun run) {
    int[] tail = run.perPod(load.seconds() - load.tailS(), load.seconds());
    long all = IntStream.of(tail).sum();
    return all == 0 ? Double.NaN : 100.0 * run.newPodsOf(tail) / all;
  }

  @Override
  public void render(Markdown md) {
    md.line("## Scaling the pods under a fleet");
    md.line("");
    md.line(load.clients() + " clients on " + load.podsBefore() + " pods (replies after " + delayMs + " ms), a Poisson"
        + " open loop of " + Numbers.figures(load.rate()) + " calls/s sent call i to client i mod M; " + load.scaleAtS()
        + " s into a " + load.seconds() + " s run the pods scale to " + load.podsAfter() + ". Each case starts from"
        + " the old pods and a fleet started afresh, with the servers' max connection age off or "
        + load.maxAgeMs() + " ms. Connections are the pods' own count of those that carried a call in a "
        + load.countS() + " s run before the scale and another after it, open at its end (with a max age, each is"
        + " replaced every age, through kube-proxy's draw or the client's own pick, so a count may miss one between"
        + " the two); moved off and on the new pods compare the counts before and after. Even: every pod's replies in a second"
        + " within " + Numbers.percent(EVEN * 100) + " % of the mean pod's, " + HELD_S + " seconds in a row;"
        + " seconds counted from the scale. At the end: the last " + load.tailS() + " s, where a fair share for the new pods"
        + " is " + Numbers.percent(Math.round(fairNewShare())) + " %.");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    for (ScaleRun run : runs) {
      Integer even = secondsToEven(run);
      rows.add(List.of(run.c().c().label(), run.c().maxAge() ? load.maxAgeMs() + " ms" : "off",
          run.connectionsBefore() + " → " + run.connectionsAfter(),
          String.valueOf(run.movedOff()),
          String.valueOf(run.onNewPods()), even == null ? "never in " + (load.seconds() - load.scaleAtS()) + " s"
              : even + " s", Numbers.figures(round(tailMaxOverMean(run))),
          Numbers.percent(Math.round(tailNewShare(run))) + " %", Numbers.count(run.failed())));
    }
    md.table(List.of("client", "max age", "connections before → after",
        "moved off the old pods", "on the new pods",
        "to even", "busiest/mean at the end", "new pods' share at the end", "failed"), rows);
    md.chart("fleet-scale.svg", "The new pods' calls per second, " + load.podsBefore() + " → " + load.podsAfter()
        + " pods at " + load.scaleAtS() + " s; their fair share is " + Numbers.count(Math.round(load.rate()
        * fairNewShare() / 100)) + " calls/s", Charts.callsPerSecond("calls per second to the new pods", newPodLanes(),
        null, Map.of(load.scaleAtS(), "scale to " + load.podsAfter())));
  }

  /** Per case, the new pods' replies in each second of the run. */
  private Map<String, int[]> newPodLanes() {
    Map<String, int[]> lanes = new LinkedHashMap<>();
    for (ScaleRun run : runs) {
      lanes.put(label(run.c()), IntStream.range(0, load.seconds()).map(s -> run.newPodsOf(run.perPod(s))).toArray());
    }
    return lanes;
  }

  private double fairNewShare() {
    return 100.0 * (load.podsAfter() - load.podsBefore()) / load.podsAfter();
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  @Override
  public List<String> summary() {
    if (runs.isEmpty()) {
      return List.of();
    }
    List<String> even = runs.stream().filter(run -> secondsToEven(run) != null)
        .map(run -> secondsToEven(run) + " s after it with " + label(run.c())).toList();
    return List.of("**Scaling " + load.podsBefore() + " → " + load.podsAfter() + " pods under " + load.clients()
        + " clients:** every pod served within " + Numbers.percent(EVEN * 100) + " % of the mean "
        + (even.isEmpty() ? "in no case" : String.join("; ", even)) + "; with the others never in the "
        + (load.seconds() - load.scaleAtS()) + " s after the scale.");
  }

  @Override
  public List<String> findings() {
    List<String> findings = new ArrayList<>();
    for (ScaleRun run : runs) {
      Integer even = secondsToEven(run);
      findings.add(label(run.c()) + ": " + run.movedOff() + " connections moved off the old pods and "
          + run.onNewPods() + " were on the new ones; the new pods served "
          + Numbers.percent(Math.round(tailNewShare(run))) + " % at the end (fair: "
          + Numbers.percent(Math.round(fairNewShare())) + " %), the busiest pod "
          + Numbers.figures(round(tailMaxOverMean(run))) + "× the mean; "
          + (even == null ? "never even" : "even " + even + " s after the scale") + "; " + run.failed()
          + " failed.");
    }
    return findings;
  }
}

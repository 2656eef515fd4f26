package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.config.WarmUp;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.experiment.Range;

/**
 * Cold pods joining under load (Envoy's slow_start_config; gRPC has none for round_robin, grpc-java#10688): 3 warm
 * pods of finite capacity carry an open loop; the Deployment scales to 6 and the new pods start cold, each call
 * taking K times its time at first and back to 1x over the warm-up. round_robin gives a new pod its full share at
 * once, more than a cold pod serves, so calls queue there; with slow start a new pod's share ramps over the window
 * instead. Each ramp of the load is a case on a client of its own, started with that ramp. Per case: the steady p99
 * before the scale, the new pods' p99 over their first seconds, and when each new pod carries its share; per ramp, what
 * it predicts ({@link RampForecast}).
 */
final class ColdStart implements ReportSection {
  static final int FROM = 3;
  static final int TO = 6;
  private static final String KUBE = ClientType.KUBE_RESOLVER.wireName();
  private static final String LB = "round_robin";
  /** The target: with slow start, the new pods' p99 over their first seconds at most this many times the steady p99. */
  static final double TARGET_RATIO = 1.5;
  /** A pod carries its share in a second in which it replied to at least this part of an equal share of the replies. */
  static final double SHARE = 0.9;
  /**
   * Calls run before anything is measured, so that the JIT has compiled the capacity model's path and the client's:
   * without them the first case measured its steady loop on code the second found compiled, and its steady p99 came
   * out several times the second's. At delay 0 they take seconds.
   */
  static final int JIT_WARM_UP_CALLS = 20_000;

  /**
   * One case. {@code steady}: the loop at 3 warm pods; {@code scaled}: the loop started with the scale to 6, so its
   * per-pod p99 over a new pod covers that pod's first seconds; {@code newIps}: the pods the scale started.
   */
  record ColdStartRun(SlowStartConfig ramp, MeasuredRun steady, MeasuredRun scaled, List<String> newIps) {

    String label() {
      return LB + ", " + describe(ramp);
    }

    /** The new pods' p99s, lowest to highest. */
    Range newP99() {
      return p99Of(newIps);
    }

    /** The p99s of the pods that served before the scale, over the same run. */
    Range oldP99() {
      return p99Of(scaled.report().perEndpoint().keySet().stream().filter(ip -> !newIps.contains(ip)).toList());
    }

    private Range p99Of(List<String> ips) {
      return Range.of(ips.stream().map(ip -> scaled.report().perEndpoint().get(ip)).filter(Objects::nonNull)
          .map(ExperimentReport.EndpointStats::p99).toList());
    }

    /**
     * The new pods' part of the calls sent in the first {@code seconds} (by the second they left): what the picker gave
     * them while cold, 1/2 for an equal split. It counts the picker's choices, not replies, so a stalled machine
     * barely moves it.
     */
    double newShareOfSent(int seconds) {
      List<ExperimentReport.Second> timeline = scaled.report().timeline();
      int toNew = 0;
      int all = 0;
      for (ExperimentReport.Second second : timeline.subList(0, Math.min(seconds, timeline.size()))) {
        for (Map.Entry<String, Integer> sent : second.sentPerIp().entrySet()) {
          all += sent.getValue();
          toNew += newIps.contains(sent.getKey()) ? sent.getValue() : 0;
        }
      }
      return all == 0 ? 0 : (double) toNew / all;
    }

    double steadyP99() {
      return steady.latency().p99();
    }

    /** Either loop left calls late (a stalled machine): its tails then say little about the pods. */
    boolean stalled() {
      return !steady.report().warnings().isEmpty() || !scaled.report().warnings().isEmpty();
    }

    /** The worst new pod's p99 over the steady p99. */
    double worstRatio() {
      return newP99().max() / steadyP99();
    }

    /**
     * The second after the scale from which on {@code ip} replied to at least {@link #SHARE} of an equal share in
     * every second the loop sent in but its last (whose replies spill past the loop's end); null if it did not by then.
     */
    Integer carriesShareFrom(String ip, int sendingSeconds) {
      List<ExperimentReport.Second> timeline = scaled.report().timeline();
      Integer from = null;
      for (int s = Math.min(timeline.size(), sendingSeconds - 1) - 1; s >= 0 && carries(timeline.get(s), ip); s--) {
        from = s;
      }
      return from;
    }

    private static boolean carries(ExperimentReport.Second second, String ip) {
      int replies = second.countPerIp().values().stream().mapToInt(Integer::intValue).sum();
      return second.countPerIp().getOrDefault(ip, 0) >= SHARE * replies / TO;
    }
  }

  private final Vertx vertx;
  private final LabApi api;
  private final ClientStarter clients;
  private final ReportOptions.ColdStartLoad load;
  private final List<ColdStartRun> results = new ArrayList<>();
  /** The template the section found: its queue limit stays, and it comes back at the end. */
  private PodTemplateView found;
  /**
   * Each case's own client, slow start off and on, started when it first runs: the report's client may have been
   * started with slow start on, and two clients started alike compare fairly.
   */
  private final Map<SlowStartConfig, Future<LabApi>> caseClients = new LinkedHashMap<>();

  ColdStart(Vertx vertx, LabApi api, ClientStarter clients, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.clients = clients;
    this.load = options.coldStart();
  }

  @Override
  public String name() {
    return "cold-start";
  }

  @Override
  public Future<Void> run() {
    return Future.all(api.podTemplate(), api.cluster()).compose(start -> {
      found = start.resultAt(0);
      int replicas = start.<ClusterView>resultAt(1).readyIps().size();
      Future<Void> cases = warmUpJit();
      for (SlowStartConfig ramp : load.ramps()) {
        cases = cases.compose(v -> one(ramp));
      }
      return cases.eventually(() -> restore(replicas));
    }).eventually(() -> Future.join(caseClients.values().stream()
        .map(client -> client.onSuccess(LabApi::close)).toList()).mapEmpty());
  }

  /**
   * The JIT warm-up (a closed loop at no delay: a few seconds, a guess), then per ramp the steady loop twice (the first
   * discarded) and the loop from the scale.
   */
  @Override
  public List<PlannedRun> plan() {
    List<PlannedRun> plan = new ArrayList<>();
    plan.add(new PlannedRun("JIT warm-up, " + JIT_WARM_UP_CALLS + " calls (not reported)", 5));
    for (SlowStartConfig ramp : load.ramps()) {
      plan.add(PlannedRun.openLoop(describe(ramp) + ", steady at " + FROM + " pods (discarded)", load.steadySeconds(),
          1));
      plan.add(PlannedRun.openLoop(describe(ramp) + ", steady at " + FROM + " pods", load.steadySeconds(), 1));
      plan.add(PlannedRun.openLoop(describe(ramp) + ", from the scale to " + TO, load.seconds(), 1));
    }
    return plan;
  }

  /** The API of the client a case runs on, started with the case's slow start. */
  private Future<LabApi> client(SlowStartConfig ramp) {
    return caseClients.computeIfAbsent(ramp, r -> clients.start(config -> config.withSlowStart(r)).map(api::onPort));
  }

  /**
   * 3 warm pods, the case's client (started then, so those are its first pods: none ramps), the steady loop, then the
   * loop and the scale to 6 together; back to 3 pods after. The steady loop runs twice and the first is discarded: it
   * warms the client (JIT, connections), which would otherwise make the first case's numbers worse than the second's
   * for a reason that has nothing to do with slow start.
   */
  private Future<Void> one(SlowStartConfig ramp) {
    return warmPods(load.delayMs()).compose(v -> client(ramp))
        .compose(runs -> Convergence.await(vertx, api, runs)
        .compose(ms -> runs.experiment(KUBE, loop(load.steadySeconds())))
        .compose(discarded -> runs.experiment(KUBE, loop(load.steadySeconds())))
        .compose(steady -> api.podTemplate(template(true)).compose(t -> api.cluster())
            .compose(before -> scaledUp(runs, ramp, steady, before.readyIps()))))
        .eventually(() -> api.scale(FROM));
  }

  private Future<Void> warmUpJit() {
    return warmPods(0).compose(v -> Convergence.await(vertx, api)).compose(ms -> api.experiment(KUBE,
        "concurrency=" + FROM * load.capacity() + "&n=" + JIT_WARM_UP_CALLS + "&lb=" + LB)).mapEmpty();
  }

  /** FROM pods of the section's capacity and this delay; the template is warm first, so no pod the scale starts cold. */
  private Future<Void> warmPods(int delayMs) {
    return api.podTemplate(template(false)).compose(t -> api.scale(FROM))
        .compose(v -> setPods(delayMs, capacityQuery()));
  }

  /** The loop and the scale start together, so the run's seconds count from the scale. */
  private Future<Void> scaledUp(LabApi runs, SlowStartConfig ramp, MeasuredRun steady, Set<String> before) {
    Future<MeasuredRun> run = runs.experiment(KUBE, loop(load.seconds()));
    Future<Void> scaled = api.scale(TO);
    return Future.all(run, scaled).compose(both -> api.cluster()).map(after -> {
      List<String> started = after.readyIps().stream().filter(ip -> !before.contains(ip)).sorted(MeasuredRun.IP_ORDER)
          .toList();
      results.add(new ColdStartRun(ramp, steady, run.result(), started));
      return null;
    });
  }

  private String loop(int seconds) {
    return "rate=" + load.rate() + "&duration_s=" + seconds + "&lb=" + LB;
  }

  /** The section's pods, cold or warm; the found template's queue limit and work stay. */
  private String template(boolean cold) {
    return new PodTemplateView(load.delayMs(), load.capacity(), found.queue(), "fixed", null, found.work(),
        cold ? load.warmUpMs() : 0, load.warmUpFactor()).query();
  }

  private String capacityQuery() {
    return new PodTemplateView(load.delayMs(), load.capacity(), found.queue(), "fixed", null, found.work(), 0, 1).capacityQuery();
  }

  /** Back to what the section found: the template, the replica count, and every pod's delay and capacity by it. */
  private Future<Void> restore(int replicas) {
    return api.podTemplate(found.query()).compose(t -> api.scale(replicas))
        .compose(v -> setPods(found.delayMs(), found.capacityQuery()));
  }

  private Future<Void> setPods(int delayMs, String capacity) {
    return api.cluster().compose(cluster -> Future.all(cluster.pods().stream().filter(ClusterView.PodView::ready)
        .map(pod -> api.delay(pod.name(), delayMs).compose(v -> api.capacity(pod.name(), capacity))).toList()))
        .mapEmpty();
  }

  @Override
  public void render(Markdown md) {
    md.line("## Cold pods joining: slow start");
    md.line("");
    md.line(describe());
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    for (ColdStartRun r : results) {
      rows.add(List.of(r.label(), Numbers.figures(r.steadyP99()), range(r.newP99()),
          Numbers.ratio(r.worstRatio()) + "×",
          range(r.oldP99()), Numbers.share(100 * r.newShareOfSent(coldSeconds())), shareSeconds(r),
          Numbers.count(r.scaled().failed())));
    }
    md.table(List.of("case", "steady p99 ms (" + FROM + " pods)", "new pods' p99 ms, first " + load.seconds() + " s",
        "worst new pod × steady", "old pods' p99 ms, same " + load.seconds() + " s",
        "new pods' part of the calls sent, first " + coldSeconds() + " s (cold)",
        "new pods carry their share from (s after the scale)", "failed"), rows);
    warnings(md);
    for (ColdStartRun r : results) {
      md.chart("cold-start-" + slug(r.ramp()) + ".svg", r.label()
          + ": calls per pod per second from the scale to " + TO, Charts.callsPerSecond(r.label()
          + ": calls per pod per second from the scale", lanes(r), lane(r.newIps().isEmpty() ? "" : r.newIps().get(0),
          true), marks(r)));
    }
  }

  /** What a reader must know before trusting a run's numbers: a loop that fell behind or sent calls in bunches. */
  private void warnings(Markdown md) {
    for (ColdStartRun r : results) {
      warnings(md, r.label() + ", steady", r.steady());
      warnings(md, r.label() + ", from the scale", r.scaled());
    }
  }

  private static void warnings(Markdown md, String which, MeasuredRun run) {
    run.report().warnings().forEach(warning -> md.line("Note (" + which + "): " + warning + ".").line(""));
  }

  private String describe() {
    double perPod = load.capacity() * 1000.0 / load.delayMs();
    return FROM + " warm pods, each serving " + load.capacity() + " calls at once in " + load.delayMs() + " ms (fixed"
        + " service time, " + (found.queue() == null ? "unlimited queue" : "queue of at most " + found.queue()) + "; "
        + Numbers.figures(perPod) + " calls/s each), carry an open loop of " + load.rate() + " calls/s on " + KUBE + " "
        + LB + " (" + Numbers.percent(Math.round(100.0 * load.rate() / (FROM * perPod))) + " % busy); then the"
        + " Deployment scales to " + TO + " and the new pods start cold (`POST /cluster/pod-template?warmup_ms="
        + load.warmUpMs() + "&warmup_factor=" + Numbers.figures(load.warmUpFactor()) + "`): a call takes "
        + Numbers.figures(load.warmUpFactor()) + "× its time at first, falling linearly to 1× over "
        + Numbers.figures(load.warmUpMs() / 1000.0) + " s, so a"
        + " new pod serves " + Numbers.figures(perPod / load.warmUpFactor()) + " calls/s at first against an equal share"
        + " of " + Numbers.figures((double) load.rate() / TO) + ". Each case runs on a client of its own, started"
        + " with " + FROM + " pods. Slow start off: round_robin gives each new pod its share at once. On: the client was"
        + " started with `--slow-start-window-ms`, `--slow-start-aggression` and `--slow-start-min-weight-percent` as"
        + " the case says and ramps each new pod's weight over the window. Steady p99: the "
        + load.steadySeconds() + " s loop at " + FROM + " pods before the scale (after " + Numbers.count(JIT_WARM_UP_CALLS)
        + " calls at delay 0 and one such loop, discarded, that warm the JIT and the client); new pods' p99: each new"
        + " pod's over the "
        + load.seconds() + " s loop started with the scale (min–max over the " + (TO - FROM) + " new pods); a pod"
        + " carries its share from the second after the scale from which on it replied to at least "
        + Numbers.percent(SHARE * 100) + " % of an equal share every second; the new pods' part of the calls sent"
        + " while cold is by the second the calls left (an equal split gives them 50 %).";
  }

  /** The whole seconds the new pods are cold. */
  private int coldSeconds() {
    return load.warmUpMs() / 1000;
  }

  private static String range(Range range) {
    return range.min() == range.max() ? Numbers.figures(range.min())
        : Numbers.figures(range.min()) + "–" + Numbers.figures(range.max());
  }

  private String shareSeconds(ColdStartRun r) {
    return r.newIps().stream().map(ip -> r.carriesShareFrom(ip, load.seconds()))
        .map(s -> s == null ? "not within the run" : String.valueOf(s)).collect(Collectors.joining(", "));
  }

  private static String lane(String ip, boolean isNew) {
    return (isNew ? "new " : "") + ip;
  }

  /** Each pod's calls per second by the second they left, the new pods' lanes first, over the seconds the loop sent. */
  private Map<String, int[]> lanes(ColdStartRun r) {
    List<ExperimentReport.Second> timeline = r.scaled().report().timeline();
    timeline = timeline.subList(0, Math.min(timeline.size(), load.seconds()));
    List<String> ips = new ArrayList<>(r.newIps());
    r.scaled().countPerIp().keySet().stream().filter(ip -> !r.newIps().contains(ip)).forEach(ips::add);
    Map<String, int[]> lanes = new LinkedHashMap<>();
    for (String ip : ips) {
      int[] counts = new int[timeline.size()];
      timeline.forEach(s -> counts[s.second()] = s.sentPerIp().getOrDefault(ip, 0));
      lanes.put(lane(ip, r.newIps().contains(ip)), counts);
    }
    return lanes;
  }

  private Map<Integer, String> marks(ColdStartRun r) {
    Map<Integer, String> marks = new TreeMap<>();
    marks.put(load.warmUpMs() / 1000, "new pods warm");
    if (r.ramp().on()) {
      marks.merge(r.ramp().windowMs() / 1000, "ramp done", (a, b) -> a + ", " + b);
    }
    return marks;
  }

  /** The case without slow start, or null when it did not run. */
  ColdStartRun off() {
    return results.stream().filter(r -> !r.ramp().on()).findFirst().orElse(null);
  }

  /** The cases with slow start that ran, in the order of the load's ramps. */
  List<ColdStartRun> ramped() {
    return results.stream().filter(r -> r.ramp().on()).toList();
  }

  /** "slow start off", or the ramp's settings, with "Envoy's defaults" where they are. */
  static String describe(SlowStartConfig ramp) {
    if (!ramp.on()) {
      return "slow start off";
    }
    String window = "slow start over " + Numbers.figures(ramp.windowMs() / 1000.0) + " s";
    SlowStartConfig envoy = ReportOptions.ColdStartLoad.envoyDefaults(ramp.windowMs());
    return ramp.equals(envoy) ? window + " (Envoy's defaults)" : window + ", aggression "
        + Numbers.figures(ramp.aggression()) + ", minimum weight " + ramp.minWeightPercent() + " %";
  }

  /** A file name's part: "off", or the ramp's window, aggression and minimum weight. */
  private static String slug(SlowStartConfig ramp) {
    return ramp.on() ? "ramp-" + ramp.windowMs() / 1000 + "s-a" + Numbers.figures(ramp.aggression()) + "-min"
        + ramp.minWeightPercent() : "off";
  }

  @Override
  public List<String> summary() {
    ColdStartRun off = off();
    if (off == null || ramped().isEmpty()) {
      return List.of();
    }
    String ramps = ramped().stream().map(on -> Numbers.ms(on.newP99().max()) + " with " + describe(on.ramp()) + " ("
        + met(on) + ")").collect(Collectors.joining(", "));
    return List.of("**Cold pods joining (" + FROM + " → " + TO + " under " + load.rate() + " calls/s):** the worst new"
        + " pod's p99 over its first " + load.seconds() + " s was " + Numbers.ms(off.newP99().max()) + " with " + LB
        + " alone, " + ramps + "; the target is ≤ " + TARGET_RATIO + "× the steady p99 (" + Numbers.ms(off.steadyP99())
        + " without slow start).");
  }

  /** Judged only where neither of its loops was stalled: a stall's bunched calls set the tails, not the pods. */
  private static String met(ColdStartRun on) {
    if (on.stalled()) {
      return "not judged: the client sent calls late, see the notes";
    }
    return on.worstRatio() <= TARGET_RATIO ? "target met" : "target not met";
  }

  @Override
  public List<String> findings() {
    List<String> findings = new ArrayList<>();
    results.forEach(r -> findings.add(caseFinding(r)));
    ColdStartRun off = off();
    for (ColdStartRun on : ramped()) {
      findings.add(target(on));
      if (off != null) {
        findings.add(comparison(on, off));
      }
    }
    return findings;
  }

  private String caseFinding(ColdStartRun r) {
    return "Scaling " + FROM + " → " + TO + " with cold pods under " + load.rate() + " calls/s, " + r.label()
        + ": the new pods' p99 over their first " + load.seconds() + " s was " + range(r.newP99()) + " ms (the worst "
        + Numbers.ratio(r.worstRatio()) + "× the steady " + Numbers.ms(r.steadyP99()) + "), the old pods' "
        + range(r.oldP99()) + " ms; the new pods carried their share from " + shareSeconds(r) + " s after the scale; "
        + Numbers.count(r.scaled().failed()) + " of " + Numbers.count(r.scaled().ok() + r.scaled().failed())
        + " calls failed.";
  }

  /**
   * Met only when every new pod's p99 is within the ratio. Beside it, what the ramp predicts in service time alone
   * ({@link RampForecast}): a p99 hides 1 % of a pod's calls, and a ramp that sends a cold pod more than that while it
   * is slow cannot meet the target, whatever the queues do.
   */
  private String target(ColdStartRun on) {
    double forecastMs = new RampForecast(on.ramp(), new WarmUp(load.warmUpMs(), load.warmUpFactor()), load.delayMs(),
        FROM, TO).p99ServiceMs(load.seconds());
    return "With " + describe(on.ramp()) + ", the worst new pod's p99 over its first " + load.seconds() + " s was "
        + Numbers.ms(on.newP99().max()) + ", " + Numbers.ratio(on.worstRatio()) + "× the steady p99 ("
        + Numbers.ms(on.steadyP99()) + "): " + met(on) + " (≤ " + TARGET_RATIO + "×). The ramp alone predicts "
        + Numbers.ms(forecastMs) + " in service time (" + Numbers.ratio(forecastMs / on.steadyP99()) + "× the steady"
        + " p99): the service time of a new pod's call by which the ramp has sent it 1 % of its calls of those "
        + load.seconds() + " s, the earliest and slowest.";
  }

  /** By the noise rule: lower or higher only when the new pods' p99 ranges do not overlap. */
  private String comparison(ColdStartRun on, ColdStartRun off) {
    Range.Verdict verdict = on.newP99().against(off.newP99());
    String words = switch (verdict) {
      case FASTER -> "lower";
      case SLOWER -> "higher";
      case WITHIN_NOISE -> "within noise (the ranges overlap)";
    };
    return "With " + describe(on.ramp()) + " against slow start off, the new pods' p99 over their first "
        + load.seconds() + " s was " + range(on.newP99()) + " ms against " + range(off.newP99()) + " ms (min–max over"
        + " the " + (TO - FROM) + " new pods): " + words + "; while cold (the first " + coldSeconds() + " s) they were"
        + " sent " + Numbers.share(100 * on.newShareOfSent(coldSeconds())) + " of the calls against "
        + Numbers.share(100 * off.newShareOfSent(coldSeconds())) + ", and carried their share from " + shareSeconds(on)
        + " s after the scale against " + shareSeconds(off) + " s.";
  }
}

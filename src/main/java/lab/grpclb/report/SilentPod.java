package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.experiment.ExperimentReport;

/**
 * A pod that goes silent (grpc-go#3206, grpc-java#7587, istio#33466): 5 pods under an open loop, one frozen partway
 * in, as when its node loses power or its network, or its process hangs in a GC pause. No RST and no FIN arrive; its
 * endpoint stays listed ready for the node-monitor grace period, then turns not ready and the Deployment replaces the
 * pod. For each case: failed calls by status, the tail, how long calls still went into the frozen pod, and how many
 * waited a whole deadline.
 */
final class SilentPod implements ReportSection {
  private static final String KUBE = ClientType.KUBE_RESOLVER.wireName();
  static final String DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED";
  private static final long GONE_POLL_MS = 50;

  /**
   * One run: a client type, its picker (ClientWithKubeResolver only) and more query parameters, if any. A setting
   * that exists per request is one more case of one line, as hedging is below; keepalive, a client's flag, runs
   * through a second client started with it off.
   */
  record Case(String label, ClientType type, String lb, String extraQuery, boolean keepAliveOff) {
    static Case of(ClientType type) {
      return new Case(type.wireName(), type, null, "", false);
    }

    static Case picker(String lb) {
      return new Case(KUBE + " " + lb, ClientType.KUBE_RESOLVER, lb, "", false);
    }

    Case with(String what, String query) {
      return new Case(label + ", " + what, type, lb, extraQuery + "&" + query, keepAliveOff);
    }

    /** This case on a client started with {@code --keepalive-time-ms 0}. */
    Case withoutKeepAlive() {
      return new Case(label + ", keepalive off", type, lb, extraQuery, true);
    }

    /** The experiment's query besides its type: the load given, this case's picker and parameters. */
    String query(String load) {
      return load + (lb == null ? "" : "&lb=" + lb) + extraQuery;
    }
  }

  /**
   * Every client type, each picker of ClientWithKubeResolver, and round robin hedged after twice the pods' 500 ms:
   * with the lab's keepalive (on by default), then without it but for Client (one call per connection: keepalive
   * has nothing to find).
   */
  static final List<Case> CASES = withAndWithoutKeepAlive(List.of(Case.of(ClientType.CLIENT),
      Case.of(ClientType.REUSE_CONN), Case.picker("round_robin"), Case.picker("least_request"),
      Case.picker("peak_ewma"), Case.picker("round_robin").with("hedged 1 s", "hedging_delay_ms=1000"),
      Case.of(ClientType.DNS_RESOLVER)));

  private static List<Case> withAndWithoutKeepAlive(List<Case> cases) {
    List<Case> all = new ArrayList<>(cases);
    cases.stream().filter(c -> c.type() != ClientType.CLIENT).map(Case::withoutKeepAlive).forEach(all::add);
    return List.copyOf(all);
  }

  /**
   * What one case measured. {@code hole}: per second of the run, the calls that left for the frozen pod; for a type
   * that dials the service address, the calls that failed there count too (the client cannot see the pod behind it,
   * and the frozen pod is the only one that fails calls).
   */
  record FreezeResult(Case c, MeasuredRun run, String pod, String ip, int[] hole, int freezeAtS, int sendingSeconds) {

    /** Calls that failed at their deadline: each waited all of it. */
    int waitedWholeDeadline() {
      return run.failedByStatus().getOrDefault(DEADLINE_EXCEEDED, 0);
    }

    int intoHoleAfterFreeze() {
      int calls = 0;
      for (int s = freezeAtS; s < hole.length; s++) {
        calls += hole[s];
      }
      return calls;
    }

    /**
     * Whole seconds from the freeze until the end of the last second in which a call left for the frozen pod (0: none
     * did after it); null when calls still went there in the loop's last second.
     */
    Integer secondsUntilNoNewCall() {
      int last = -1;
      for (int s = freezeAtS; s < hole.length; s++) {
        if (hole[s] > 0) {
          last = s;
        }
      }
      if (last < 0) {
        return 0;
      }
      return last >= sendingSeconds - 1 ? null : last + 1 - freezeAtS;
    }

    String untilNoNewCall() {
      Integer seconds = secondsUntilNoNewCall();
      return seconds == null ? "not within the run" : "≤ " + seconds + " s";
    }
  }

  private final Vertx vertx;
  private final LabApi api;
  private final ClientStarter clients;
  private final ReportOptions.SilentPodLoad load;
  private final List<FreezeResult> results = new ArrayList<>();
  /** The client with keepalive off, started for the first case that needs it. */
  private Future<LabApi> keepAliveOff;

  SilentPod(Vertx vertx, LabApi api, ClientStarter clients, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.clients = clients;
    this.load = options.silentPod();
  }

  @Override
  public String name() {
    return "silent-pod";
  }

  @Override
  public List<PlannedRun> plan() {
    List<PlannedRun> plan = new ArrayList<>();
    for (Case c : load.cases()) {
      plan.add(PlannedRun.burst(c.label() + ": one call finds the pod to freeze", 1, 1));
      plan.add(PlannedRun.openLoop(c.label() + ", a pod frozen " + load.freezeAtS() + " s in", load.seconds(), 1));
    }
    return plan;
  }

  @Override
  public Future<Void> run() {
    Future<Void> chain = Future.succeededFuture();
    for (Case c : load.cases()) {
      chain = chain.compose(v -> one(c));
    }
    return chain.eventually(() -> keepAliveOff == null ? Future.succeededFuture()
        : keepAliveOff.onSuccess(LabApi::close).mapEmpty());
  }

  /** The API of the client this case runs on: the report's own, or the one with keepalive off. */
  private Future<LabApi> client(Case c) {
    if (!c.keepAliveOff()) {
      return Future.succeededFuture(api);
    }
    if (keepAliveOff == null) {
      keepAliveOff = clients.start(config -> config.withKeepAlive(KeepAlive.OFF)).map(api::onPort);
    }
    return keepAliveOff;
  }

  /** 5 ready pods; the pod a first call of this case reaches is the one that freezes. */
  private Future<Void> one(Case c) {
    return client(c).compose(runs -> api.scale(PickerRuns.PODS).compose(v -> Convergence.await(vertx, api, runs))
        .compose(ms -> api.cluster())
        .compose(cluster -> runs.experiment(c.type().wireName(), c.query("n=1"))
            .map(probe -> victim(cluster, probe))
            .compose(victim -> frozenDuringRun(runs, c, victim, host(cluster.service())))));
  }

  /** The pod that answered the probe (for ClientWithReuseConn, the pod its one connection is on). */
  private static ClusterView.PodView victim(ClusterView cluster, MeasuredRun probe) {
    return cluster.pods().stream().filter(pod -> pod.ready() && probe.count(pod.ip()) > 0).findFirst()
        .orElseGet(() -> cluster.firstReady().orElseThrow());
  }

  private Future<Void> frozenDuringRun(LabApi runs, Case c, ClusterView.PodView victim, String service) {
    Future<MeasuredRun> run = runs.experiment(c.type().wireName(),
        c.query("rate=" + load.rate() + "&duration_s=" + load.seconds()));
    Promise<Void> frozen = Promise.promise();
    vertx.setTimer(load.freezeAtS() * 1000L, id -> api.freeze(victim.name(), load.noticedMs()).onComplete(frozen));
    return Future.join(run, frozen.future()).transform(both -> cleanUp(victim).compose(v -> {
      if (both.failed()) {
        return Future.failedFuture(both.cause());
      }
      results.add(new FreezeResult(c, run.result(), victim.name(), victim.ip(), hole(run.result(), victim.ip(), service),
          load.freezeAtS(), load.seconds()));
      return Future.succeededFuture();
    }));
  }

  /**
   * Still listed: the pause ends. Given up for lost (replaced already): force-deleted, as a lost node's pods are, and
   * gone (its sockets closed) before the next case, whose client may still hold a connection to it.
   */
  private Future<Void> cleanUp(ClusterView.PodView victim) {
    return api.cluster().compose(cluster -> cluster.pods().stream().filter(p -> p.name().equals(victim.name()))
        .findFirst().map(pod -> pod.ready() ? api.unfreeze(pod.name())
            : api.deleteLostPod(pod.name()).compose(v -> gone(pod.name(), System.nanoTime())))
        .orElse(Future.succeededFuture()));
  }

  private Future<Void> gone(String pod, long sinceNanos) {
    return api.cluster().compose(cluster -> {
      if (cluster.pods().stream().noneMatch(p -> p.name().equals(pod))) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() - sinceNanos > LabApi.DELETE_TIMEOUT_MS * 1_000_000) {
        return Future.failedFuture("pod " + pod + " was deleted but not gone within " + LabApi.DELETE_TIMEOUT_MS + " ms");
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(GONE_POLL_MS, id -> gone(pod, sinceNanos).onComplete(later));
      return later.future();
    });
  }

  private static String host(String service) {
    return service.replaceFirst(":\\d+$", "");
  }

  /**
   * Per second, what left for the frozen pod: every attempt, for the types that count them (a call retried elsewhere
   * ends at another pod, and its first attempt counts here all the same); for the others, the calls that left for it
   * or failed at the service address.
   */
  private static int[] hole(MeasuredRun run, String ip, String service) {
    List<ExperimentReport.Second> timeline = run.report().timeline();
    int[] hole = new int[timeline.size()];
    Function<ExperimentReport.Second, Map<String, Integer>> sent = sentBy(run);
    for (ExperimentReport.Second second : timeline) {
      hole[second.second()] = sent.apply(second).getOrDefault(ip, 0) + second.sentPerIp().getOrDefault(service, 0);
    }
    return hole;
  }

  /** Where a run's seconds say calls went: every attempt where the channel counts them, else the calls. */
  private static Function<ExperimentReport.Second, Map<String, Integer>> sentBy(MeasuredRun run) {
    boolean attempts = run.report().timeline().stream().anyMatch(s -> !s.attemptsPerIp().isEmpty());
    return attempts ? ExperimentReport.Second::attemptsPerIp : ExperimentReport.Second::sentPerIp;
  }

  @Override
  public void render(Markdown md) {
    md.line("## A silent pod: calls into a hole");
    md.line("");
    md.line(PickerRuns.PODS + " pods; " + load.freezeAtS() + " s into an open loop of " + load.rate() + " calls/s for "
        + load.seconds() + " s, one pod freezes (`POST /cluster/pods/NAME/freeze?noticed_ms=" + load.noticedMs() + "`):"
        + " it reads and writes nothing and its sockets stay open, so no RST and no FIN arrive, and its endpoint stays"
        + " listed ready for " + Numbers.figures(load.noticedMs() / 1000.0) + " s (the node-monitor grace period), then"
        + " turns not ready and the Deployment replaces it. The frozen pod is the one a first call of the case reached"
        + " (for ClientWithReuseConn, the pod its one connection is on). Calls into it: for the balancing types every"
        + " attempt sent to it after the freeze (a call retried elsewhere later counts too), by the second it left;"
        + " for the others the calls that left for it, and as they dial the service address, their failed calls"
        + " (the client cannot see the pod behind it). p99 and p99.9 over every call, in ms.");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    for (FreezeResult r : results) {
      rows.add(List.of(r.c().label(), r.ip(), r.run().failures(), Numbers.figures(r.run().latency().p99()),
          Numbers.figures(r.run().latency().p999()), Numbers.count(r.intoHoleAfterFreeze()), r.untilNoNewCall(),
          Numbers.count(r.waitedWholeDeadline())));
    }
    md.table(List.of("case", "frozen pod", "failed (by status)", "p99", "p99.9", "calls into it after the freeze",
        "from the freeze to its last new call", "waited a whole deadline"), rows);
    for (FreezeResult r : results) {
      String file = "silent-pod-" + r.c().label().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + ".svg";
      md.chart(file, r.c().label() + ": calls per pod per second, " + r.ip() + " frozen at " + r.freezeAtS() + " s",
          Charts.callsPerSecond(r.c().label() + ": calls per pod per second (by the second they left)", lanes(r),
              frozenLane(r), marks()));
    }
  }

  private Map<Integer, String> marks() {
    Map<Integer, String> marks = new TreeMap<>();
    marks.put(load.freezeAtS(), "frozen");
    int noticed = load.freezeAtS() + (int) Math.round(load.noticedMs() / 1000.0);
    if (noticed < load.seconds()) {
      marks.put(noticed, "not ready");
    }
    return marks;
  }

  private static String frozenLane(FreezeResult r) {
    return "frozen " + r.ip();
  }

  /** The frozen pod's lane first, then every other pod's in address order, over the seconds calls were sent. */
  private static Map<String, int[]> lanes(FreezeResult r) {
    List<ExperimentReport.Second> timeline = r.run().report().timeline();
    timeline = timeline.subList(0, Math.min(timeline.size(), r.sendingSeconds()));
    Map<String, int[]> lanes = new LinkedHashMap<>();
    lanes.put(frozenLane(r), Arrays.copyOf(r.hole(), timeline.size()));
    TreeSet<String> others = new TreeSet<>(MeasuredRun.IP_ORDER);
    timeline.forEach(s -> others.addAll(s.countPerIp().keySet()));
    others.remove(r.ip());
    Function<ExperimentReport.Second, Map<String, Integer>> sent = sentBy(r.run());
    for (String ip : others) {
      int[] counts = new int[timeline.size()];
      timeline.forEach(s -> counts[s.second()] = sent.apply(s).getOrDefault(ip, 0));
      lanes.put(ip, counts);
    }
    return lanes;
  }

  /** This case's result, or null when it did not run. */
  FreezeResult result(String label) {
    return results.stream().filter(r -> r.c().label().equals(label)).findFirst().orElse(null);
  }

  @Override
  public List<String> summary() {
    FreezeResult rr = result(KUBE + " round_robin");
    if (rr == null) {
      return List.of();
    }
    List<String> others = results.stream().filter(r -> r != rr)
        .map(r -> r.c().label() + " " + Numbers.count(r.run().failed())).toList();
    return List.of("**A silent pod (frozen, listed ready for " + Numbers.figures(load.noticedMs() / 1000.0) + " s):** "
        + KUBE + " round_robin failed " + Numbers.count(rr.run().failed()) + " calls ("
        + Numbers.count(rr.waitedWholeDeadline()) + " after their whole deadline) and sent the frozen pod new calls "
        + (rr.secondsUntilNoNewCall() == null ? "until the loop ended" : "for up to " + rr.secondsUntilNoNewCall()
        + " s after the freeze") + "; failed with the other cases: " + String.join(", ", others) + ".");
  }

  @Override
  public List<String> findings() {
    List<String> findings = new ArrayList<>();
    for (FreezeResult r : results) {
      Integer until = r.secondsUntilNoNewCall();
      String stop = until == null ? "still sent it new calls when the loop ended"
          : "sent it its last new call within " + until + " s of the freeze"
          + (until * 1000L >= load.noticedMs() ? ", when its endpoint turned not ready" : "");
      findings.add("With a pod frozen and listed ready for " + Numbers.figures(load.noticedMs() / 1000.0) + " s, "
          + r.c().label() + " failed " + Numbers.count(r.run().failed()) + " of " + Numbers.count(r.run().ok()
          + r.run().failed()) + " calls (" + Numbers.count(r.waitedWholeDeadline()) + " waited their whole deadline) and "
          + stop + (r.c().type() == ClientType.KUBE_RESOLVER
          ? (r.run().failed() == 0 ? "; the goal of 0 failed is met" : "; the goal of 0 failed is not met") : "") + ".");
    }
    return findings;
  }
}

package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lab.grpclb.config.ReportKind;
import lab.grpclb.config.ClientType;

/**
 * The write-up's experiments, in its order, against the local cluster through its HTTP API: the timing tables,
 * then ClientWithKubeResolver while the cluster scales up, loses a pod and scales down, then the steady load. Steps
 * run one after the other (the API refuses overlapping experiments) and each logs one progress line; what they
 * measured becomes {@link WriteupRuns} once the last has ended.
 */
final class Writeup implements ReportSection {
  private static final Logger LOG = Logger.getLogger(Writeup.class.getName());
  static final int WRITEUP_REPLICAS = 3;
  static final int SCALED_UP = 10;
  static final int SCALED_DOWN = 2;

  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions options;
  private final List<Action> plan = new ArrayList<>();
  /** The experiments of the plan's steps, for the report's progress line. */
  private final List<PlannedRun> planned = new ArrayList<>();
  // filled by the steps, one after the other, and frozen into runs once the last has ended
  private ClusterView clusterAtStart;
  private final List<MeasuredRun> warmups = new ArrayList<>();
  private final List<MeasuredRun> timings = new ArrayList<>();
  private final List<Step> steps = new ArrayList<>();
  private final Map<String, MeasuredRun> steady = new LinkedHashMap<>();
  private WriteupRuns runs;

  private record Action(String title, Supplier<Future<?>> body) {
  }

  /** A step that could not run, named, with why. */
  static final class StepFailed extends RuntimeException {
    StepFailed(String title, Throwable cause) {
      super("step '" + title + "' could not run: " + cause.getMessage(), cause, false, false);
    }
  }

  Writeup(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.options = options;
    planSetup();
    planTimings();
    planScaling();
    planSteady();
  }

  @Override
  public String name() {
    return ReportKind.WRITEUP.wireName();
  }

  @Override
  public List<PlannedRun> plan() {
    return List.copyOf(planned);
  }

  @Override
  public Future<Void> run() {
    long started = System.nanoTime();
    Future<?> chain = Future.succeededFuture();
    for (int i = 0; i < plan.size(); i++) {
      int number = i + 1;
      Action action = plan.get(i);
      chain = chain.compose(v -> perform(number, action));
    }
    return chain.map(v -> {
      runs = new WriteupRuns(options, clusterAtStart, warmups, WriteupRuns.byTypeAndN(timings), steps, steady,
          System.nanoTime() - started);
      return null;
    });
  }

  /** What the steps measured; set once they have all run. */
  WriteupRuns runs() {
    return runs;
  }

  @Override
  public void render(Markdown md) {
    WriteupMarkdown.render(md, runs);
  }

  @Override
  public List<String> summary() {
    return Summary.of(runs);
  }

  @Override
  public List<String> findings() {
    return Findings.of(runs);
  }

  /**
   * One step, with a line when it starts and one when it ends saying how long it really took: a step of K runs takes
   * about K times the median the experiment's own line reports.
   */
  private Future<?> perform(int number, Action action) {
    String step = "report step " + number + "/" + plan.size();
    LOG.info(() -> step + ": " + action.title());
    long started = System.nanoTime();
    return action.body().get()
        .onSuccess(v -> LOG.info(() -> step + " done in " + seconds(started) + ": " + action.title()))
        .recover(err -> Future.failedFuture(new StepFailed(action.title(), err)));
  }

  /** Seconds since {@code startedNanos}, to a tenth: "31.4 s". */
  static String seconds(long startedNanos) {
    return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startedNanos) / 1e9);
  }

  private void step(String title, Supplier<Future<?>> body) {
    plan.add(new Action(title, body));
  }

  // ---- the plan ----

  private void planSetup() {
    step("scale to " + WRITEUP_REPLICAS + " replicas, the write-up's cluster", () -> api.scale(WRITEUP_REPLICAS)
        .compose(c -> awaitClientSeesCluster())
        .compose(ms -> api.cluster())
        .onSuccess(cluster -> clusterAtStart = cluster));
    for (String type : ClientType.wireNames()) {
      planned.add(PlannedRun.burst("warm-up " + type + " n=" + options.warmupN(), options.warmupN(), 1));
      step("warm-up " + type + " n=" + options.warmupN() + " (not reported)",
          () -> api.experiment(type, options.warmupN()).onSuccess(warmups::add));
    }
  }

  /** Sections 1 and 2: every type at every n, plus the count_per_ip sizes when the tables lack them. */
  private void planTimings() {
    for (int n : options.ns()) {
      for (String type : ClientType.wireNames(ClientType.WRITEUP)) {
        measure(type, n);
      }
    }
    if (!options.ns().contains(options.spreadN())) {
      measure(ClientType.CLIENT.wireName(), options.spreadN());
      measure(ClientType.REUSE_CONN.wireName(), options.spreadN());
    }
    if (!options.ns().contains(options.splitN())) {
      measure(ClientType.REUSE_CONN.wireName(), options.splitN());
      measure(ClientType.KUBE_RESOLVER.wireName(), options.splitN());
    }
  }

  private void measure(String type, int n) {
    planned.add(PlannedRun.burst(type + " n=" + n + " ×" + options.runs(), n, options.runs()));
    step(type + " n=" + n + " x" + options.runs(),
        () -> api.experiment(type, "n=" + n + "&runs=" + options.runs()).onSuccess(timings::add));
  }

  /** Section 4: every type under the same open loop, the shape a burst cannot show. */
  private void planSteady() {
    step("scale back to " + WRITEUP_REPLICAS + " replicas for the steady load", () -> api.scale(WRITEUP_REPLICAS)
        .compose(c -> awaitClientSeesCluster()));
    String query = "rate=" + options.steadyRate() + "&duration_s=" + options.steadySeconds() + "&runs=" + options.runs();
    for (String type : ClientType.wireNames()) {
      planned.add(PlannedRun.openLoop(type + " " + options.steadyRate() + " calls/s for " + options.steadySeconds()
          + " s ×" + options.runs(), options.steadySeconds(), options.runs()));
      step(type + " " + query.replace('&', ' '), () -> api.experiment(type, query).onSuccess(run -> steady.put(type, run)));
    }
  }

  /** Section 3, as the write-up did it: up to 10 (during, after), back to 3, kill one pod, down to 2. */
  private void planScaling() {
    int n = options.stepN();
    String kube = ClientType.KUBE_RESOLVER.wireName();
    List<String> whens = List.of("during the scale-up", "after the scale-up", "back at " + WRITEUP_REPLICAS + " replicas");
    for (String when : whens) {
      planned.add(PlannedRun.burst(kube + " n=" + n + " " + when, n, 1));
    }
    planned.add(PlannedRun.burst(kube + " n=" + options.killN() + ", a pod deleted in it", options.killN(), 1));
    planned.add(PlannedRun.burst(kube + " n=" + n + " after the kill", n, 1));
    planned.add(PlannedRun.burst(kube + " n=" + n + " at " + SCALED_DOWN + " replicas", n, 1));
    step("scale " + WRITEUP_REPLICAS + " -> " + SCALED_UP + " replicas and run " + kube + " n=" + n + " during the scale-up",
        this::duringScaleUp);
    step(kube + " n=" + n + " after the scale-up",
        () -> afterChange(Step.ScalingStep.AFTER_SCALE_UP, "After scaling up is done", SCALED_UP));
    step("scale back to " + WRITEUP_REPLICAS + " replicas and run " + kube + " n=" + n,
        () -> scaleAndRun(Step.ScalingStep.BEFORE_KILL, "Before we kill a pod", WRITEUP_REPLICAS));
    step("delete a pod " + options.killAfterMs() + " ms into " + kube + " n=" + options.killN(), this::killMidRun);
    step(kube + " n=" + n + " after the kill", () -> afterChange(Step.ScalingStep.AFTER_KILL, "After we kill a pod", WRITEUP_REPLICAS));
    step("scale down to " + SCALED_DOWN + " replicas and run " + kube + " n=" + n,
        () -> scaleAndRun(Step.ScalingStep.SCALE_DOWN, "Scale down to " + SCALED_DOWN + " replicas", SCALED_DOWN));
  }

  // ---- section 3's steps ----

  /** Starts the scale-up and, without waiting for it, the run: the write-up's "during the process of scaling". */
  private Future<?> duringScaleUp() {
    Future<Void> scaled = api.scale(SCALED_UP);
    return api.experiment(ClientType.KUBE_RESOLVER.wireName(), options.stepN())
        .compose(run -> scaled.map(c -> steps.add(
            new Step(Step.ScalingStep.DURING_SCALE_UP, "During the scale-up to " + SCALED_UP + " replicas", SCALED_UP, run, null,
                null))));
  }

  private Future<?> afterChange(Step.ScalingStep kind, String title, int replicas) {
    return awaitClientSeesCluster()
        .compose(ms -> api.experiment(ClientType.KUBE_RESOLVER.wireName(), options.stepN()))
        .map(run -> steps.add(new Step(kind, title, replicas, run, null, null)));
  }

  private Future<?> scaleAndRun(Step.ScalingStep kind, String title, int replicas) {
    return api.scale(replicas)
        .compose(c -> awaitClientSeesCluster())
        .compose(ms -> api.experiment(ClientType.KUBE_RESOLVER.wireName(), options.stepN())
            .map(run -> steps.add(new Step(kind, title, replicas, run, ms, null))));
  }

  /** {@code kubectl delete pod} on a ready pod while killN calls are in flight. */
  private Future<?> killMidRun() {
    return api.cluster().compose(cluster -> {
      ClusterView.PodView victim = cluster.firstReady().orElse(null);
      if (victim == null) {
        return Future.failedFuture("no ready pod to delete");
      }
      long started = System.nanoTime();
      Future<MeasuredRun> run = api.experiment(ClientType.KUBE_RESOLVER.wireName(), options.killN());
      Promise<ClusterView.PodView> deleted = Promise.promise();
      long[] sentAndAnsweredMs = new long[2];
      vertx.setTimer(Math.max(1, options.killAfterMs()), id -> {
        sentAndAnsweredMs[0] = (System.nanoTime() - started) / 1_000_000;
        api.deletePod(victim.name())
            .onSuccess(answer -> sentAndAnsweredMs[1] = (System.nanoTime() - started) / 1_000_000) // terminating by then
            .onComplete(deleted);
      });
      return Future.all(run, deleted.future()).map(both -> {
        ClusterView.PodView replacement = deleted.future().result();
        Step.Kill kill = new Step.Kill(victim.name(), victim.ip(), sentAndAnsweredMs[0], sentAndAnsweredMs[1],
            replacement.name(), replacement.ip());
        return steps.add(new Step(Step.ScalingStep.KILL, "Kill one pod in the middle of a run", WRITEUP_REPLICAS,
            run.result(), null, kill));
      });
    });
  }

  private Future<Long> awaitClientSeesCluster() {
    return Convergence.await(vertx, api);
  }
}

package lab.grpclb.local;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import lab.grpclb.config.PlainNumber;

/**
 * {@code kubectl rollout restart deployment/greeter-server}: a new pod template, then every pod replaced by a new
 * one (new name, new IP) the way the Deployment controller rolls, never more than maxSurge pods above the replica
 * count and never fewer than maxUnavailable below it available. Each old pod's endpoint turns terminating, the pod
 * serves through its preStop pause, then drains. Completes when the new pods serve and the old ones are gone.
 * Every step runs on one context, the one that started the rollout.
 */
final class RollingUpdate {
  private static final Logger LOG = Logger.getLogger(RollingUpdate.class.getName());
  /** A Deployment's defaults: 25 % surge (rounded up) and 25 % unavailable (rounded down). */
  static final String DEFAULT_MAX_SURGE = "25%";
  static final String DEFAULT_MAX_UNAVAILABLE = "25%";
  static final long DEFAULT_PRE_STOP_MS = 1_000;
  /** A plan's preStop that lets each old pod pause as its own template says, as a Deployment's rollout does. */
  static final long OWN_PRE_STOP = -1;
  static final long TIMEOUT_MS = 120_000;

  private final Vertx vertx;
  private final LocalCluster cluster;
  private volatile InProgress running;

  /** How many pods a rollout of this many replicas may add and take away at a time. */
  record Plan(int replicas, int maxSurge, int maxUnavailable, long preStopMs) {
    /**
     * Resolves "N" or "N%" of the replicas as a Deployment does: surge rounds up, unavailable down, and when both
     * come to 0 one pod may be unavailable. Fails naming the valid forms; both given as 0 is invalid, as there.
     */
    static Plan of(int replicas, String maxSurge, String maxUnavailable, long preStopMs) {
      int surge = resolve("max_surge", maxSurge, replicas, true);
      int unavailable = resolve("max_unavailable", maxUnavailable, replicas, false);
      if (isZero(maxSurge) && isZero(maxUnavailable)) {
        throw new IllegalArgumentException("max_surge and max_unavailable may not both be 0: the rollout could never "
            + "start a pod or stop one");
      }
      return new Plan(replicas, surge, surge == 0 && unavailable == 0 ? 1 : unavailable, preStopMs);
    }

    private static int resolve(String name, String raw, int replicas, boolean roundUp) {
      boolean percentage = raw.endsWith("%");
      Integer value = PlainNumber.whole(percentage ? raw.substring(0, raw.length() - 1) : raw);
      if (value != null && value <= 100) {
        double pods = percentage ? replicas * value / 100.0 : value;
        return (int) (roundUp ? Math.ceil(pods) : Math.floor(pods));
      }
      throw new IllegalArgumentException(name + " must be a pod count from 0 to 100 or a percentage from 0% to 100%"
          + " (default 25%), got '" + raw + "'");
    }

    private static boolean isZero(String raw) {
      return raw.equals("0") || raw.equals("0%");
    }
  }

  /** A finished rollout: the pods it replaced and the ones that replaced them. */
  record Result(Plan plan, List<Pod> oldPods, List<Pod> newPods, long elapsedMs) {
  }

  /** The rollout in progress; touched on its context only, apart from the volatile reference to it. */
  private final class InProgress {
    final Plan plan;
    final Context context;
    final Set<Pod> oldPods;
    volatile int started;
    final List<Future<Void>> gone = new ArrayList<>();
    final Promise<Result> done = Promise.promise();
    final long startedNanos = System.nanoTime();

    InProgress(Plan plan, Context context, Set<Pod> oldPods) {
      this.plan = plan;
      this.context = context;
      this.oldPods = oldPods;
    }
  }

  RollingUpdate(Vertx vertx, LocalCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    cluster.onChange(pods -> {
      InProgress current = running;
      if (current != null) {
        current.context.runOnContext(v -> step(current));
      }
    });
  }

  boolean inProgress() {
    return running != null;
  }

  /** What the one in progress is doing, for a 409; null when none is. */
  String describeInProgress() {
    InProgress current = running;
    return current == null ? null : "a rollout of " + current.plan.replicas() + " pods is in progress ("
        + current.started + " new pods started so far)";
  }

  /**
   * Starts the rollout to {@code template}'s values under a new hash, {@code plan.replicas()} pods of it; the caller
   * has made sure none runs and no scale is in progress.
   */
  Future<Result> start(Plan plan, PodTemplate template) {
    Context context = vertx.getOrCreateContext();
    InProgress rollout = new InProgress(plan, context, Set.copyOf(live()));
    running = rollout;
    cluster.newTemplate(template, plan.replicas());
    LOG.info(() -> "deployment " + LocalCluster.DEPLOYMENT + " rollout restart: " + plan.replicas() + " pods, maxSurge "
        + plan.maxSurge() + ", maxUnavailable " + plan.maxUnavailable() + ", preStop "
        + (plan.preStopMs() == OWN_PRE_STOP ? "as each old pod's template says" : plan.preStopMs() + " ms"));
    long timer = vertx.setTimer(TIMEOUT_MS, id -> rollout.done.tryFail("the rollout did not complete within "
        + TIMEOUT_MS + " ms: " + progress(rollout)));
    rollout.done.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      running = null;
      LOG.info(() -> "deployment " + LocalCluster.DEPLOYMENT + " rollout "
          + (ar.succeeded() ? "complete in " + ar.result().elapsedMs() + " ms" : "failed: " + ar.cause().getMessage()));
    });
    context.runOnContext(v -> step(rollout));
    return rollout.done.future();
  }

  private List<Pod> live() {
    return cluster.pods().stream().filter(Pod::live).toList();
  }

  /** One pass of the Deployment controller: start new pods within the surge, then stop old ones within availability. */
  private void step(InProgress rollout) {
    if (rollout.done.future().isComplete()) {
      return;
    }
    Plan plan = rollout.plan;
    List<Pod> oldLive = new ArrayList<>();
    int fresh = 0;
    int freshReady = 0;
    for (Pod pod : live()) {
      if (rollout.oldPods.contains(pod)) {
        oldLive.add(pod);
      } else {
        fresh++;
        freshReady += pod.phase() == Pod.Phase.READY ? 1 : 0;
      }
    }
    int toStart = Math.min(plan.replicas() + plan.maxSurge() - (oldLive.size() + fresh), plan.replicas() - fresh);
    for (int i = 0; i < toStart; i++) {
      rollout.started++;
      cluster.startPod().onFailure(err -> rollout.done.tryFail("a new pod failed to start: " + err.getMessage()));
    }
    // As the Deployment controller: old pods may go while enough stay available, unready old pods first.
    int canStop = Math.min(oldLive.size(), oldLive.size() + freshReady - (plan.replicas() - plan.maxUnavailable()));
    oldLive.sort(Comparator.comparing((Pod p) -> p.phase() == Pod.Phase.READY).thenComparing(Pod::name));
    for (int i = 0; i < canStop; i++) {
      rollout.gone.add(cluster.terminate(oldLive.get(i), plan.preStopMs()));
    }
    boolean oldAllStopped = oldLive.size() == Math.max(0, canStop);
    if (oldAllStopped && freshReady >= plan.replicas() && rollout.gone.stream().allMatch(Future::isComplete)) {
      rollout.done.tryComplete(new Result(plan, sortedByName(rollout.oldPods), sortedByName(live()),
          (System.nanoTime() - rollout.startedNanos) / 1_000_000));
    }
  }

  private static List<Pod> sortedByName(java.util.Collection<Pod> pods) {
    return pods.stream().sorted(Comparator.comparing(Pod::name)).toList();
  }

  private String progress(InProgress rollout) {
    long oldLeft = cluster.pods().stream().filter(rollout.oldPods::contains).count();
    long newReady = live().stream().filter(p -> !rollout.oldPods.contains(p) && p.phase() == Pod.Phase.READY).count();
    return newReady + " of " + rollout.plan.replicas() + " new pods ready, " + oldLeft
        + " old pods not gone yet (see the log for a pod that failed to start or drain)";
  }
}

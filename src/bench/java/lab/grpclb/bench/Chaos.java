package lab.grpclb.bench;

import io.vertx.core.Vertx;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import lab.grpclb.config.ClientType;
import lab.grpclb.local.ControlPlaneFaults;
import lab.grpclb.local.LocalCluster;
import lab.grpclb.local.LocalMode;
import lab.grpclb.local.Pod;

/**
 * Abuses a local cluster on timers until stopped: kills a random pod every 2-5 s (SIGKILL-like), scales between
 * the given replica counts at random times, slows one pod tenfold for a few seconds now and then, turns one NOT_SERVING for
 * a few seconds now and then, freezes one now and then (silent, listed ready until noticed; half of them unfrozen again, the others force-deleted once replaced), and
 * has the control plane drop every watch, compact its history, or answer 500 to the next requests, in turn.
 */
final class Chaos {
  /**
   * What was done: {@code unfrozen} of the {@code freezes} resumed, the others were given up for lost and deleted
   * (unless a kill or a scale took them first). The control plane's own counts say what its faults reached.
   */
  record ChaosActions(long kills, long scales, long slowdowns, long freezes, long unfrozen, long healthFlips,
                      ControlPlaneFaults.FaultsInjected controlPlane) {
  }

  /** The control plane faults, in turn; every one ends with cut watches, so the client must reconnect into it. */
  private enum ApiFault { DROP_WATCHES, COMPACT, FAIL_NEXT }

  private static final int FAILED_REQUESTS = 3;
  private static final int SLOWDOWN_FACTOR = 10;
  /** A frozen pod stays listed ready this long at least, and up to this plus {@link #NOTICED_SPREAD_MS}. */
  private static final int MIN_NOTICED_MS = 1_000;
  private static final int NOTICED_SPREAD_MS = 3_000;

  private final Vertx vertx;
  private final LocalMode local;
  private final SoakOptions options;
  private final Random random;
  private final Consumer<String> progress;
  private final AtomicLong kills = new AtomicLong();
  private final AtomicLong scales = new AtomicLong();
  private final AtomicLong slowdowns = new AtomicLong();
  private final AtomicLong freezes = new AtomicLong();
  private final AtomicLong unfrozen = new AtomicLong();
  private final AtomicLong healthFlips = new AtomicLong();
  private volatile boolean stopped;
  private volatile Pod slowed;
  private volatile Pod notServing;
  private int nextApiFault;

  Chaos(Vertx vertx, LocalMode local, SoakOptions options, Consumer<String> progress) {
    this.vertx = vertx;
    this.local = local;
    this.options = options;
    this.random = new Random(options.seed());
    this.progress = progress;
  }

  void start() {
    every(2_000, 5_000, this::kill);
    every(4_000, 12_000, this::scale);
    every(5_000, 10_000, this::slowOne);
    every(3_000, 6_000, this::apiFault);
    every(4_000, 9_000, this::flipHealth);
    if (options.freezes()) {
      every(6_000, 12_000, this::freezeOne);
    }
  }

  /**
   * Stops scheduling and undoes what lasts: a slowed pod back to speed, a NOT_SERVING one SERVING, frozen ones
   * resumed (a lost pod comes back and the Deployment removes its surplus). Says what was done.
   */
  ChaosActions stop() {
    stopped = true;
    LocalCluster cluster = local.cluster();
    Pod pod = slowed;
    if (pod != null) {
      cluster.delay(pod, options.delayMs());
    }
    Pod sick = notServing;
    if (sick != null) {
      sick.server().health(ServingStatus.SERVING);
    }
    cluster.pods().stream().filter(p -> p.frozenSince().isPresent()).forEach(p -> cluster.unfreeze(p.name()));
    return counts();
  }

  /**
   * Whether the cluster is back at rest: no pod frozen, terminating or crashed. A frozen pod's sockets stay open
   * until it ends (in this process they count among its descriptors), so the last sample waits for this.
   */
  boolean quiet() {
    return local.cluster().pods().stream().allMatch(p -> p.frozenSince().isEmpty()
        && (p.phase() == Pod.Phase.READY || p.phase() == Pod.Phase.STARTING));
  }

  ChaosActions counts() {
    return new ChaosActions(kills.get(), scales.get(), slowdowns.get(), freezes.get(), unfrozen.get(),
        healthFlips.get(), local.controlPlane().faults().counts());
  }

  private void every(long minMs, long maxMs, Runnable action) {
    vertx.setTimer(minMs + (long) (random.nextDouble() * (maxMs - minMs)), id -> {
      if (!stopped) {
        action.run();
        every(minMs, maxMs, action);
      }
    });
  }

  private void kill() {
    Pod victim = spareHealthyPod();
    if (victim != null) {
      kills.incrementAndGet();
      local.cluster().crash(victim.name(), LocalCluster.DEFAULT_CRASH_NOTICED_MS);
    }
  }

  /** Scales down no further than keeps one pod that is not sick among the oldest, which the Deployment keeps. */
  private void scale() {
    int drawn = options.minReplicas() + random.nextInt(options.maxReplicas() - options.minReplicas() + 1);
    long sick = local.cluster().pods().stream().filter(p -> p.live() && !isHealthy(p)).count();
    int replicas = (int) Math.max(drawn, Math.min(sick + 1, options.maxReplicas()));
    scales.incrementAndGet();
    local.scale(replicas).onFailure(err -> progress.accept("scale to " + replicas + " did not settle: " + err.getMessage()));
  }

  private void slowOne() {
    Pod pod = randomServing();
    if (pod == null || slowed != null) {
      return;
    }
    slowed = pod;
    slowdowns.incrementAndGet();
    LocalCluster cluster = local.cluster();
    cluster.delay(pod, options.delayMs() * SLOWDOWN_FACTOR);
    vertx.setTimer(2_000 + random.nextInt(3_000), id -> {
      cluster.delay(pod, options.delayMs());
      slowed = null;
    });
  }

  /** A pod reports NOT_SERVING for 1-3 s (its endpoint stays listed ready), then SERVING again. */
  private void flipHealth() {
    Pod pod = spareHealthyPod();
    if (pod == null || notServing != null) {
      return;
    }
    notServing = pod;
    healthFlips.incrementAndGet();
    pod.server().health(ServingStatus.NOT_SERVING);
    vertx.setTimer(1_000 + random.nextInt(2_000), id -> {
      pod.server().health(ServingStatus.SERVING);
      notServing = null;
    });
  }

  /**
   * A pod goes silent, listed ready for 1-4 s. Half the time the pause ends 0.5-6 s in (before or after it was given
   * up for lost); otherwise the lost pod is force-deleted a few seconds after its replacement started. A kill or a
   * scale may take it first: the later step then finds it gone, which is fine.
   */
  private void freezeOne() {
    Pod pod = spareHealthyPod();
    if (pod == null) {
      return;
    }
    LocalCluster cluster = local.cluster();
    int noticedMs = MIN_NOTICED_MS + random.nextInt(NOTICED_SPREAD_MS);
    boolean resumes = random.nextBoolean();
    long laterMs = resumes ? 500 + random.nextInt(5_500) : noticedMs + 1_000 + random.nextInt(3_000);
    cluster.freeze(pod.name(), noticedMs).onSuccess(frozen -> {
      freezes.incrementAndGet();
      vertx.setTimer(laterMs, id -> {
        if (resumes) {
          cluster.unfreeze(pod.name()).onSuccess(v -> unfrozen.incrementAndGet());
        } else if (pod.phase() == Pod.Phase.NODE_LOST) {
          cluster.deletePod(pod.name());
        }
      });
    });
  }

  private void apiFault() {
    ControlPlaneFaults faults = local.controlPlane().faults();
    ApiFault fault = ApiFault.values()[nextApiFault++ % ApiFault.values().length];
    switch (fault) {
      case DROP_WATCHES -> { }
      case COMPACT -> faults.compact();
      case FAIL_NEXT -> faults.failNext(FAILED_REQUESTS, 500);
    }
    faults.dropWatches();
  }

  /** A ready pod that is not frozen. */
  private Pod randomServing() {
    List<Pod> serving = local.cluster().pods().stream()
        .filter(p -> p.phase() == Pod.Phase.READY && p.frozenSince().isEmpty()).toList();
    return serving.isEmpty() ? null : serving.get(random.nextInt(serving.size()));
  }

  /**
   * A healthy pod that can be spared: one of two or more that ClientWithKubeResolver routes to, so that one it knows
   * is left. The chaos never takes the last: a call lost then is lost to any client (a new pod the client has not
   * heard of, its watch cut by the control plane's faults, saves nothing), and the soak is about the calls a client
   * could have saved.
   */
  private Pod spareHealthyPod() {
    Set<String> routed = local.client().channel(ClientType.KUBE_RESOLVER).endpoints().stream()
        .map(key -> key.substring(0, key.lastIndexOf(':'))).collect(Collectors.toSet());
    List<Pod> healthy = local.cluster().pods().stream().filter(p -> isHealthy(p) && routed.contains(p.ip())).toList();
    return healthy.size() < 2 ? null : healthy.get(random.nextInt(healthy.size()));
  }

  /** Ready, not frozen, and SERVING to gRPC health checks. */
  private static boolean isHealthy(Pod pod) {
    return pod.phase() == Pod.Phase.READY && pod.frozenSince().isEmpty()
        && pod.server().health() == ServingStatus.SERVING;
  }
}

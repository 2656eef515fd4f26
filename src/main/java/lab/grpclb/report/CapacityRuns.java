package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import lab.grpclb.config.ClientType;

/**
 * What the capacity experiments share: pods given a capacity, Poisson open loops at a share of it, the pods' queues
 * watched, and the cluster put back as the section found it, so the next section is unaffected.
 */
final class CapacityRuns {
  static final String WRR = "weighted_round_robin";
  /** The pickers compared on pods that can be overloaded: the three of the picker experiments, and A58's. */
  static final List<String> PICKERS = List.of("round_robin", "least_request", "peak_ewma", WRR);
  /**
   * A bounded queue where a section wants one: two service times of work per slot, then RESOURCE_EXHAUSTED, as a
   * server with a bounded work queue sheds load. An unbounded queue under overload would make a run's tail its length.
   */
  static final int QUEUE_PER_SLOT = 2;
  /** weighted_round_robin's unmeasured run at A58's defaults: ceil(10 s + 2 x 1 s) + 1 s. */
  static final double WRR_SETTLE_S = 13;
  private static final String KUBE = ClientType.KUBE_RESOLVER.wireName();

  private CapacityRuns() {
  }

  /** The cluster as a section found it: its ready pods, and the first pod's capacity and delay (the template's). */
  record Found(int replicas, PodCapacity.Setting capacity, int delayMs) {
  }

  static Future<Found> found(LabApi api) {
    return api.cluster().compose(cluster -> api.capacities().map(pods ->
        new Found(cluster.readyIps().size(), pods.get(0).setting(), cluster.delayMs())));
  }

  /**
   * Scales to one pod per setting and, once the client routes to them all, gives the pods in IP order their
   * settings and the delay; completes with those pods.
   */
  static Future<List<ClusterView.PodView>> limit(Vertx vertx, LabApi api, List<PodCapacity.Setting> settings,
                                                 int delayMs) {
    return api.scale(settings.size()).compose(v -> Convergence.await(vertx, api)).compose(ms -> api.cluster())
        .compose(cluster -> {
          List<ClusterView.PodView> pods = cluster.pods().stream().filter(ClusterView.PodView::ready)
              .sorted((a, b) -> MeasuredRun.IP_ORDER.compare(a.ip(), b.ip())).toList();
          Future<Void> chain = Future.succeededFuture();
          for (int i = 0; i < pods.size(); i++) {
            String pod = pods.get(i).name();
            PodCapacity.Setting setting = settings.get(i);
            chain = chain.compose(v -> api.delay(pod, delayMs)).compose(v -> api.capacity(pod, setting));
          }
          return chain.map(pods);
        });
  }

  /** Every ready pod back to the delay and capacity found, then the replica count found. */
  static Future<Void> restore(Vertx vertx, LabApi api, Found found) {
    return api.cluster().compose(cluster -> {
      Future<Void> chain = Future.succeededFuture();
      for (ClusterView.PodView pod : cluster.pods().stream().filter(ClusterView.PodView::ready).toList()) {
        chain = chain.compose(v -> api.delay(pod.name(), found.delayMs()))
            .compose(v -> api.capacity(pod.name(), found.capacity()));
      }
      return chain;
    }).compose(v -> api.scale(found.replicas())).compose(v -> Convergence.await(vertx, api)).mapEmpty();
  }

  /** A Poisson open loop (arrivals at random, as independent users make them) of {@code rate} calls/s. */
  static String openLoop(double rate, int seconds, int runs) {
    return String.format(Locale.ROOT, "rate=%.2f&duration_s=%d&runs=%d&arrival=poisson", rate, seconds, runs);
  }

  /** One experiment of {@code type}, the pods' queues sampled while it runs. */
  static Future<QueuedRun> measure(Vertx vertx, LabApi api, String type, String query, int sampleMs) {
    QueueSampler sampler = QueueSampler.start(vertx, api, sampleMs);
    return api.experiment(type, query).transform(ar -> {
      Map<String, Integer> queues = sampler.stop();
      return ar.succeeded() ? Future.succeededFuture(new QueuedRun(ar.result(), queues)) : Future.failedFuture(ar.cause());
    });
  }

  /**
   * What {@link #pickers} runs: weighted_round_robin's unmeasured run first lasts about A58's default blackout (10 s)
   * and two weight updates (1 s each), plus a second.
   */
  static List<PlannedRun> plan(ReportOptions.CapacityLoad load, int runs) {
    List<PlannedRun> plan = new ArrayList<>();
    for (String lb : PICKERS) {
      if (lb.equals(WRR)) {
        plan.add(new PlannedRun(lb + ", its weights settling (not measured)", WRR_SETTLE_S));
      }
      plan.add(PlannedRun.openLoop(lb, load.seconds(), runs));
    }
    return plan;
  }

  /** Every picker of {@link #PICKERS} in turn under the same load, by picker in that order. */
  static Future<Map<String, QueuedRun>> pickers(Vertx vertx, LabApi api, double rate, ReportOptions.CapacityLoad load,
                                                int runs) {
    Map<String, QueuedRun> results = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (String lb : PICKERS) {
      chain = chain.compose(v -> picker(vertx, api, lb, rate, load, runs).map(run -> {
        results.put(lb, run);
        return (Void) null;
      }));
    }
    return chain.map(results);
  }

  /**
   * ClientWithKubeResolver with this picker under a Poisson open loop. weighted_round_robin first runs the same load
   * for as long as its weights take to count (A58's blackout and two updates), unmeasured: before that it is round
   * robin, and a run that short would measure round robin twice.
   */
  private static Future<QueuedRun> picker(Vertx vertx, LabApi api, String lb, double rate, ReportOptions.CapacityLoad load,
                                  int runs) {
    Future<Void> ready = !lb.equals(WRR) ? Future.succeededFuture()
        : api.weightsSettleMs().compose(ms -> api.experiment(KUBE,
            openLoop(rate, (int) Math.ceil(ms / 1000.0) + 1, 1) + "&lb=" + lb)).mapEmpty();
    return ready.compose(v -> measure(vertx, api, KUBE, openLoop(rate, load.seconds(), runs) + "&lb=" + lb,
        load.sampleMs()));
  }
}

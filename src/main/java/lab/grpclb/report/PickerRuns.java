package lab.grpclb.report;

import io.vertx.core.Future;
import java.util.List;
import lab.grpclb.config.ClientType;

/** What the picker experiments share: a cluster of N pods at the report's delay, and runs per picker. */
final class PickerRuns {
  static final List<String> PICKERS = List.of("round_robin", "least_request", "peak_ewma");
  static final int PODS = 5;

  private PickerRuns() {
  }

  /** Scales to {@link #PODS} and waits until the client routes to all of them; completes with the first ready pod. */
  static Future<ClusterView.PodView> fivePods(io.vertx.core.Vertx vertx, LabApi api) {
    return api.scale(PODS).compose(c -> Convergence.await(vertx, api)).compose(ms -> api.cluster())
        .map(cluster -> cluster.firstReady().orElseThrow());
  }

  /** ClientWithKubeResolver with this picker under the given load (query without type). */
  static Future<MeasuredRun> run(LabApi api, String picker, String load) {
    return api.experiment(ClientType.KUBE_RESOLVER.wireName(), load + "&lb=" + picker);
  }

  /** The share of a run's replies that came from this IP, in %. */
  static double sharePercent(MeasuredRun run, String ip) {
    return run.ok() == 0 ? 0 : 100.0 * run.count(ip) / run.ok();
  }
}

package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Set;
import lab.grpclb.config.ClientType;

/** Waits, by polling the API every 5 ms, until ClientWithKubeResolver routes to exactly the cluster's ready pods. */
final class Convergence {
  /** How long the client may take to route to exactly the cluster's ready pods after a change. */
  static final long TIMEOUT_MS = 5_000;
  private static final long POLL_MS = 5;

  private Convergence() {
  }

  /** Completes with how long that took, measured from the call. */
  static Future<Long> await(Vertx vertx, LabApi api) {
    return await(vertx, api, api);
  }

  /** The same for the client {@code client} (one {@link ClientStarter} started), the cluster read through {@code api}. */
  static Future<Long> await(Vertx vertx, LabApi api, LabApi client) {
    Promise<Long> seen = Promise.promise();
    poll(vertx, api, client, System.nanoTime(), seen);
    return seen.future();
  }

  private static void poll(Vertx vertx, LabApi api, LabApi client, long start, Promise<Long> seen) {
    Future<ClusterView> cluster = api.cluster();
    Future<Set<String>> targets = client.kubeResolverTargets();
    Future.all(cluster, targets).onComplete(ar -> {
      if (ar.failed()) {
        seen.fail(ar.cause());
        return;
      }
      Set<String> ready = cluster.result().readyIps();
      Set<String> routed = targets.result();
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (ready.equals(routed)) {
        seen.complete(ms);
      } else if (ms > TIMEOUT_MS) {
        seen.fail(ClientType.KUBE_RESOLVER.wireName() + " still routes to " + routed + " " + ms
            + " ms after the change, while the ready pods are " + ready);
      } else {
        vertx.setTimer(POLL_MS, id -> poll(vertx, api, client, start, seen));
      }
    });
  }
}

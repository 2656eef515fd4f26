package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * {@code kubectl scale} followed by {@code kubectl rollout status}: sets the desired replica count and completes
 * once the Deployment has settled, i.e. exactly that many live pods, every one of them ready. Pods being
 * removed drain in the background; nobody waits for them.
 */
final class Rollout {
  private static final Logger LOG = Logger.getLogger(Rollout.class.getName());
  /** A rollout that has not settled by then is reported as failed (a pod that cannot bind fails it at once). */
  static final long TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final LocalCluster cluster;
  private final List<Promise<Void>> waiting = new CopyOnWriteArrayList<>();

  Rollout(Vertx vertx, LocalCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    cluster.onChange(pods -> completeIfSettled());
  }

  /**
   * Completes once the cluster runs {@code replicas} ready pods (or the latest count asked for since). Fails at once
   * with a {@link LocalCluster.Conflict} when the cluster refuses the count (no pod addresses for the new pods):
   * the Deployment then stays as it was.
   */
  Future<Void> scale(int replicas) {
    Future<Void> started = cluster.scale(replicas);
    if (started.failed() && started.cause() instanceof LocalCluster.Conflict) {
      return started;
    }
    Promise<Void> settled = Promise.promise();
    waiting.add(settled);
    long timer = vertx.setTimer(TIMEOUT_MS, id -> settled.tryFail("the deployment did not settle at " + desired()
        + " ready pods within " + TIMEOUT_MS + " ms (see the log for a pod that failed to start)"));
    settled.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      waiting.remove(settled);
    });
    LOG.info(() -> "deployment " + LocalCluster.DEPLOYMENT + " scaled to " + replicas + " replicas");
    // A pod that cannot bind its address will not come up by waiting: fail now, naming the address and flag.
    started.onFailure(settled::tryFail);
    completeIfSettled();
    return settled.future();
  }

  int desired() {
    return cluster.desired();
  }

  /** A scale that has not settled yet: a rolling update must wait for it. */
  boolean inProgress() {
    return !waiting.isEmpty();
  }

  boolean settled() {
    int live = 0;
    for (Pod pod : cluster.pods()) {
      if (pod.phase() == Pod.Phase.STARTING) {
        return false;
      }
      if (pod.ready()) {
        live++;
      }
    }
    return live == desired();
  }

  private void completeIfSettled() {
    if (!waiting.isEmpty() && settled()) {
      waiting.forEach(Promise::tryComplete);
    }
  }
}

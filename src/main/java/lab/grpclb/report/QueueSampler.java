package lab.grpclb.report;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The longest queue each pod had while a run went on, read from {@code GET /cluster} every period: a pod keeps its
 * queue's length now and its wait's p99, not the longest queue, and a queue comes and goes within a run. A sample
 * still unanswered when the next is due is not doubled, so a slow API only samples less often.
 */
final class QueueSampler {
  private final Vertx vertx;
  private final LabApi api;
  /** Concurrent: a sample's answer may arrive on another event loop than the run's end that stops the sampler. */
  private final Map<String, Integer> longest = new ConcurrentHashMap<>();
  private final long timer;
  private volatile boolean asking;
  private volatile boolean stopped;

  private QueueSampler(Vertx vertx, LabApi api, long periodMs) {
    this.vertx = vertx;
    this.api = api;
    this.timer = vertx.setPeriodic(1, periodMs, id -> sample());
  }

  static QueueSampler start(Vertx vertx, LabApi api, long periodMs) {
    return new QueueSampler(vertx, api, periodMs);
  }

  private void sample() {
    if (asking || stopped) {
      return;
    }
    asking = true;
    api.capacities().onComplete(ar -> {
      asking = false;
      if (ar.succeeded() && !stopped) {
        ar.result().forEach(pod -> longest.merge(pod.ip(), pod.queueLength(), Math::max));
      }
    });
  }

  /** Stops sampling; the longest queue seen per pod IP. */
  Map<String, Integer> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Map.copyOf(longest);
  }
}

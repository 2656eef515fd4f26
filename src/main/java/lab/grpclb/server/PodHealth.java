package lab.grpclb.server;

import io.vertx.core.Context;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * This pod's health per service, as {@code grpc.health.v1} reports it, changed by events (a flip, the drain) and
 * never polled: every Watch is told of a change at once, on its own stream's event loop. The services are fixed at
 * start ({@code ""} for the whole server, and the Greeter); any other name is unknown. While the pod drains every
 * service is NOT_SERVING, whatever was set. Set from any thread.
 */
final class PodHealth {
  private final Map<String, ServingStatus> statuses = new ConcurrentHashMap<>();
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  /** Every service in {@code services} starts SERVING. */
  PodHealth(Set<String> services) {
    services.forEach(service -> statuses.put(service, ServingStatus.SERVING));
  }

  /** {@code service}'s status now; null when this pod has no such service. */
  ServingStatus status(String service) {
    ServingStatus set = statuses.get(service);
    return set == null ? null : draining ? ServingStatus.NOT_SERVING : set;
  }

  /** Every service turns {@code status} (SERVING or NOT_SERVING); the drain still wins. */
  void setAll(ServingStatus status) {
    statuses.replaceAll((service, before) -> status);
    changed();
  }

  /** From now on every service is NOT_SERVING. */
  void drain() {
    draining = true;
    changed();
  }

  /** Watch streams open now. */
  int watchers() {
    return watchers.size();
  }

  /**
   * Tells {@code send}, on {@code context}, {@code service}'s status now, then each change (SERVICE_UNKNOWN for a
   * service this pod lacks: health.proto keeps such a Watch open), until {@link Watcher#cancel}.
   */
  Watcher watch(String service, Context context, Consumer<ServingStatus> send) {
    Watcher watcher = new Watcher(service, context, send);
    watchers.add(watcher);
    watcher.push();
    return watcher;
  }

  private void changed() {
    watchers.forEach(Watcher::push);
  }

  /** One Watch stream: what it was last sent is touched on its own event loop only. */
  final class Watcher {
    private final String service;
    private final Context context;
    private final Consumer<ServingStatus> send;
    private ServingStatus sent;

    private Watcher(String service, Context context, Consumer<ServingStatus> send) {
      this.service = service;
      this.context = context;
      this.send = send;
    }

    /** The stream ended (the client cancelled it, or its connection went): no more sends. */
    void cancel() {
      watchers.remove(this);
    }

    /** Sends the status as it is when the task runs: changes in a burst reach the stream in order, the last one last. */
    private void push() {
      context.runOnContext(v -> {
        ServingStatus now = status(service);
        ServingStatus current = now == null ? ServingStatus.SERVICE_UNKNOWN : now;
        if (watchers.contains(this) && current != sent) {
          sent = current;
          send.accept(current);
        }
      });
    }
  }
}

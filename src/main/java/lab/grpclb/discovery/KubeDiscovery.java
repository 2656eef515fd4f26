package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import lab.grpclb.config.KubeConfig;

/**
 * Discovery for ClientWithKubeResolver: the Service through the Vert.x Kubernetes bridge, its pod endpoints
 * through our EndpointSlice watch, and one answer to "can this type run now, and if not, why".
 */
public final class KubeDiscovery {
  private final KubeConfig config;
  private final KubeApiClient api;
  private final EndpointSliceWatch watch;
  private final ServiceBridge bridge;

  public KubeDiscovery(Vertx vertx, KubeConfig config, Consumer<EndpointSet> listener) {
    this.config = config;
    this.api = new KubeApiClient(vertx, config);
    this.watch = new EndpointSliceWatch(vertx, api, listener);
    this.bridge = new ServiceBridge(vertx, api);
  }

  public void start() {
    watch.start();
    bridge.start();
  }

  /** Null when calls can be routed; else what is wrong and what to set. */
  public String unavailableReason() {
    WatchStatus status = watch.status();
    if (status.state() == WatchState.STOPPED) {
      return "Kubernetes discovery is stopped: the client is closing";
    }
    if (!status.synced()) {
      return "the pod endpoints are not known yet from the Kubernetes API at " + config.apiUrl()
          + " (state: " + status.state().label() + ", last error: " + status.lastError()
          + "); check --kube-api, --kube-token-file, --kube-ca-file, --namespace and GET /status";
    }
    if (status.state() == WatchState.UNAUTHORIZED) {
      return "the Kubernetes API refuses this client: " + status.lastError();
    }
    return null;
  }

  public Future<JsonObject> status() {
    return bridge.service().map(service -> new JsonObject()
        .put("api", config.apiUrl().toString())
        .put("tls_verified_with", config.tls() ? config.caFile() : null)
        .put("namespace", config.namespace())
        .put("service", config.service())
        .put("service_port", config.servicePort())
        .put("endpointslice_watch", watch.status().toJson().put("path", EndpointSliceWatch.path(config)))
        .put("bridge_service", service));
  }

  /** Completes once the watch and the bridge's guard have stopped (requests reset, no retry pending) and the API client is closed. */
  public Future<Void> close() {
    return Future.join(bridge.close(), watch.stop()).otherwiseEmpty().compose(v -> api.close());
  }
}

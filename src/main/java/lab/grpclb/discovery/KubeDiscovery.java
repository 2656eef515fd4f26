package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import java.util.List;
import lab.grpclb.config.KubeConfig;

/**
 * Discovery for ClientWithKubeResolver, on one Vert.x ServiceDiscovery: the Service imported by the Vert.x
 * Kubernetes bridge, its pod endpoints imported by our EndpointSlice importer, the balancer's endpoint set read
 * back from those records, and one answer to "can this type run now, and if not, why".
 */
public final class KubeDiscovery implements Resolver {
  private final KubeConfig config;
  private final KubeApiClient api;
  private final ServiceDiscovery discovery;
  private final EndpointSliceImporter endpoints;
  private final DiscoveredEndpoints routed;
  private final ServiceBridge bridge;

  public KubeDiscovery(Vertx vertx, KubeConfig config, EndpointsListener listener) {
    this.config = config;
    this.api = new KubeApiClient(vertx, config);
    ServiceDiscoveryOptions options = new ServiceDiscoveryOptions();
    this.discovery = ServiceDiscovery.create(vertx, options);
    this.endpoints = new EndpointSliceImporter(vertx, api);
    this.routed = new DiscoveredEndpoints(vertx, discovery, options.getAnnounceAddress(), endpoints.records(),
        listener);
    this.bridge = new ServiceBridge(vertx, api, discovery);
  }

  @Override
  public void start() {
    routed.start(); // listening before the first record is published
    discovery.registerServiceImporter(endpoints, new JsonObject());
    bridge.start();
  }

  /** The ServiceDiscovery both importers publish to: {@code getRecords(...)} shows what the balancer routes to. */
  public ServiceDiscovery serviceDiscovery() {
    return discovery;
  }

  /** Null when calls can be routed; else what is wrong and what to set. */
  @Override
  public String unavailableReason() {
    WatchStatus status = endpoints.status();
    if (status.state() == WatchState.STOPPED) {
      return "Kubernetes discovery is stopped: the client is closing";
    }
    if (!status.synced() && status.lastError() == null) {
      return "the pod endpoints are not listed yet: the first list from the Kubernetes API at " + config.apiUrl()
          + " is under way; ask again in a moment (GET /status shows the watch)";
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

  /** The EndpointSlice watch's state now (reconnects, relists), for /metrics. */
  public WatchStatus watchStatus() {
    return endpoints.status();
  }

  /** The EndpointSlice watch's errors of this kind so far. */
  public long watchErrors(WatchErrorKind kind) {
    return endpoints.errors(kind);
  }

  @Override
  public Future<JsonObject> status() {
    return Future.all(bridge.service(), routed.records()).map(both -> new JsonObject()
        .put("api", config.apiUrl().toString())
        .put("tls_verified_with", config.tls() ? config.caFile() : null)
        .put("namespace", config.namespace())
        .put("service", config.service())
        .put("service_port", config.servicePort())
        .put("endpointslice_watch", endpoints.status().toJson().put("path", EndpointSliceWatch.path(config)))
        .put("endpoint_snapshots", routed.snapshots())
        .put("discovery_records", new JsonArray(both.<List<Record>>resultAt(1).stream()
            .map(r -> new JsonObject().put("location", r.getLocation()).put("status", r.getStatus().name())
                .put("metadata", r.getMetadata())).toList()))
        .put("bridge_service", both.<JsonObject>resultAt(0)));
  }

  /**
   * Completes once the watch and the bridge's guard have stopped (requests reset, no retry pending), the
   * discovery is closed and the API client is closed.
   */
  @Override
  public Future<Void> close() {
    Future<Void> unlistened = routed.close();
    discovery.close(); // closes both importers: the bridge's, before its guard goes; ours stops its watch
    return Future.join(unlistened, bridge.close(), endpoints.close()).otherwiseEmpty().compose(v -> api.close());
  }
}

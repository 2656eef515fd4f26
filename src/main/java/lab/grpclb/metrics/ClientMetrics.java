package lab.grpclb.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import lab.grpclb.client.BalancedChannel;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.config.ClientType;
import lab.grpclb.discovery.KubeDiscovery;
import lab.grpclb.discovery.WatchErrorKind;

/** The experiment client's meters, in its own registry: calls per type and pod, the balancers, the watch, experiments. */
public final class ClientMetrics {
  private final PrometheusMeterRegistry registry = Metrics.newRegistry();
  private final Map<String, CallMeters> calls = new ConcurrentHashMap<>();

  /** {@code channel}, its calls counted under {@code type}. */
  public GreeterChannel metered(ClientType type, GreeterChannel channel) {
    return new MeteredChannel(channel, calls(type.wireName()));
  }

  /** The balancer behind {@code type}: its endpoints, pickers and ejections; a pod's call series go with it. */
  public void bindBalancer(ClientType type, BalancedChannel channel) {
    BalancerMetrics.bind(registry, type.wireName(), channel, calls(type.wireName()));
  }

  /** The EndpointSlice watch: reconnects, relists, errors by kind, and whether a watch is open. */
  public void bindWatch(KubeDiscovery discovery) {
    FunctionCounter.builder("grpclb.watch.reconnects", discovery, d -> d.watchStatus().reconnects())
        .description("EndpointSlice watches resumed after the server ended them").register(registry);
    FunctionCounter.builder("grpclb.watch.relists", discovery, d -> d.watchStatus().lists())
        .description("EndpointSlice lists (the first, and each after a 410)").register(registry);
    for (WatchErrorKind kind : WatchErrorKind.values()) {
      FunctionCounter.builder("grpclb.watch.errors", discovery, d -> d.watchErrors(kind)).tag("kind", kind.label())
          .description("EndpointSlice list and watch errors by kind").register(registry);
    }
    Gauge.builder("grpclb.watch.connected", () -> discovery.watchStatus().connected() ? 1 : 0)
        .description("1 while an EndpointSlice watch stream is open").register(registry);
  }

  /** One experiment run ended (not its repeats together): its calls and failures. */
  public void experimentRan(String type, int ok, int failed) {
    Counter.builder("grpclb.experiment.runs").tag("type", type).description("Experiment runs").register(registry)
        .increment();
    Counter.builder("grpclb.experiment.calls").tag("type", type).description("Calls experiments made")
        .register(registry).increment(ok + failed);
    Counter.builder("grpclb.experiment.calls.failed").tag("type", type).description("Calls experiments saw fail")
        .register(registry).increment(failed);
  }

  /**
   * The HTTP API refused a request: {@code reason} is {@code origin} (another site's page), {@code host} (a name it
   * does not serve) or {@code token} (no or a wrong bearer token). Counted, never logged: a page can send many.
   */
  public void apiRefused(String reason) {
    Counter.builder("grpclb.api.refused").tag("reason", reason)
        .description("HTTP API requests refused: another site's page, a foreign Host, or no token")
        .register(registry).increment();
  }

  /** {@code GET /metrics} on the client's HTTP port. */
  public void mount(Router router) {
    Metrics.mount(router, registry);
  }

  private CallMeters calls(String type) {
    return calls.computeIfAbsent(type, t -> new CallMeters(registry, t));
  }
}

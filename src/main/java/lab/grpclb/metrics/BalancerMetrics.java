package lab.grpclb.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.client.BalancedChannel;
import lab.grpclb.client.EndpointConnection;
import lab.grpclb.client.EndpointObserver;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.RetryPolicy;
import lab.grpclb.discovery.Endpoint;

/**
 * A balancer as Prometheus sees it: endpoints by connectivity state and by EndpointSlice condition, ejections,
 * picks per picker, hedges and the retry throttle, and each endpoint's calls in flight. Everything is read from the
 * balancer at scrape time; the call path only adds to its own counters. An endpoint's series go when it leaves the
 * Service.
 */
final class BalancerMetrics implements EndpointObserver {
  private final MeterRegistry registry;
  private final String type;
  private final CallMeters calls;
  /** By endpoint key: the connection a gauge reads, so a late retirement never removes its successor's gauge. */
  private final Map<String, Registered> inFlight = new HashMap<>();

  private record Registered(EndpointConnection connection, Gauge gauge) {
  }

  private BalancerMetrics(MeterRegistry registry, String type, CallMeters calls) {
    this.registry = registry;
    this.type = type;
    this.calls = calls;
  }

  static void bind(MeterRegistry registry, String type, BalancedChannel channel, CallMeters calls) {
    for (ConnectivityState state : ConnectivityState.values()) {
      Gauge.builder("grpclb.balancer.endpoints", () -> channel.endpointsIn(state))
          .tags("type", type, "state", state.name())
          .description("Endpoint connections by connectivity state").register(registry);
    }
    condition(registry, type, channel, "ready", Endpoint::ready);
    condition(registry, type, channel, "serving", Endpoint::serving);
    condition(registry, type, channel, "terminating", Endpoint::terminating);
    Gauge.builder("grpclb.balancer.ejected", channel::ejectedNow).tag("type", type)
        .description("Endpoints ejected by outlier detection now").register(registry);
    FunctionCounter.builder("grpclb.balancer.ejections", channel, BalancedChannel::ejectionsSoFar).tag("type", type)
        .description("Ejections by outlier detection").register(registry);
    for (LbPolicy policy : LbPolicy.values()) {
      FunctionCounter.builder("grpclb.balancer.picks", channel, c -> c.picks(policy))
          .tags("type", type, "lb", policy.wireName())
          .description("Attempts sent to an endpoint, by the picker that chose it").register(registry);
    }
    attempts(registry, type, channel);
    channel.observeEndpoints(new BalancerMetrics(registry, type, calls));
  }

  /** Hedges (gRFC A6), the retry throttle, and calls by the attempts they made: the report's fields, over time. */
  private static void attempts(MeterRegistry registry, String type, BalancedChannel channel) {
    FunctionCounter.builder("grpclb.balancer.hedges", channel, c -> c.attempts().hedged()).tag("type", type)
        .description("Attempts sent as hedges").register(registry);
    FunctionCounter.builder("grpclb.balancer.hedges.won", channel, c -> c.attempts().hedgeWon()).tag("type", type)
        .description("Calls answered by a hedge, not their first attempt").register(registry);
    FunctionCounter.builder("grpclb.balancer.retries.throttled", channel, c -> c.attempts().throttled())
        .tag("type", type).description("Policy retries and hedges the retry throttle refused").register(registry);
    Gauge.builder("grpclb.balancer.retry.tokens", channel::retryTokens).tag("type", type)
        .description("The retry throttle's tokens (0 while it is off)").register(registry);
    for (int attempts = 0; attempts <= RetryPolicy.MAX_ATTEMPTS; attempts++) {
      int index = attempts;
      FunctionCounter.builder("grpclb.balancer.calls.by.attempts", channel,
              c -> c.attempts().callsByAttempts().get(index))
          .tags("type", type, "attempts", String.valueOf(attempts))
          .description("Calls ended, by the attempts they made (0: no endpoint)").register(registry);
    }
  }

  private static void condition(MeterRegistry registry, String type, BalancedChannel channel, String name,
                                Predicate<Endpoint> holds) {
    Gauge.builder("grpclb.balancer.endpoint.conditions",
            () -> channel.knownEndpoints().stream().filter(holds).count())
        .tags("type", type, "condition", name)
        .description("The Service's endpoints by EndpointSlice condition").register(registry);
  }

  @Override
  public void added(EndpointConnection connection) {
    drop(connection.key());
    Gauge gauge = Gauge.builder("grpclb.balancer.endpoint.calls.in.flight", connection::callsInFlight)
        .tags("type", type, "pod_ip", connection.address().host())
        .description("Calls in flight on this endpoint's connection").register(registry);
    inFlight.put(connection.key(), new Registered(connection, gauge));
    calls.known(connection.address().host());
  }

  @Override
  public void retired(EndpointConnection connection) {
    Registered current = inFlight.get(connection.key());
    if (current != null && current.connection() == connection) {
      drop(connection.key());
      calls.remove(connection.address().host());
    }
  }

  private void drop(String key) {
    Registered gone = inFlight.remove(key);
    if (gone != null) {
      registry.remove(gone.gauge());
    }
  }
}

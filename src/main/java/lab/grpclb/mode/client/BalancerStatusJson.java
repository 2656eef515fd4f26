package lab.grpclb.mode.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.OutlierDetectionBalancer;
import lab.grpclb.client.BalancerStatus;
import lab.grpclb.client.EndpointConnection;
import lab.grpclb.config.OutlierEjection;

/** A balancer's status as {@code /status} shows it: the JSON edge of {@link BalancerStatus}. */
final class BalancerStatusJson {
  private BalancerStatusJson() {
  }

  /** Every endpoint discovery knows, with its connection's state, calls in flight and ejection. */
  static JsonArray endpoints(BalancerStatus status) {
    JsonArray described = new JsonArray();
    for (BalancerStatus.EndpointStatus endpoint : status.endpoints()) {
      EndpointConnection.Health health = endpoint.health();
      described.add(endpoint.endpoint().toJson()
          .put("routable", endpoint.routable())
          .put("connected", health != null && health.state() == ConnectivityState.READY)
          .put("state", health == null ? null : health.state().name())
          .put("last_error", health == null ? null : health.lastError())
          .put("next_reconnect_at", health == null || health.nextAttemptAt() == null ? null
              : health.nextAttemptAt().toString())
          .put("health", health == null || health.serving() == null ? null : health.serving().name())
          .put("in_flight", endpoint.inFlight())
          .put("ejected", endpoint.ejected()));
    }
    return described;
  }

  /**
   * The default policy, the service health checking watches (null when off), and outlier ejection's settings and
   * ejected endpoints (null when off).
   */
  static JsonObject balancer(BalancerStatus status) {
    JsonObject json = new JsonObject().put("lb", status.lb().wireName())
        .put("health_check_service", status.healthCheck().service());
    OutlierEjection settings = status.ejection().settings();
    if (settings == null) {
      return json.putNull("outlier_ejection");
    }
    JsonArray ejected = new JsonArray();
    for (OutlierDetectionBalancer.Ejection e : status.ejection().ejected()) {
      ejected.add(new JsonObject().put("endpoint", e.endpoint()).put("since", e.since().toString())
          .put("returns_at", e.returnsAt().toString()).put("multiplier", e.multiplier()));
    }
    return json.put("outlier_ejection", new JsonObject()
        .put("interval_ms", settings.intervalMs())
        .put("threshold_percent", settings.thresholdPercent())
        .put("minimum_hosts", settings.minimumHosts())
        .put("request_volume", settings.requestVolume())
        .put("base_ejection_ms", settings.baseEjectionMs())
        .put("max_ejection_ms", settings.maxEjectionMs())
        .put("max_ejection_percent", settings.maxEjectionPercent())
        .put("ejected", ejected));
  }
}

package lab.grpclb.mode.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.TreeMap;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.EndpointWeight;
import lab.grpclb.balance.OutlierDetectionBalancer;
import lab.grpclb.balance.PolicyRouter;
import lab.grpclb.balance.ZonePlan;
import lab.grpclb.client.BalancerStatus;
import lab.grpclb.client.EndpointConnection;
import lab.grpclb.config.FleetConfig;
import lab.grpclb.config.OutlierEjection;
import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.config.WeightedRoundRobinConfig;

/** A balancer's status as {@code /status} shows it: the JSON edge of {@link BalancerStatus}. */
final class BalancerStatusJson {
  private BalancerStatusJson() {
  }

  /**
   * Every endpoint discovery knows, with its connection's state, calls in flight, ejection, and its weight under
   * weighted_round_robin with the last load report its pod sent.
   */
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
          .put("ejected", endpoint.ejected())
          .put("wrr", weight(endpoint.weight())));
    }
    return described;
  }

  /** Where the weight stands (usable or why not), the weight the pod's reports give, and its last report. */
  private static JsonObject weight(EndpointWeight.WeightStatus weight) {
    if (weight == null) {
      return null;
    }
    EndpointWeight.LastReport last = weight.lastReport();
    JsonObject report = last == null ? null : new JsonObject()
        .put("cpu_utilization", last.report().cpuUtilization())
        .put("application_utilization", last.report().applicationUtilization())
        .put("rps", last.report().rpsFractional())
        .put("eps", last.report().eps())
        .put("age_ms", last.ageMs());
    return new JsonObject().put("state", weight.state().name().toLowerCase(Locale.ROOT))
        .put("weight", weight.state() == EndpointWeight.WeightState.NO_REPORT ? null : weight.weight())
        .put("last_report", report);
  }

  /**
   * The client in its fleet: its id, zone and the fleet's zones, the default subset size and zone routing, the subset
   * the default policy's calls go to (null when off) and the zone plan they follow (null when off).
   */
  static JsonObject fleet(PolicyRouter.FleetStatus fleet) {
    FleetConfig config = fleet.config();
    ZonePlan plan = fleet.zonePlan();
    return new JsonObject().put("client_id", config.clientId()).put("zone", config.zone())
        .put("zones", new JsonArray(config.zones()))
        .put("subset_size", config.defaults().subsetSize())
        .put("zone_aware", config.defaults().zoneAware())
        .put("subset", fleet.subset() == null ? null : new JsonArray(fleet.subset()))
        .put("zone_plan", plan == null ? null : new JsonObject()
            .put("mode", plan.mode().name().toLowerCase(Locale.ROOT))
            .put("shares", new JsonObject(new TreeMap<String, Object>(plan.shares()))));
  }

  /**
   * The default policy, the service health checking watches (null when off), weighted_round_robin's settings, slow
   * start's (null when off), and outlier ejection's settings and ejected endpoints (null when off).
   */
  static JsonObject balancer(BalancerStatus status) {
    WeightedRoundRobinConfig wrr = status.config().wrr();
    SlowStartConfig slowStart = status.config().slowStart();
    JsonObject json = new JsonObject().put("lb", status.config().lb().wireName())
        .put("health_check_service", status.config().healthCheck().service())
        .put("weighted_round_robin", new JsonObject()
            .put("blackout_ms", wrr.blackoutMs())
            .put("expiration_ms", wrr.expirationMs())
            .put("update_ms", wrr.updateMs())
            .put("error_penalty", wrr.errorPenalty())
            .put("oob", wrr.oob())
            .put("oob_period_ms", wrr.oobPeriodMs()))
        .put("slow_start", !slowStart.on() ? null : new JsonObject()
            .put("window_ms", slowStart.windowMs())
            .put("aggression", slowStart.aggression())
            .put("min_weight_percent", slowStart.minWeightPercent()));
    json.put("fleet", fleet(status.fleet()));
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

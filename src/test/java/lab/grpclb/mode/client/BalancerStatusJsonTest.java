package lab.grpclb.mode.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.util.List;
import lab.grpclb.balance.EndpointWeight;
import lab.grpclb.balance.LoadReport;
import lab.grpclb.balance.OutlierDetectionBalancer;
import lab.grpclb.balance.PolicyRouter;
import lab.grpclb.balance.ZonePlan;
import lab.grpclb.client.BalancerStatus;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.FleetConfig;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.discovery.Endpoint;
import org.junit.jupiter.api.Test;

/** What /status says of weighted_round_robin's weights and slow start, without a socket. */
class BalancerStatusJsonTest {
  static final Endpoint POD = new Endpoint("10.0.0.1", 50051, "pod-a", true, true, false);

  static BalancerStatus status(BalancerConfig config, EndpointWeight.WeightStatus weight) {
    return new BalancerStatus(config, List.of(new BalancerStatus.EndpointStatus(POD, true, null, 0, false, weight)),
        new OutlierDetectionBalancer.Status(null, List.of()), new PolicyRouter.FleetStatus(config.fleet(), null, null));
  }

  @Test
  void eachEndpointShowsItsWeightWhetherItCountsAndTheLastReport() {
    EndpointWeight.WeightStatus weight = new EndpointWeight.WeightStatus(EndpointWeight.WeightState.BLACKOUT, 200,
        new EndpointWeight.LastReport(new LoadReport(0.5, 0.25, 100, 2), 1_500));
    JsonObject wrr = BalancerStatusJson.endpoints(status(BalancerConfig.DEFAULT, weight)).getJsonObject(0)
        .getJsonObject("wrr");
    assertEquals(new JsonObject().put("state", "blackout").put("weight", 200.0).put("last_report", new JsonObject()
        .put("cpu_utilization", 0.5).put("application_utilization", 0.25).put("rps", 100.0).put("eps", 2.0)
        .put("age_ms", 1_500L)), wrr);
    JsonObject silent = BalancerStatusJson.endpoints(status(BalancerConfig.DEFAULT,
        new EndpointWeight.WeightStatus(EndpointWeight.WeightState.NO_REPORT, 0, null))).getJsonObject(0)
        .getJsonObject("wrr");
    assertNull(silent.getValue("weight"), "no report, no weight: " + silent);
    assertNull(silent.getValue("last_report"));
  }

  @Test
  void theBalancerShowsWeightedRoundRobinsSettingsAndSlowStartWhenOn() {
    JsonObject defaults = BalancerStatusJson.balancer(status(BalancerConfig.DEFAULT, null));
    assertEquals(new JsonObject().put("blackout_ms", 10_000).put("expiration_ms", 180_000).put("update_ms", 1_000)
        .put("error_penalty", 1.0).put("oob", false).put("oob_period_ms", 10_000),
        defaults.getJsonObject("weighted_round_robin"));
    assertNull(defaults.getValue("slow_start"), "off");
    BalancerConfig ramping = new BalancerConfig(BalancerConfig.DEFAULT.lb(), 10_000, 30, BalancerConfig.DEFAULT.wrr(),
        new SlowStartConfig(30_000, 2.0, 5), BalancerConfig.DEFAULT.ejection(), BalancerConfig.DEFAULT.healthCheck());
    assertEquals(new JsonObject().put("window_ms", 30_000).put("aggression", 2.0).put("min_weight_percent", 5),
        BalancerStatusJson.balancer(status(ramping, null)).getJsonObject("slow_start"));
  }

  @Test
  void theFleetShowsTheClientItsSubsetAndItsZonePlan() {
    FleetConfig config = new FleetConfig("client-7", "a", List.of("a", "b"), new FleetPolicy(2, true));
    ZonePlan plan = ZonePlan.of(List.of(POD.inZone("a", List.of())), "a", List.of("a", "b"));
    JsonObject fleet = BalancerStatusJson.fleet(new PolicyRouter.FleetStatus(config, List.of(POD.key()), plan));
    assertEquals(new JsonObject().put("client_id", "client-7").put("zone", "a")
        .put("zones", new io.vertx.core.json.JsonArray().add("a").add("b")).put("subset_size", 2).put("zone_aware", true)
        .put("subset", new io.vertx.core.json.JsonArray().add("10.0.0.1:50051"))
        .put("zone_plan", new JsonObject().put("mode", "local").put("shares", new JsonObject().put("a", 1.0))), fleet);
    JsonObject off = BalancerStatusJson.balancer(status(BalancerConfig.DEFAULT, null)).getJsonObject("fleet");
    assertNull(off.getValue("subset"));
    assertNull(off.getValue("zone_plan"));
  }
}

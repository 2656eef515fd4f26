package lab.grpclb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.ErrorInjection;
import lab.grpclb.config.OutlierEjection;
import lab.grpclb.config.RetryPolicy;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Outlier ejection over five real servers on loopback, one failing every call: the first sweep with enough
 * calls ejects it, no call goes to it afterwards, and the balancer's status says when it returns.
 */
@ExtendWith(VertxExtension.class)
class OutlierEjectionTest {
  static final String BAD = "127.0.0.113";

  BalancedChannel channel;
  final List<GreeterServer> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    channel.close().await(10, TimeUnit.SECONDS);
    Greeters.stopAll(servers);
  }

  @Test
  void aPodFailingEveryCallIsEjectedAtTheNextSweepAndGetsNoMoreCalls(Vertx vertx) throws Exception {
    for (int i = 0; i < 5; i++) {
      servers.add(Greeters.start(vertx, "127.0.0." + (113 + i), 5));
    }
    GreeterServer bad = servers.get(0);
    bad.greeter().errors(new ErrorInjection(1, GrpcStatus.UNAVAILABLE));
    List<Endpoint> endpoints = servers.stream()
        .map(s -> new Endpoint(s.config().podIp(), s.port(), "pod-" + s.config().podIp(), true, true, false)).toList();
    OutlierEjection ejection = new OutlierEjection(true, 250, 85, 5, 5, 30_000, 300_000, 10);
    channel = new BalancedChannel(vertx, 10_000, 1_000, new RetryPolicy(RetryPolicy.Kind.NONE, 1),
        BalancerConfig.DEFAULT.withEjection(ejection), () -> null);
    channel.update(new EndpointSet(endpoints, endpoints, false));
    Await.until(() -> channel.endpoints().size() == 5, "5 endpoints READY");

    Map<String, Integer> before = ClosedLoop.run(channel, 10, 1_500);
    assertTrue(before.getOrDefault("failed", 0) > 0, "its calls failed until it was ejected: " + before);
    assertEquals(1, channel.ejections().size(), channel.describeBalancer().encodePrettily());
    BalancedChannel.Ejection ejected = channel.ejections().get(0);
    assertEquals(BAD + ":" + bad.port(), ejected.endpoint());
    Duration out = Duration.between(ejected.since(), ejected.returnsAt());
    assertTrue(out.toMillis() >= 30_000 && out.toMillis() <= 30_250, "30 s x 1, at the next sweep after: " + out);
    assertFalse(channel.endpoints().contains(ejected.endpoint()), "not a pick target: " + channel.endpoints());

    long failedSoFar = bad.greeter().callsFailedOnPurpose();
    Map<String, Integer> after = ClosedLoop.run(channel, 10, 500);
    assertNull(after.get("failed"), "no call reached it: " + after);
    assertEquals(failedSoFar, bad.greeter().callsFailedOnPurpose());
    assertEquals(4, after.size(), after.toString());

    JsonObject status = channel.describeBalancer();
    assertEquals("round_robin", status.getString("lb"));
    JsonArray listed = status.getJsonObject("outlier_ejection").getJsonArray("ejected");
    assertEquals(ejected.endpoint(), listed.getJsonObject(0).getString("endpoint"), status.encode());
    assertEquals(ejected.returnsAt().toString(), listed.getJsonObject(0).getString("returns_at"));
    JsonArray described = channel.describe();
    for (int i = 0; i < described.size(); i++) {
      JsonObject endpoint = described.getJsonObject(i);
      assertEquals(BAD.equals(endpoint.getString("ip")), endpoint.getBoolean("ejected"), endpoint.encode());
    }
  }
}

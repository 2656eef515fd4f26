package lab.grpclb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pickers against real servers on loopback, one of three ten times slower (200 ms against 20 ms), under a
 * closed loop of 10 calls in flight for 2 s on one BalancedChannel, each policy chosen per call.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowPodPickersTest {
  static final String SLOW = "127.0.0.112";
  static final int CONCURRENCY = 10;
  static final long RUN_MS = 2_000;

  Vertx vertx;
  BalancedChannel channel;
  final List<GreeterServer> servers = new ArrayList<>();

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    servers.add(Greeters.start(vertx, "127.0.0.110", 20));
    servers.add(Greeters.start(vertx, "127.0.0.111", 20));
    servers.add(Greeters.start(vertx, SLOW, 200));
    List<Endpoint> endpoints = servers.stream()
        .map(s -> new Endpoint(s.config().podIp(), s.port(), "pod-" + s.config().podIp(), true, true, false)).toList();
    channel = new BalancedChannel(vertx, 10_000, 1_000, KeepAlive.OFF, AttemptPolicy.DEFAULT, BalancerConfig.DEFAULT,
        () -> null);
    channel.endpointsChanged(new EndpointSet(endpoints, endpoints, false));
    Await.until(() -> channel.endpoints().size() == 3, "3 endpoints READY");
  }

  @AfterAll
  void stop() throws Exception {
    channel.close().await(10, TimeUnit.SECONDS);
    Greeters.stopAll(servers);
  }

  static int total(Map<String, Integer> counts) {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The closed loop with each call picked by {@code policy}: calls per pod IP, none failed. */
  Map<String, Integer> run(LbPolicy policy) throws Exception {
    Map<String, Integer> counts = ClosedLoopCalls.run(channel.withLb(policy), CONCURRENCY, RUN_MS);
    assertNull(counts.get("failed"), counts.toString());
    return counts;
  }

  static String share(Map<String, Integer> counts) {
    return "slow pod " + counts.getOrDefault(SLOW, 0) + " of " + total(counts) + ": " + counts;
  }

  @Test
  void roundRobinGivesTheSlowPodExactlyAThird() throws Exception {
    Map<String, Integer> counts = run(LbPolicy.ROUND_ROBIN);
    int third = total(counts) / 3;
    counts.values().forEach(n -> assertTrue(Math.abs(n - third) <= 1, "a third each (±1): " + counts));
    assertTrue(counts.containsKey(SLOW), counts.toString());
  }

  @Test
  void peakEwmaSendsTheSlowPodUnderATenthOfTheCalls() throws Exception {
    Map<String, Integer> counts = run(LbPolicy.PEAK_EWMA);
    assertTrue(counts.getOrDefault(SLOW, 0) < total(counts) / 10, share(counts));
  }

  @Test
  void leastRequestSendsTheSlowPodFarLessThanAThird() throws Exception {
    Map<String, Integer> counts = run(LbPolicy.LEAST_REQUEST);
    // Drawing with replacement sends it every pick that draws it twice, 1/9 with 3 pods: 11-14 % measured here.
    assertTrue(counts.getOrDefault(SLOW, 0) < total(counts) / 4, share(counts));
  }

  @Test
  void theDefaultPolicyIsTheChannelItselfAndEveryViewSharesItsEndpoints() {
    assertEquals(channel, channel.withLb(LbPolicy.ROUND_ROBIN), "--lb round_robin: no view needed");
    GreeterChannel view = channel.withLb(LbPolicy.PEAK_EWMA);
    assertEquals(channel.endpoints(), view.endpoints());
    assertEquals(channel.preferredContext(), view.preferredContext());
    assertTrue(view.close().succeeded(), "closing a view closes nothing");
    assertEquals(3, channel.endpoints().size());
  }
}

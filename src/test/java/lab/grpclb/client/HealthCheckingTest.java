package lab.grpclb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.SteadyCalls;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRFC A17 over real sockets, with the lab's defaults: three pods under a closed loop, one turned NOT_SERVING (its
 * endpoint still listed ready, as before a readiness probe notices). Its Watch stream tells the client at once: it
 * gets no new call, its calls in flight end normally, its connection stays open, and SERVING brings it back.
 */
@ExtendWith(VertxExtension.class)
class HealthCheckingTest {
  static final int DELAY_MS = 20;

  List<GreeterServer> servers;
  BalancedChannel channel;

  @AfterEach
  void stop() throws Exception {
    channel.close().await(10, TimeUnit.SECONDS);
    Greeters.stopAll(servers);
  }

  @Test
  void aPodTurnedNotServingGetsNoNewCallAndKeepsItsConnectionUntilServingAgain(Vertx vertx) throws Exception {
    servers = Greeters.start(vertx, 3, DELAY_MS);
    GreeterServer flipped = servers.get(0);
    String ip = flipped.config().podIp();
    String key = ip + ":" + flipped.port();
    List<Endpoint> endpoints = servers.stream().map(s -> new Endpoint(s.config().podIp(), s.port(),
        "pod-" + s.config().podIp(), true, true, false)).toList();
    channel = new BalancedChannel(vertx, 10_000, 1_000, KeepAlive.OFF, AttemptPolicy.DEFAULT, BalancerConfig.DEFAULT,
        () -> null);
    channel.endpointsChanged(new EndpointSet(endpoints, endpoints, false));
    Await.until(() -> channel.endpoints().size() == 3, "3 endpoints SERVING");
    assertEquals(HealthStatus.SERVING, status(ip).health().serving());
    SteadyCalls calls = SteadyCalls.start(vertx, channel, 30);
    Await.until(() -> servers.stream().allMatch(s -> calls.callsTo(s.config().podIp()) > 50), "calls reach every pod");
    long opened = channel.connectionsOpened();

    CompletableFuture<Long> leaves = firstSeen(() -> !channel.endpoints().contains(key));
    long flippedAt = System.nanoTime();
    flipped.health(ServingStatus.NOT_SERVING);
    long outMs = (leaves.get(5, TimeUnit.SECONDS) - flippedAt) / 1_000_000;
    Thread.sleep(DELAY_MS * 10); // the calls picked before the flip end
    long lastReplyMs = (calls.lastReplyNanos(ip) - flippedAt) / 1_000_000;
    long answered = calls.callsTo(ip);
    Thread.sleep(500);
    assertEquals(answered, calls.callsTo(ip), "no new call to the NOT_SERVING pod: " + calls);
    BalancerStatus.EndpointStatus out = status(ip);
    assertEquals(HealthStatus.NOT_SERVING, out.health().serving());
    assertEquals(ConnectivityState.READY, out.health().state(), "its connection stays open");
    assertEquals(opened, channel.connectionsOpened(), "no connection closed or opened");
    assertEquals(3, channel.connectionsOpen());

    CompletableFuture<Long> returns = firstSeen(() -> channel.endpoints().contains(key));
    long servingAt = System.nanoTime();
    flipped.health(ServingStatus.SERVING);
    long backMs = (returns.get(5, TimeUnit.SECONDS) - servingAt) / 1_000_000;
    Await.until(() -> calls.callsTo(ip) > answered + 50, "calls reach it again");
    calls.stop();

    System.out.println("health flip, closed loop of 30 over 3 pods (" + DELAY_MS + " ms): out of the picker after "
        + outMs + " ms, its last reply " + lastReplyMs + " ms after NOT_SERVING, back after " + backMs + " ms");
    assertEquals(0, calls.failed(), calls.toString());
    assertEquals(opened, channel.connectionsOpened(), "the flips cost no connection");
    assertTrue(outMs < 1_000 && backMs < 1_000, "out " + outMs + " ms, back " + backMs + " ms");
    assertTrue(lastReplyMs < 1_000, "its last reply " + lastReplyMs + " ms after the flip");
  }

  /**
   * When {@code condition} first holds (System.nanoTime), polled every 0.2 ms on a thread of its own: the JUnit
   * thread's own work (the flip logs a line) must not delay the reading.
   */
  static CompletableFuture<Long> firstSeen(BooleanSupplier condition) {
    return CompletableFuture.supplyAsync(() -> {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(200_000);
      }
      return System.nanoTime();
    }, runnable -> new Thread(runnable, "first-seen").start());
  }

  BalancerStatus.EndpointStatus status(String ip) {
    return channel.status().toCompletionStage().toCompletableFuture().join().endpoints().stream()
        .filter(e -> e.endpoint().ip().equals(ip)).findFirst().orElseThrow();
  }
}

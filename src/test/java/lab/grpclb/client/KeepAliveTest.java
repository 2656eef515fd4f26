package lab.grpclb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.SilentLink;
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
 * Keepalive over real sockets: one of two pods goes silent behind a relay that drops every byte and closes nothing,
 * as a lost node does. The client's PINGs find it, its connection is closed, its endpoint leaves the picker, and the
 * calls that were in flight there are retried on the other pod: none fails, none waits for its deadline.
 */
@ExtendWith(VertxExtension.class)
class KeepAliveTest {
  static final String FROZEN = "127.0.0.125";
  static final String LINK = "127.0.0.127";

  final List<GreeterServer> servers = new ArrayList<>();
  BalancedChannel channel;
  SilentLink link;

  @AfterEach
  void stop() throws Exception {
    channel.close().await(10, TimeUnit.SECONDS);
    link.close();
    Greeters.stopAll(servers);
  }

  @Test
  void aPodThatGoesSilentIsFoundByKeepaliveAndCostsNoCall(Vertx vertx) throws Exception {
    GreeterServer frozen = Greeters.start(vertx, FROZEN, 20);
    GreeterServer healthy = Greeters.start(vertx, "127.0.0.126", 20);
    servers.add(frozen);
    servers.add(healthy);
    link = SilentLink.start(vertx, LINK, frozen.port(), Greeters.address(frozen));
    List<Endpoint> endpoints = List.of(new Endpoint(LINK, link.port(), "frozen", true, true, false),
        new Endpoint("127.0.0.126", healthy.port(), "healthy", true, true, false));
    channel = new BalancedChannel(vertx, 10_000, 1_000, new KeepAlive(300, 300, false), AttemptPolicy.DEFAULT,
        BalancerConfig.DEFAULT, () -> null);
    channel.endpointsChanged(new EndpointSet(endpoints, endpoints, false));
    Await.until(() -> channel.endpoints().size() == 2, "2 endpoints READY");

    SteadyCalls calls = SteadyCalls.start(vertx, channel, 20);
    Await.until(() -> calls.callsTo(FROZEN) > 100, "calls reach the pod that will go silent");
    long silencedAt = System.nanoTime();
    link.silence();
    long attemptsBefore = attemptsTo(LINK);
    BalancerStatus.EndpointStatus[] found = new BalancerStatus.EndpointStatus[1];
    Await.until(() -> {
      found[0] = status(LINK);
      return found[0].health().state() == ConnectivityState.TRANSIENT_FAILURE;
    }, "keepalive finds the silent pod");
    long foundMs = (System.nanoTime() - silencedAt) / 1_000_000;
    long frozenCalls = calls.callsTo(FROZEN);
    long attemptsUntilFound = attemptsTo(LINK);
    Await.until(() -> calls.ok() > frozenCalls + 2_000, "calls go on, to the other pod");
    calls.stop();

    assertEquals(0, calls.failed(), "the calls in flight on the silent pod were retried elsewhere: " + calls);
    assertEquals(frozenCalls, calls.callsTo(FROZEN), "no call answered by the silent pod after it was found");
    assertTrue(attemptsUntilFound > attemptsBefore, "attempts went into the silence before it was found (their calls"
        + " were answered elsewhere, so only the attempt count shows them): " + attemptsBefore + " -> "
        + attemptsUntilFound);
    assertEquals(attemptsUntilFound, attemptsTo(LINK), "no attempt went there once it was found");
    assertTrue(foundMs < 5_000, "found within keepalive time + timeout (+ scheduling), not the 10 s deadline: "
        + foundMs + " ms");
    assertEquals("no PING ACK within 300 ms (--keepalive-timeout-ms)", found[0].health().lastError(),
        found[0].toString());
  }

  long attemptsTo(String ip) {
    return channel.attemptsPerIp().getOrDefault(ip, 0L);
  }

  BalancerStatus.EndpointStatus status(String ip) {
    return channel.status().toCompletionStage().toCompletableFuture().join().endpoints().stream()
        .filter(e -> e.endpoint().ip().equals(ip)).findFirst().orElseThrow();
  }
}

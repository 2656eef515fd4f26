package lab.grpclb.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.TestLab;
import lab.grpclb.config.RetryPolicy;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The balancer's endpoint states, over real greeters and the control plane: only READY endpoints are picked,
 * so a dead pod that is still listed, or a listed address that never completes the HTTP/2 handshake, gets no
 * call; and the retry policy decides what a pod dying mid-run costs.
 */
@ExtendWith(VertxExtension.class)
class BalancerStatesTest {
  static final int PORT = 50081;

  TestLab lab;
  Http http;
  NetServer blackHole;
  List<GreeterServer> servers;

  /** Connect attempts time out after 1 s here: a test need not wait out gRPC's 20 s. */
  void start(Vertx vertx, RetryPolicy policy, int delayMs) throws Exception {
    lab = TestLab.kube(vertx).withGreeters("127.0.0.80", 3, PORT, delayMs)
        .withClient(c -> c.withRetryPolicy(policy).withConnectTimeoutMs(1_000).withDrainTimeoutMs(5_000)).start();
    http = lab.http();
    servers = lab.servers();
  }

  @AfterEach
  void stop() throws Exception {
    if (lab != null) {
      lab.close();
    }
    if (blackHole != null) {
      blackHole.close().await(5, TimeUnit.SECONDS);
    }
  }

  JsonObject run(int n) throws Exception {
    return lab.run("type=ClientWithKubeResolver&n=" + n);
  }

  /** Publishes the slice with the greeters, all ready, and one more ready address that no greeter serves. */
  void listBesideTheServers(String ip, String pod) throws Exception {
    JsonArray endpoints = new JsonArray();
    servers.forEach(s -> endpoints.add(Slices.endpoint(s, true, false)));
    endpoints.add(new JsonObject().put("addresses", new JsonArray().add(ip))
        .put("conditions", new JsonObject().put("ready", true)).put("targetRef", new JsonObject().put("name", pod)));
    lab.publish(endpoints);
  }

  JsonObject endpointStatus(String ip) throws Exception {
    JsonArray endpoints = lab.kubeStatus().getJsonArray("endpoints");
    for (int i = 0; i < endpoints.size(); i++) {
      if (ip.equals(endpoints.getJsonObject(i).getString("ip"))) {
        return endpoints.getJsonObject(i);
      }
    }
    throw new AssertionError(ip + " not in /status: " + endpoints.encode());
  }

  void awaitState(String ip, String state, String what) throws InterruptedException {
    Await.until(() -> {
      try {
        return state.equals(endpointStatus(ip).getString("state"));
      } catch (Exception | AssertionError notYet) {
        return false;
      }
    }, what);
  }

  @Test
  void aKilledPodStillListedGetsNoPicksAfterItsFirstFailedConnect(Vertx vertx) throws Exception {
    start(vertx, RetryPolicy.DEFAULT, 20);
    assertEquals(List.of(1000), List.copyOf(Await.counts(run(3000))), "exact split over 3 READY pods");
    servers.get(1).kill().await(5, TimeUnit.SECONDS); // crashed: its endpoint stays listed, ready
    Await.until(() -> lab.channel().endpoints().size() == 2, "the dead pod leaves the picker as its connection drops");
    awaitState("127.0.0.81", "TRANSIENT_FAILURE", "its reconnect fails");
    JsonObject dead = endpointStatus("127.0.0.81");
    assertTrue(dead.getBoolean("routable"), "still listed ready in the EndpointSlice: " + dead.encode());
    assertEquals("TRANSIENT_FAILURE", dead.getString("state"), dead.encode());
    assertNotNull(dead.getString("next_reconnect_at"), "when it is tried again: " + dead.encode());
    // refused, or accepted and closed while the dying pod still listened: a failed attempt either way
    assertTrue(dead.getString("last_error").startsWith("connect failed: "), dead.encode());

    JsonObject report = run(3000);
    assertEquals(new JsonObject().put("127.0.0.80", 1500).put("127.0.0.82", 1500), report.getJsonObject("count_per_ip"),
        report.encode());
    assertEquals(0, report.getInteger("failed"));
    assertEquals(0, report.getInteger("retried"), "no call was sent to the dead pod: " + report.encode());
  }

  @Test
  void aListedAddressThatNeverCompletesTheHandshakeCostsNothing(Vertx vertx) throws Exception {
    start(vertx, RetryPolicy.DEFAULT, 100);
    // A hung pod: it accepts TCP, reads nothing and never sends its HTTP/2 SETTINGS.
    java.util.concurrent.atomic.AtomicInteger freed = new java.util.concurrent.atomic.AtomicInteger();
    blackHole = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.83").setPort(PORT))
        .connectHandler(socket -> socket.pause().closeHandler(v -> freed.incrementAndGet()))
        .listen().await(5, TimeUnit.SECONDS);
    listBesideTheServers("127.0.0.83", "hung");
    awaitState("127.0.0.83", "CONNECTING", "the hung endpoint is being connected to");

    JsonObject with = run(3000);
    assertEquals(0, with.getInteger("failed"), with.encode());
    assertEquals(3, with.getJsonObject("count_per_ip").size(), with.encode());
    assertFalse(with.getJsonObject("count_per_ip").containsKey("127.0.0.83"));
    // a call that waited on the hung connection would have taken the connect timeout (1 s) at least
    assertTrue(with.getJsonObject("latency_ms").getDouble("max") < 1_000, "the hung pod cost no call: " + with.encode());
    Await.until(() -> freed.get() > 0, "the client closed the half-open connection at its connect timeout (1 s)");
    // the close can reach the hung pod a moment before the client's loop marks the attempt failed
    awaitState("127.0.0.83", "TRANSIENT_FAILURE", "the timed-out attempt is a failure");
  }

  @Test
  void aListedAddressThatClosesEachConnectionAtOnceIsAFailedConnect(Vertx vertx) throws Exception {
    start(vertx, RetryPolicy.DEFAULT, 20);
    // A pod shutting down: its port still accepts TCP, and closes each connection before the HTTP/2 handshake.
    blackHole = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.83").setPort(PORT))
        .connectHandler(socket -> socket.close())
        .listen().await(5, TimeUnit.SECONDS);
    listBesideTheServers("127.0.0.83", "closing");
    awaitState("127.0.0.83", "TRANSIENT_FAILURE", "its connect attempt fails");
    JsonObject closing = endpointStatus("127.0.0.83");
    assertTrue(closing.getString("last_error").startsWith("connect failed: "), closing.encode());

    JsonObject report = run(3000);
    assertEquals(new JsonObject().put("127.0.0.80", 1000).put("127.0.0.81", 1000).put("127.0.0.82", 1000),
        report.getJsonObject("count_per_ip"), report.encode());
    assertEquals(0, report.getInteger("retried"), "no call was sent to it: " + report.encode());
  }

  @Test
  void withoutARetryPolicyAPodKilledMidRunFailsExactlyItsCallsInFlight(Vertx vertx) throws Exception {
    start(vertx, new RetryPolicy(RetryPolicy.Kind.NONE, 1), 3_000); // the kill lands while calls wait
    Future<Http.Answer> answer = http.sendAsync(HttpMethod.GET, lab.client().port(), "/experiment/client?type=ClientWithKubeResolver&n=3000");
    GreeterServer victim = servers.get(2);
    Await.until(() -> victim.greeter().callsInFlight() == 1000, "a third of the calls wait on the victim");
    victim.kill().await(5, TimeUnit.SECONDS);
    JsonObject report = answer.await(30, TimeUnit.SECONDS).body();
    assertEquals(1000, report.getInteger("failed"), "exactly the calls in flight on it: " + report.encode());
    assertEquals(2000, report.getInteger("ok"));
    assertFalse(report.getJsonObject("count_per_ip").containsKey("127.0.0.82"));
    assertEquals(0, report.getInteger("retried"), report.encode());
    report.getJsonObject("errors").fieldNames().forEach(e -> assertTrue(e.startsWith("UNAVAILABLE"), e));
  }

  @Test
  void withTheIdempotentPolicyAPodKilledMidRunLosesNothing(Vertx vertx) throws Exception {
    start(vertx, RetryPolicy.DEFAULT, 3_000); // the kill lands while calls wait
    Future<Http.Answer> answer = http.sendAsync(HttpMethod.GET, lab.client().port(), "/experiment/client?type=ClientWithKubeResolver&n=3000");
    GreeterServer victim = servers.get(2);
    Await.until(() -> victim.greeter().callsInFlight() == 1000, "a third of the calls wait on the victim");
    victim.kill().await(5, TimeUnit.SECONDS);
    JsonObject report = answer.await(30, TimeUnit.SECONDS).body();
    assertEquals(0, report.getInteger("failed"), report.encode());
    assertEquals(1000, report.getInteger("retried_policy"), "each call in flight on it was sent once more: " + report.encode());
    assertEquals(0, report.getInteger("retried_transparent"));
    assertEquals(1000, report.getInteger("retried"));
  }
}

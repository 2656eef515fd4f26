package lab.grpclb.discovery;

import static lab.grpclb.TestLab.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.TestLab;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.local.ApiResource;
import lab.grpclb.local.ControlPlane;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ClientWithKubeResolver end to end: real greeters on 127.0.0.20+, discovery through the Kubernetes-API-shaped
 * control plane over HTTP, experiments through the client's HTTP API.
 */
@ExtendWith(VertxExtension.class)
class KubeResolverTest {
  static final int PORT = 50061;
  static final String TOKEN = "s3cret";

  TestLab lab;
  ControlPlane api;
  GreeterChannel channel;
  Http http;
  List<GreeterServer> servers;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    lab = TestLab.kube(vertx).withToken(TOKEN).withService("10.96.0.10", PORT).withGreeters("127.0.0.20", 3, PORT, 20)
        .withClient().start();
    api = lab.api();
    channel = lab.channel();
    http = lab.http();
    servers = lab.servers();
    Await.until(() -> api.openWatches() == 2, "the bridge's Service watch and our EndpointSlice watch are open");
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  JsonObject run(int n) throws Exception {
    return lab.run("type=ClientWithKubeResolver&n=" + n);
  }

  @Test
  void roundRobinSplitsExactlyOverReadyEndpoints() throws Exception {
    JsonObject report = run(3000);
    assertEquals(new JsonObject().put("127.0.0.20", 1000).put("127.0.0.21", 1000).put("127.0.0.22", 1000),
        report.getJsonObject("count_per_ip"));
    assertEquals(3, report.getInteger("connections"), "one long-lived connection per endpoint");
    assertEquals(3, report.getJsonArray("endpoints_at_start").size());
    report = run(10_000);
    assertEquals(10_000, report.getInteger("ok"));
    assertEquals(List.of(3333, 3333, 3334), report.getJsonObject("count_per_ip").stream()
        .map(e -> (Integer) e.getValue()).sorted().toList());
  }

  @Test
  void scalingUpToTenThenDownToTwoMovesTrafficWithIt() throws Exception {
    lab.addGreeters(7, 20);
    lab.publish();
    Await.until(() -> channel.endpoints().size() == 10, "10 endpoints");
    JsonObject report = run(2000);
    assertEquals(10, report.getJsonObject("count_per_ip").size(), report.encode());
    assertEquals(Set.of(200), Await.counts(report));

    lab.publish(servers.subList(0, 2));
    Await.until(() -> channel.endpoints().size() == 2, "2 endpoints");
    report = run(2000);
    assertEquals(new JsonObject().put("127.0.0.20", 1000).put("127.0.0.21", 1000), report.getJsonObject("count_per_ip"));
  }

  @Test
  void aNewEndpointIsPickedAsSoonAsItsWatchEventArrives() throws Exception {
    lab.addGreeters(1, 20);
    long before = System.nanoTime();
    lab.publish();
    Await.until(() -> channel.endpoints().contains("127.0.0.23:" + PORT), "the 4th endpoint is routable");
    double ms = (System.nanoTime() - before) / 1e6;
    System.out.printf("new endpoint routable %.2f ms after the control plane wrote its slice%n", ms);
    // a watch event, not a periodic relist (the watch runs for minutes): seconds at most even on a stalled machine
    assertTrue(ms < 4_000, "took " + ms + " ms");
    assertEquals(4, run(400).getJsonObject("count_per_ip").size());
  }

  @Test
  void aTerminatingEndpointGetsNoNewCallsButFinishesItsOwn() throws Exception {
    servers.get(2).greeter().delayMs(400);
    Future<Http.Answer> running = http.sendAsync(HttpMethod.GET, lab.client().port(), "/experiment/client?type=ClientWithKubeResolver&n=600");
    Await.until(() -> servers.get(2).greeter().callsInFlight() > 0, "calls in flight on the pod");
    JsonArray endpoints = new JsonArray()
        .add(Slices.endpoint(servers.get(0), true, false))
        .add(Slices.endpoint(servers.get(1), true, false))
        .add(Slices.endpoint(servers.get(2), false, true));
    lab.publish(endpoints);
    Await.until(() -> channel.endpoints().size() == 2, "the terminating endpoint leaves the picker");
    JsonObject report = running.await(30, TimeUnit.SECONDS).body();
    assertEquals(0, report.getInteger("failed"), report.encode());
    assertEquals(600, report.getInteger("ok"));
    report = run(600);
    assertEquals(Set.of("127.0.0.20", "127.0.0.21"), report.getJsonObject("count_per_ip").fieldNames());
  }

  @Test
  void aPodKilledMidRunLosesNoCallsTheyAreRetried() throws Exception {
    servers.forEach(s -> s.greeter().delayMs(1_000)); // the kill must land while calls are in flight
    Future<Http.Answer> running = http.sendAsync(HttpMethod.GET, lab.client().port(), "/experiment/client?type=ClientWithKubeResolver&n=5000");
    Await.until(() -> servers.get(1).greeter().callsInFlight() > 100, "calls in flight on the pod");
    servers.get(1).kill().await(5, TimeUnit.SECONDS); // abrupt: its in-flight calls break
    JsonObject report = running.await(30, TimeUnit.SECONDS).body();
    assertEquals(0, report.getInteger("failed"), report.encode());
    assertEquals(5000, report.getInteger("ok"));
    assertTrue(report.getLong("retried") > 0, report.encode());
  }

  @Test
  void aWatchEndedByTheServerReconnectsAndSeesLaterChanges() throws Exception {
    api.closeWatches();
    lab.addGreeters(1, 20);
    lab.publish();
    Await.until(() -> channel.endpoints().size() == 4, "the change after the reconnect");
    JsonObject watch = status().getJsonObject("endpointslice_watch");
    assertTrue(watch.getInteger("reconnects") >= 1, watch.encode());
    assertEquals(1, watch.getInteger("lists"), "resumed from its resourceVersion, no relist");
  }

  @Test
  void anExpiredResourceVersionRelists() throws Exception {
    api.compact();
    api.closeWatches();
    Await.until(() -> status().getJsonObject("endpointslice_watch").getInteger("lists") >= 2, "a relist");
    lab.publish(servers.subList(0, 1));
    Await.until(() -> channel.endpoints().size() == 1, "changes after the relist");
    assertTrue(status().getJsonObject("endpointslice_watch").getString("last_error").contains("410"));
  }

  @Test
  void apiErrorsKeepTheLastGoodEndpoints() throws Exception {
    api.failNextRequests(4, 500);
    api.closeWatches();
    Await.until(() -> String.valueOf(status().getJsonObject("endpointslice_watch").getString("last_error")).contains("500"),
        "the 500 is reported");
    assertEquals(3, channel.endpoints().size(), "endpoints kept through API failures");
    assertEquals(3, run(300).getJsonObject("count_per_ip").size());
    lab.addGreeters(1, 20);
    lab.publish();
    Await.until(() -> channel.endpoints().size() == 4, "recovery after the errors");
  }

  @Test
  void aRefusedTokenIsExplainedInStatusAndA503() throws Exception {
    api.requireToken("rotated-elsewhere");
    api.closeWatches();
    Await.until(() -> "unauthorized".equals(status().getJsonObject("endpointslice_watch").getString("state")), "401 seen");
    assertTrue(status().getJsonObject("endpointslice_watch").getString("last_error").contains("HTTP 401"));
    Http.Answer answer = http.get(lab.client().port(), "/experiment/client?type=ClientWithKubeResolver&n=10");
    assertEquals(503, answer.status());
    assertTrue(answer.body().getString("error").contains("401"), answer.body().encode());
    assertEquals(200, http.get(lab.client().port(), "/experiment/client?type=ClientWithReuseConn&n=10").status(),
        "the other types keep working");

    Files.writeString(lab.tokenFile(), "rotated-elsewhere"); // the projected token rotates: picked up without restart
    Await.until(() -> "watching".equals(status().getJsonObject("endpointslice_watch").getString("state")), "recovered");
    assertEquals(200, http.get(lab.client().port(), "/experiment/client?type=ClientWithKubeResolver&n=10").status());
  }

  @Test
  void slicesOfOneServiceMergeAndAnEmptySliceIsFine() throws Exception {
    lab.addGreeters(2, 20);
    lab.publish(servers.subList(0, 3));
    api.apply(ApiResource.ENDPOINTSLICES, NS, Slices.slice("greeter-server-def", PORT, servers.subList(3, 5)));
    api.apply(ApiResource.ENDPOINTSLICES, NS, Slices.slice("greeter-server-ghi", PORT, (JsonArray) null));
    Await.until(() -> channel.endpoints().size() == 5, "5 endpoints from two slices");
    assertEquals(Set.of(100), Await.counts(run(500)));
    api.delete(ApiResource.ENDPOINTSLICES, NS, "greeter-server-def");
    Await.until(() -> channel.endpoints().size() == 3, "a deleted slice takes its endpoints along");
  }

  @Test
  void withNoReadyEndpointServingTerminatingOnesAreUsed() throws Exception {
    JsonArray endpoints = new JsonArray()
        .add(Slices.endpoint(servers.get(0), false, true))
        .add(Slices.endpoint(servers.get(1), false, false));
    lab.publish(endpoints);
    Await.until(() -> channel.endpoints().equals(List.of("127.0.0.20:" + PORT)), "fallback to the serving endpoint");
    assertTrue(status().getJsonObject("endpointslice_watch").getBoolean("fallback_to_terminating"));
    assertEquals(new JsonObject().put("127.0.0.20", 50), run(50).getJsonObject("count_per_ip"));
  }

  @Test
  void statusShowsTheServiceFromTheBridgeAndTheEndpoints() throws Exception {
    Await.until(() -> status().getJsonObject("bridge_service").getString("cluster_ip") != null, "the bridge imported the Service");
    JsonObject kube = status();
    assertEquals("10.96.0.10", kube.getJsonObject("bridge_service").getString("cluster_ip"));
    assertEquals(3, kube.getJsonArray("endpoints").size());
    assertTrue(kube.getJsonObject("endpointslice_watch").getBoolean("connected"));
    assertEquals(NS, kube.getString("namespace"));
  }

  @Test
  void theClientAsksTheApiForExactlyWhatItsRoleGrants() throws Exception {
    Await.until(() -> api.requestsSeen().size() >= 4, "list and watch of both resources");
    assertEquals(Set.of("list services", "watch services", "list endpointslices.discovery.k8s.io",
        "watch endpointslices.discovery.k8s.io"), api.requestsSeen());
  }

  JsonObject status() {
    return lab.kubeStatus();
  }
}

package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lab.grpclb.Await;
import lab.grpclb.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Local mode with {@code --zones a,b,c}: 3 pods, one per zone, the client in zone a; the EndpointSlice says so over
 * the control plane's real HTTPS, zone-aware routing keeps calls in zone a, round robin pays the cross-zone delay.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalZonesTest {
  static final int GRPC_PORT = 18411; // no other test uses it
  static final int DELAY_MS = 20;
  static final int CROSS_ZONE_MS = 50;

  TestClusters.Cluster lab;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", String.valueOf(DELAY_MS), "--zones", "a,b,c",
        "--cross-zone-ms", String.valueOf(CROSS_ZONE_MS));
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  /** Pod name to zone, as GET /cluster lists them. */
  Map<String, String> zones() throws Exception {
    Map<String, String> zones = new TreeMap<>();
    lab.pods().forEach(p -> zones.put(p.getString("name"), p.getString("zone")));
    return zones;
  }

  JsonObject slice() throws Exception {
    int apiPort = URI.create(lab.send(HttpMethod.GET, "/cluster").body().getString("control_plane")).getPort();
    Http.Answer slices = lab.api().get(apiPort, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
        + "?labelSelector=kubernetes.io/service-name%3Dgreeter-server");
    assertEquals(200, slices.status(), slices.body().encode());
    return slices.body().getJsonArray("items").getJsonObject(0);
  }

  @Test
  void podsTakeTheZonesInTurnAndTheSliceCarriesZoneAndHints() throws Exception {
    JsonObject cluster = lab.send(HttpMethod.GET, "/cluster").body();
    assertEquals(new JsonArray(List.of("a", "b", "c")), cluster.getJsonArray("zones"));
    assertEquals(CROSS_ZONE_MS, cluster.getInteger("cross_zone_ms"));
    assertEquals(List.of("a", "b", "c"), zones().values().stream().sorted().toList(), cluster.encode());
    for (Object e : slice().getJsonArray("endpoints")) {
      JsonObject endpoint = (JsonObject) e;
      String pod = endpoint.getJsonObject("targetRef").getString("name");
      assertEquals(zones().get(pod), endpoint.getString("zone"), endpoint.encode());
      assertEquals(new JsonObject().put("forZones", new JsonArray().add(new JsonObject().put("name", zones().get(pod)))),
          endpoint.getJsonObject("hints"), "PreferClose: each ready endpoint hinted for its own zone");
    }
    int apiPort = URI.create(cluster.getString("control_plane")).getPort();
    JsonObject service = lab.api().get(apiPort, "/api/v1/namespaces/default/services/greeter-server").body();
    assertEquals("PreferClose", service.getJsonObject("spec").getString("trafficDistribution"), service.encode());
  }

  @Test
  void aPodMovesZoneAndTheSliceFollows() throws Exception {
    String pod = zones().entrySet().stream().filter(z -> z.getValue().equals("c")).findFirst().orElseThrow().getKey();
    try {
      Http.Answer moved = lab.send(HttpMethod.POST, "/cluster/pods/" + pod + "/zone?zone=b");
      assertEquals(200, moved.status(), moved.body().encode());
      assertEquals("b", moved.body().getString("zone"));
      Await.until(() -> zoneInSlice(pod).equals("b"), "the EndpointSlice names zone b for " + pod);
      Http.Answer unknown = lab.send(HttpMethod.POST, "/cluster/pods/" + pod + "/zone?zone=x");
      assertEquals(400, unknown.status());
      assertTrue(unknown.body().encode().contains("a, b, c"), unknown.body().encode());
      Http.Answer missing = lab.send(HttpMethod.POST, "/cluster/pods/" + pod + "/zone");
      assertEquals(400, missing.status());
      assertTrue(missing.body().encode().contains("a, b, c, and is missing"), missing.body().encode());
      assertEquals(404, lab.send(HttpMethod.POST, "/cluster/pods/no-such-pod/zone?zone=a").status());
    } finally {
      assertEquals(200, lab.send(HttpMethod.POST, "/cluster/pods/" + pod + "/zone?zone=c").status());
    }
  }

  private String zoneInSlice(String pod) {
    try {
      return slice().getJsonArray("endpoints").stream().map(JsonObject.class::cast)
          .filter(e -> e.getJsonObject("targetRef").getString("name").equals(pod)).findFirst().orElseThrow()
          .getString("zone");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void zoneAwareKeepsCallsOnTheClientsZonesPod() throws Exception {
    String podInA = podIpInZone("a");
    JsonObject run = run("zone_aware=true&n=60");
    assertEquals(Map.of(podInA, 60), run.getJsonObject("count_per_ip").getMap(), run.encode());
  }

  @Test
  void roundRobinSpreadsAndItsCrossZoneCallsPayTwiceTheDelay() throws Exception {
    String podInA = podIpInZone("a");
    JsonObject run = run("n=60&concurrency=3"); // one call at a time per slot: latencies free of a burst's queueing
    JsonObject perPod = run.getJsonObject("per_endpoint");
    assertEquals(3, perPod.size(), run.encode());
    double local = perPod.getJsonObject(podInA).getDouble("p50");
    for (String ip : perPod.fieldNames()) {
      if (!ip.equals(podInA)) {
        double cross = perPod.getJsonObject(ip).getDouble("p50");
        assertTrue(cross >= local + 2 * CROSS_ZONE_MS * 0.9, "a cross-zone call pays 2 x " + CROSS_ZONE_MS
            + " ms more: " + ip + " p50 " + cross + " ms against " + local + " ms in zone; " + perPod.encode());
      }
    }
  }

  private String podIpInZone(String zone) throws Exception {
    return lab.pods().stream().filter(p -> zone.equals(p.getString("zone"))).findFirst().orElseThrow().getString("ip");
  }

  private JsonObject run(String query) throws Exception {
    Http.Answer answer = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithKubeResolver&" + query);
    assertEquals(200, answer.status(), answer.body().encode());
    return answer.body();
  }
}

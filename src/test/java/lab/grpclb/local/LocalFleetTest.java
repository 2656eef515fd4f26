package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import lab.grpclb.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Local mode with {@code --clients 5} over 3 pods: each client has its own connections, so the pods count 5
 * shared connections through the service address, 5 x 3 for ClientWithKubeResolver, and 5 with subsets of 1.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalFleetTest {
  static final int GRPC_PORT = 18412; // no other test uses it
  static final int CLIENTS = 5;
  static final int PODS = 3;
  static final int N = 100;

  TestClusters.Cluster lab;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", "10", "--clients", String.valueOf(CLIENTS), "--zones",
        "a,b");
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  JsonObject run(String query) throws Exception {
    Http.Answer answer = lab.send(HttpMethod.GET, "/experiment/client?n=" + N + "&" + query);
    assertEquals(200, answer.status(), answer.body().encode());
    JsonObject run = answer.body();
    assertEquals(N, run.getInteger("ok"), run.encode());
    assertEquals(CLIENTS, run.getInteger("clients"));
    List<JsonObject> perClient = run.getJsonArray("per_client").stream().map(JsonObject.class::cast).toList();
    assertEquals(CLIENTS, perClient.size(), run.encode());
    assertEquals(N, perClient.stream().mapToLong(c -> c.getLong("calls")).sum(), "per_client sums to n: " + run.encode());
    perClient.forEach(c -> assertEquals(N / CLIENTS, c.getLong("calls"), "call i goes to client i mod M: " + perClient));
    assertEquals(List.of("client-0", "client-1", "client-2", "client-3", "client-4"),
        perClient.stream().map(c -> c.getString("client_id")).toList());
    assertEquals(List.of("a", "b", "a", "b", "a"), perClient.stream().map(c -> c.getString("zone")).toList());
    assertNotNull(run.getDouble("load_max_over_mean"), run.encode());
    assertEquals(N, run.getJsonObject("count_per_ip").stream().mapToInt(e -> (Integer) e.getValue()).sum());
    return run;
  }

  static int connectionsOnPods(JsonObject run) {
    return run.getJsonObject("connections_per_pod").stream().mapToInt(e -> (Integer) e.getValue()).sum();
  }

  @Test
  void reuseConnGivesOneConnectionPerClientThroughTheService() throws Exception {
    JsonObject run = run("type=ClientWithReuseConn");
    assertEquals(CLIENTS, connectionsOnPods(run), "one shared connection per client: " + run.encode());
    Set<String> pods = new TreeSet<>(run.getJsonObject("count_per_ip").fieldNames());
    assertTrue(run.getJsonObject("connections_per_pod").stream().filter(e -> (Integer) e.getValue() > 0)
        .allMatch(e -> pods.contains(e.getKey())), "a pod with a connection served calls: " + run.encode());
  }

  @Test
  void kubeResolverGivesEveryClientAConnectionToEveryPod() throws Exception {
    JsonObject run = run("type=ClientWithKubeResolver");
    assertEquals(CLIENTS * PODS, connectionsOnPods(run), run.encode());
    assertTrue(run.getDouble("load_max_over_mean") <= 1.2, "round robin per client evens the pods: " + run.encode());
    assertEquals(new JsonObject().put("1", N), run.getJsonObject("attempts_per_call"),
        "every client's calls, one attempt each: " + run.encode());
  }

  @Test
  void zoneAwareRoutingKeepsMoreCallsInTheClientsZoneAndTheAnswerCountsThem() throws Exception {
    JsonObject spread = run("type=ClientWithKubeResolver&lb=round_robin");
    JsonObject local = run("type=ClientWithKubeResolver&lb=round_robin&zone_aware=true");
    for (JsonObject run : List.of(spread, local)) {
      assertEquals(N, run.getLong("calls_in_zone") + run.getLong("calls_cross_zone"), "every attempt counted once,"
          + " none retried at this load: " + run.encode());
    }
    // zones a, b, a, b, a for the clients, and the pods in turn: round robin keeps about half in zone, zone-aware
    // routing every call of zone a's clients (two pods there, for three clients of five) and part of zone b's
    assertTrue(local.getLong("calls_in_zone") > spread.getLong("calls_in_zone"), spread.encode() + "\n" + local.encode());
    assertTrue(local.getLong("calls_in_zone") >= N * 3 / CLIENTS, local.encode());
  }

  @Test
  void aTypeThatDialsTheServiceCannotTellItsZones() throws Exception {
    JsonObject run = run("type=ClientWithReuseConn");
    assertTrue(!run.containsKey("calls_in_zone") && !run.containsKey("calls_cross_zone"), run.encode());
  }

  @Test
  void subsetsOfOneGiveOneConnectionPerClient() throws Exception {
    JsonObject run = run("type=ClientWithKubeResolver&subset_size=1");
    assertEquals(CLIENTS, connectionsOnPods(run), run.encode());
  }

  @Test
  void clientsScaleAndGetClusterShowsConnectionsPerPod() throws Exception {
    try {
      Http.Answer two = lab.send(HttpMethod.POST, "/cluster/clients?replicas=2");
      assertEquals(200, two.status(), two.body().encode());
      assertEquals(2, two.body().getInteger("replicas"));
      Http.Answer run = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithReuseConn&n=10");
      assertEquals(2, run.body().getJsonArray("per_client").size(), run.body().encode());
      assertEquals(400, lab.send(HttpMethod.POST, "/cluster/clients?replicas=0").status());
      lab.pods().forEach(pod -> assertTrue(pod.getInteger("connections") >= 0, pod.encode()));
    } finally {
      assertEquals(200, lab.send(HttpMethod.POST, "/cluster/clients?replicas=" + CLIENTS).status());
    }
  }
}

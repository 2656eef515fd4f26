package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import lab.grpclb.Await;
import lab.grpclb.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /cluster/pods/NAME/health}: a pod turned NOT_SERVING stays listed ready (no drain, no probe yet), and
 * ClientWithKubeResolver, watching its health (gRFC A17), sends it nothing until it is SERVING again.
 */
@ExtendWith(VertxExtension.class)
class PodHealthRouteTest {
  static final int GRPC_PORT = 50157; // no other test uses it

  TestClusters.Cluster lab;

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  @Test
  void aPodTurnedNotServingStaysListedButGetsNoCallsUntilServingAgain(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--replicas", "2", "--delay-ms", "0");
    List<JsonObject> pods = lab.pods();
    String flipped = pods.get(0).getString("name");
    String flippedIp = pods.get(0).getString("ip");
    String otherIp = pods.get(1).getString("ip");
    assertEquals("SERVING", pods.get(0).getString("health"));

    Http.Answer out = lab.send(HttpMethod.POST, "/cluster/pods/" + flipped + "/health?status=NOT_SERVING");
    assertEquals(200, out.status(), out.body().encode());
    assertEquals("NOT_SERVING", out.body().getString("health"));
    JsonObject listed = lab.pods().get(0);
    assertEquals("NOT_SERVING", listed.getString("health"), listed.encode());
    assertTrue(listed.getBoolean("ready"), "no drain: its endpoint stays ready");
    Await.until(() -> "NOT_SERVING".equals(endpoint(flippedIp).getString("health")), "/status shows the flip");
    assertTrue(endpoint(flippedIp).getBoolean("connected"), "its connection stays open");
    JsonObject report = run();
    assertEquals(new JsonObject().put(otherIp, 200), report.getJsonObject("count_per_ip"), report.encode());

    assertEquals(200, lab.send(HttpMethod.POST, "/cluster/pods/" + flipped + "/health?status=SERVING").status());
    Await.until(() -> "SERVING".equals(endpoint(flippedIp).getString("health")), "/status shows it back");
    report = run();
    assertEquals(new JsonObject().put(flippedIp, 100).put(otherIp, 100), report.getJsonObject("count_per_ip"),
        report.encode());
  }

  @Test
  void theHealthControlNamesWhatItTakes(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--replicas", "1", "--delay-ms", "0");
    String pod = "/cluster/pods/" + lab.pods().get(0).getString("name") + "/health";
    String[][] bad = {
        {pod + "?status=DRAINING", "400", "status must be SERVING or NOT_SERVING, got 'DRAINING'"},
        {pod + "?status=serving", "400", "status must be SERVING or NOT_SERVING, got 'serving'"},
        {pod, "400", "status must be SERVING or NOT_SERVING, and is missing"},
        {pod + "?stauts=SERVING", "400", "unknown parameter 'stauts' (did you mean 'status'?); valid parameters: status"},
        {"/cluster/pods/no-such-pod/health?status=NOT_SERVING", "404", "no pod named 'no-such-pod'; live pods: "},
    };
    for (String[] c : bad) {
      Http.Answer answer = lab.send(HttpMethod.POST, c[0]);
      assertEquals(Integer.parseInt(c[1]), answer.status(), c[0] + ": " + answer.body().encode());
      assertTrue(answer.body().getString("error").contains(c[2]), c[0] + ": " + answer.body().encode());
    }
    Http.Answer get = lab.send(HttpMethod.GET, pod + "?status=SERVING");
    assertEquals(405, get.status());
    assertEquals("POST", get.headers().get("Allow"));
    assertEquals("SERVING", lab.pods().get(0).getString("health"), "no bad request changed it");
  }

  JsonObject run() throws Exception {
    Http.Answer answer = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithKubeResolver&n=200");
    assertEquals(200, answer.status(), answer.body().encode());
    assertEquals(0, answer.body().getInteger("failed"), answer.body().encode());
    return answer.body();
  }

  JsonObject endpoint(String ip) {
    try {
      return lab.send(HttpMethod.GET, "/status").body().getJsonObject("kubernetes").getJsonArray("endpoints").stream()
          .map(JsonObject.class::cast).filter(e -> ip.equals(e.getString("ip"))).findFirst().orElseThrow();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.LogLines;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.discovery.EndpointSliceWatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Deployment of 0 (gRPC port 50085, no other test uses it): {@code --replicas 0} starts as {@code scale?replicas=0}
 * is accepted, both refuse the same range in the same words, and a scale from 10 to 0 logs "no ready endpoint"
 * once, not once per endpoint that leaves meanwhile.
 */
@ExtendWith(VertxExtension.class)
class ZeroReplicasTest {
  static final int GRPC_PORT = 50085;

  static List<JsonObject> pods(Http http, int port) {
    try {
      return http.get(port, "/cluster").body().getJsonArray("pods").stream().map(JsonObject.class::cast).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theReplicasFlagTakesTheRangeTheScaleControlTakesNamedTheSameWay() {
    assertEquals(0, LocalConfig.from(Flags.parse(new String[] {"--replicas", "0"}, Map.of())).replicas());
    assertEquals(LocalConfig.MAX_REPLICAS, LocalConfig.from(Flags.parse(new String[] {"--replicas", "100"}, Map.of())).replicas());
    for (String bad : List.of("-1", "101")) {
      ConfigException refused = assertThrows(ConfigException.class,
          () -> LocalConfig.from(Flags.parse(new String[] {"--replicas", bad}, Map.of())));
      assertEquals("--replicas must be an integer from 0 to " + LocalConfig.MAX_REPLICAS + ", got '" + bad + "'",
          refused.getMessage());
    }
  }

  @Test
  void startsWithNoPodsScalesUpAndLogsTheFallbackOnceWhenScaledToZero(Vertx vertx) throws Exception {
    try (TestClusters.Cluster lab = TestClusters.start(vertx, GRPC_PORT, "--replicas", "0", "--delay-ms", "0");
        LogLines watch = LogLines.start(EndpointSliceWatch.class.getName())) {
      Http http = lab.http();
      int port = lab.port();
      JsonObject empty = http.get(port, "/cluster").body();
      assertEquals(0, empty.getInteger("replicas"), empty.encode());
      assertEquals(0, empty.getJsonArray("pods").size(), empty.encode());
      Http.Answer bad = http.send(HttpMethod.POST, port, "/cluster/scale?replicas=101");
      assertEquals("replicas must be an integer from 0 to " + LocalConfig.MAX_REPLICAS + ", got '101'",
          bad.body().getString("error"), "the flag's words, without the dashes");

      assertEquals(200, http.send(HttpMethod.POST, port, "/cluster/scale?replicas=10").status());
      Await.until(() -> TestClusters.kubeResolverPicks(http, port) == 10, "ClientWithKubeResolver picks the 10 pods");
      // one call in flight per pod, each pod 50 ms slower than the last: they drain one after the other
      List<String> names = pods(http, port).stream().map(p -> p.getString("name")).toList();
      for (int i = 0; i < names.size(); i++) {
        assertEquals(200, http.send(HttpMethod.POST, port, "/cluster/pods/" + names.get(i) + "/delay?ms=" + (200 + 50 * i)).status());
      }
      Future<Http.Answer> calls = http.sendAsync(HttpMethod.GET, port, "/experiment/client?type=ClientWithKubeResolver&n=10");
      Await.until(() -> pods(http, port).stream().allMatch(p -> p.getInteger("in_flight") == 1), "a call in flight on every pod");
      assertEquals(200, http.send(HttpMethod.POST, port, "/cluster/scale?replicas=0").status());
      assertEquals(10, calls.await(20, TimeUnit.SECONDS).body().getInteger("ok"), "the pods drained their calls");
      Await.until(() -> {
        try {
          return http.get(port, "/cluster").body().getJsonArray("pods").isEmpty() && watch.containing(") removed").size() == 10;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }, "every pod gone, and ClientWithKubeResolver saw the 10 endpoints go");
      List<String> fallback = watch.containing("no ready endpoint");
      assertEquals(1, fallback.size(), "one line when the fallback began: " + fallback);
    }
  }
}

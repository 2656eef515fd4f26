package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import lab.grpclb.Http;
import lab.grpclb.LogLines;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.LocalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Out of pod addresses (gRPC port 50084, no other test uses it): 100 pods each hold a call far longer than their
 * grace period, the Deployment scales to 1, and the 99 draining pods keep their addresses for the grace period
 * ({@link FlagTable#SERVER_DRAIN_TIMEOUT_MS}), leaving 98 of the 198. A scale to 100 then answered 500 "no free
 * pod IP left" and left the Deployment at 100 replicas with 98 pods for good (the user's case scaled to 0 first);
 * now it is a 409 naming the limit that changes nothing, a deletion whose replacement has no address says so
 * (answer and log), and once the draining pods are gone (their calls cancelled by DELETE /experiment) the
 * Deployment tops itself up.
 */
@ExtendWith(VertxExtension.class)
class PodAddressesTest {
  static final int GRPC_PORT = 50084;

  @Test
  void aScaleBeyondTheFreeAddressesIs409AndTheDeploymentTopsUpOnceAddressesFree(Vertx vertx) throws Exception {
    // every call outlasts the pods' grace period, so the draining pods hold their addresses for all of it
    try (TestClusters.Cluster lab = TestClusters.start(vertx, GRPC_PORT, "--replicas", "100", "--delay-ms", "600000",
        "--call-timeout-ms", "600000"); LogLines log = LogLines.start(LocalCluster.class.getName())) {
      Http http = lab.http();
      int port = lab.port();
      awaitCluster(http, port, c -> TestClusters.kubeResolverPicks(http, port) == 100, "ClientWithKubeResolver picks all 100 pods");
      Future<Http.Answer> calls = http.sendAsync(HttpMethod.GET, port, "/experiment/client?type=ClientWithKubeResolver&n=100");
      awaitCluster(http, port, c -> pods(c).stream().allMatch(p -> p.getInteger("in_flight") == 1), "a call in flight on every pod");

      // One pod stays (the first by name, as the Deployment removes from the end), 99 drain holding their addresses.
      assertEquals(200, http.send(HttpMethod.POST, port, "/cluster/scale?replicas=1").status());
      JsonObject draining = http.get(port, "/cluster").body();
      assertEquals(99, pods(draining).stream().filter(p -> p.getBoolean("terminating")).count(), draining.encode());
      String survivor = pods(draining).stream().filter(p -> !p.getBoolean("terminating")).findFirst().orElseThrow()
          .getString("name");

      Http.Answer refused = http.send(HttpMethod.POST, port, "/cluster/scale?replicas=100");
      assertEquals(409, refused.status(), refused.body().encode());
      String error = refused.body().getString("error");
      assertTrue(error.contains("99 new pods need 99 pod addresses and only 98 of the 198 (127.0.0.2-127.0.0.199) are free"),
          error);
      assertTrue(error.contains("(held: 99 by terminating pods still draining their calls, 1 by live pods)"), error);
      assertTrue(error.contains("the Deployment stays at 1 replicas. Scale to at most 99 now"), error);
      JsonObject unchanged = http.get(port, "/cluster").body();
      assertEquals(1, unchanged.getInteger("replicas"), "a refused scale changes nothing: " + unchanged.encode());
      assertEquals(100, pods(unchanged).size(), unchanged.encode());

      // Every address held: 98 new pods, then the survivor (its call still in flight) deleted: its replacement waits.
      assertEquals(200, http.send(HttpMethod.POST, port, "/cluster/scale?replicas=99").status());
      Http.Answer deleted = http.send(HttpMethod.DELETE, port, "/cluster/pods/" + survivor);
      assertEquals(202, deleted.status(), deleted.body().encode());
      assertNull(deleted.body().getJsonObject("replacement"), deleted.body().encode());
      assertTrue(deleted.body().getString("status").contains("no replacement yet: every one of the 198 pod addresses"),
          deleted.body().encode());
      JsonObject owed = http.get(port, "/cluster").body();
      assertEquals(99, owed.getInteger("replicas"), owed.encode());
      assertEquals(1, owed.getInteger("pods_waiting_for_address"), owed.encode());
      List<String> why = log.containing("waiting for a pod address");
      assertEquals(1, why.size(), log.lines().toString());
      assertTrue(why.get(0).startsWith("WARNING deployment greeter-server: 98 of 99 replicas, 1 waiting"), why.get(0));

      // The calls are cancelled, the draining pods go, and the Deployment starts the pod it owed.
      assertEquals(200, http.send(HttpMethod.DELETE, port, "/experiment").status());
      awaitCluster(http, port, c -> pods(c).stream().noneMatch(p -> p.getBoolean("terminating"))
          && pods(c).stream().filter(p -> p.getBoolean("ready")).count() == 99 && c.getInteger("pods_waiting_for_address") == 0,
          "99 ready pods again, none terminating, none owed");
      assertEquals(1, log.containing("a pod address freed up, starting a replacement").size(), log.lines().toString());
      Http.Answer topped = http.send(HttpMethod.POST, port, "/cluster/scale?replicas=" + LocalConfig.MAX_REPLICAS);
      assertEquals(200, topped.status(), topped.body().encode());
      assertEquals(100, pods(topped.body()).stream().filter(p -> p.getBoolean("ready")).count(), topped.body().encode());
      JsonObject stopped = calls.await(10, TimeUnit.SECONDS).body();
      assertEquals(true, stopped.getBoolean("interrupted"), stopped.encode());
    }
  }

  static List<JsonObject> pods(JsonObject cluster) {
    return cluster.getJsonArray("pods").stream().map(JsonObject.class::cast).toList();
  }

  /** Polls GET /cluster until {@code condition} holds, for twice the pods' grace period at most. */
  static void awaitCluster(Http http, int port, Predicate<JsonObject> condition, String what) throws Exception {
    long deadline = System.nanoTime() + 2L * FlagTable.SERVER_DRAIN_TIMEOUT_MS.defaultValue() * 1_000_000;
    JsonObject cluster = null;
    while (System.nanoTime() < deadline) {
      cluster = http.get(port, "/cluster").body();
      if (condition.test(cluster)) {
        return;
      }
      Thread.sleep(20); // the JUnit thread, never an event loop
    }
    throw new AssertionError("timed out waiting for " + what + "; last: " + (cluster == null ? null : cluster.encode()));
  }
}

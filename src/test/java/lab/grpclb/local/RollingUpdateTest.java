package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.SteadyCalls;
import lab.grpclb.config.ClientType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** POST /cluster/rollout in local mode, under steady calls: gRPC port 50116 (no other test uses it). */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollingUpdateTest {
  static final int GRPC_PORT = 50116;

  TestClusters.Cluster lab;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", "20");
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  boolean rolloutInProgress() {
    try {
      return lab.send(HttpMethod.GET, "/cluster").body().getBoolean("rollout_in_progress");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  Set<String> ips(Iterable<Object> pods) {
    Set<String> ips = new TreeSet<>();
    pods.forEach(p -> ips.add(((JsonObject) p).getString("ip")));
    return ips;
  }

  @Test
  void aRolloutUnderSteadyCallsFailsNothingAndGivesNewIps(Vertx vertx) throws Exception {
    Set<String> before = ips(lab.send(HttpMethod.GET, "/cluster").body().getJsonArray("pods"));
    assertEquals(3, before.size());
    SteadyCalls calls = SteadyCalls.start(vertx, lab.local().client().channel(ClientType.KUBE_RESOLVER), 40);
    Thread.sleep(200);

    Future<Http.Answer> rollout = lab.sendAsync(HttpMethod.POST, "/cluster/rollout?pre_stop_ms=300");
    Await.until(this::rolloutInProgress, "the rollout is under way");
    Http.Answer second = lab.send(HttpMethod.POST, "/cluster/rollout");
    assertEquals(409, second.status(), second.body().encode());
    assertTrue(second.body().getString("error").startsWith("a rollout of 3 pods is in progress"), second.body().encode());
    Http.Answer scale = lab.send(HttpMethod.POST, "/cluster/scale?replicas=5");
    assertEquals(409, scale.status(), scale.body().encode());

    Http.Answer done = rollout.await(60, TimeUnit.SECONDS);
    assertEquals(200, done.status(), done.body().encode());
    JsonObject body = done.body();
    assertEquals(1, body.getInteger("max_surge"), "25 % of 3, rounded up");
    assertEquals(0, body.getInteger("max_unavailable"), "25 % of 3, rounded down");
    assertEquals(before, ips(body.getJsonArray("old")));
    Set<String> after = ips(body.getJsonArray("new"));
    assertEquals(3, after.size(), body.encode());
    assertTrue(after.stream().noneMatch(before::contains), "new pods, new IPs: " + before + " -> " + after);
    assertEquals(after, ips(lab.send(HttpMethod.GET, "/cluster").body().getJsonArray("pods")), "the old pods are gone");

    Await.until(() -> after.stream().allMatch(ip -> calls.callsTo(ip) > 0), "every new pod serves calls");
    calls.stop();
    assertEquals(0, calls.failed(), calls.toString());
    assertEquals(200, lab.send(HttpMethod.POST, "/cluster/scale?replicas=3").status(), "scaling works again");
  }

  @Test
  void badParametersAre400NamingTheValidForms() throws Exception {
    for (String query : new String[] {"max_surge=abc", "max_surge=101", "max_unavailable=-1%25", "max_surge=", "pre_stop_ms=x"}) {
      Http.Answer answer = lab.send(HttpMethod.POST, "/cluster/rollout?" + query);
      assertEquals(400, answer.status(), query + ": " + answer.body().encode());
    }
    Http.Answer both = lab.send(HttpMethod.POST, "/cluster/rollout?max_surge=0&max_unavailable=0%25");
    assertEquals(400, both.status());
    assertTrue(both.body().getString("error").startsWith("max_surge and max_unavailable may not both be 0"));
    Http.Answer surge = lab.send(HttpMethod.POST, "/cluster/rollout?max_surge=abc");
    assertTrue(surge.body().getString("error").startsWith(
        "max_surge must be a pod count from 0 to 100 or a percentage from 0% to 100%"), surge.body().encode());
  }

  /** A Deployment's rounding: surge up, unavailable down, and 1 unavailable when both come to 0. */
  @Test
  void surgeRoundsUpAndUnavailableDown() {
    assertEquals(new RollingUpdate.Plan(3, 1, 0, 0), RollingUpdate.Plan.of(3, "25%", "25%", 0));
    assertEquals(new RollingUpdate.Plan(10, 3, 2, 0), RollingUpdate.Plan.of(10, "25%", "25%", 0));
    assertEquals(new RollingUpdate.Plan(1, 1, 0, 0), RollingUpdate.Plan.of(1, "25%", "25%", 0));
    assertEquals(new RollingUpdate.Plan(3, 0, 1, 0), RollingUpdate.Plan.of(3, "0", "25%", 0));
    assertEquals(new RollingUpdate.Plan(4, 2, 1, 0), RollingUpdate.Plan.of(4, "2", "1", 0));
    assertThrows(IllegalArgumentException.class, () -> RollingUpdate.Plan.of(3, "0%", "0", 0));
  }
}

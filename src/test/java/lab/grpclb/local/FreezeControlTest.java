package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
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
 * {@code POST /cluster/pods/NAME/freeze} and {@code unfreeze} in the local cluster (gRPC port 50161, no other test
 * uses it): a frozen pod stays listed ready for {@code noticed_ms} while today's client sends it calls that wait their
 * whole deadline; then it turns not ready and is replaced; unfrozen, it is ready again and the Deployment removes one.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FreezeControlTest {
  static final int GRPC_PORT = 50161;
  static final int DEADLINE_MS = 1_000;
  static final int NOTICED_MS = 3_000;

  TestClusters.Cluster cluster;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    cluster = TestClusters.start(vertx, GRPC_PORT, "--replicas", "3", "--delay-ms", "20",
        "--call-timeout-ms", String.valueOf(DEADLINE_MS));
  }

  @AfterAll
  void stop() throws Exception {
    cluster.close();
  }

  Http.Answer send(HttpMethod method, String uri) throws Exception {
    return cluster.send(method, uri);
  }

  List<JsonObject> pods() throws Exception {
    return send(HttpMethod.GET, "/cluster").body().getJsonArray("pods").stream().map(JsonObject.class::cast).toList();
  }

  JsonObject pod(String name) throws Exception {
    return pods().stream().filter(p -> p.getString("name").equals(name)).findFirst().orElse(null);
  }

  Set<String> readyIps() throws Exception {
    Set<String> ips = new TreeSet<>();
    pods().stream().filter(p -> p.getBoolean("ready")).forEach(p -> ips.add(p.getString("ip")));
    return ips;
  }

  JsonObject kubeRun(int n) throws Exception {
    Http.Answer answer = cluster.send(HttpMethod.GET, "/experiment/client?type=ClientWithKubeResolver&n=" + n);
    assertEquals(200, answer.status(), answer.body().encode());
    return answer.body();
  }

  @Test
  void aFrozenPodIsListedReadyUntilNoticedThenReplacedAndComesBackReadyWhenUnfrozen() throws Exception {
    assertEquals(200, send(HttpMethod.POST, "/cluster/scale?replicas=3").status());
    JsonObject victim = pods().get(0);
    String name = victim.getString("name");
    String ip = victim.getString("ip");
    assertFalse(victim.getBoolean("frozen"));
    assertNull(victim.getValue("frozen_since"));

    Instant before = Instant.now();
    Http.Answer frozen = send(HttpMethod.POST, "/cluster/pods/" + name + "/freeze?noticed_ms=" + NOTICED_MS);
    assertEquals(200, frozen.status(), frozen.body().encode());
    assertTrue(frozen.body().getBoolean("frozen"));
    assertEquals(NOTICED_MS, frozen.body().getInteger("noticed_ms"));
    assertFalse(Instant.parse(frozen.body().getString("frozen_since")).isBefore(before.minusSeconds(1)));
    assertEquals(409, send(HttpMethod.POST, "/cluster/pods/" + name + "/freeze").status(), "frozen already");
    JsonObject listed = pod(name);
    assertTrue(listed.getBoolean("frozen") && listed.getBoolean("ready"), "listed ready while not noticed: " + listed);

    // today's client trusts the listed pod: its share of the calls waits the whole deadline
    JsonObject run = kubeRun(30);
    assertEquals(10, run.getInteger("failed"), run.encode());
    assertEquals(10, run.getJsonObject("errors").stream().filter(e -> e.getKey().startsWith("DEADLINE_EXCEEDED"))
        .mapToInt(e -> (Integer) e.getValue()).sum(), run.encode());
    assertEquals(10, run.getJsonObject("per_endpoint").getJsonObject(ip).getInteger("errors"), run.encode());
    JsonObject sent = run.getJsonArray("timeline").getJsonObject(0).getJsonObject("sent_per_ip");
    assertEquals(10, sent.getInteger(ip, 0), "the timeline counts them in the second they left, though they "
        + "ended a deadline later: " + run.encode());
    JsonObject attempts = run.getJsonArray("timeline").getJsonObject(0).getJsonObject("attempts_per_ip");
    assertEquals(10, attempts.getInteger(ip, 0), "and so does its count of attempts: " + run.encode());

    long waited = waitUntil(() -> !pod(name).getBoolean("ready"), NOTICED_MS + 5_000, "the freeze is noticed");
    assertTrue(Instant.now().isAfter(before.plusMillis(NOTICED_MS)), "not before noticed_ms (" + waited + " ms)");
    waitUntil(() -> readyIps().size() == 3 && !readyIps().contains(ip), 10_000, "a replacement serves");
    assertTrue(pod(name).getBoolean("frozen"), "still frozen, and still listed, not ready: " + pod(name));
    waitUntil(() -> kubeRun(30).getInteger("failed") == 0, 5_000, "the client sends the lost pod nothing");

    Http.Answer thawed = send(HttpMethod.POST, "/cluster/pods/" + name + "/unfreeze");
    assertEquals(200, thawed.status(), thawed.body().encode());
    assertFalse(thawed.body().getBoolean("frozen"));
    assertNull(thawed.body().getValue("frozen_since"));
    assertTrue(thawed.body().getBoolean("ready"), "the endpoint is ready again: " + thawed.body().encode());
    waitUntil(() -> readyIps().size() == 3 && readyIps().contains(ip)
        && pods().stream().filter(p -> !p.getBoolean("terminating")).count() == 3, 10_000,
        "the Deployment is back at 3 replicas, the unfrozen pod one of them");
    assertEquals(409, send(HttpMethod.POST, "/cluster/pods/" + name + "/unfreeze").status(), "not frozen");
    // the client learns it from its EndpointSlice watch, then reconnects once its backoff from the freeze is over
    // (1 s, then 1.6 s...): the control plane's "ready" comes first
    waitUntil(() -> kubeRun(30).getJsonObject("count_per_ip").containsKey(ip), 5_000, "the unfrozen pod serves again");
    JsonObject after = kubeRun(30);
    assertEquals(0, after.getInteger("failed"), after.encode());
    assertEquals(10, after.getJsonObject("count_per_ip").getInteger(ip), "its share again: " + after.encode());
  }

  @Test
  void freezeAndUnfreezeAnswerClearErrors() throws Exception {
    assertEquals(200, send(HttpMethod.POST, "/cluster/scale?replicas=3").status());
    String name = pods().stream().filter(p -> p.getBoolean("ready")).findFirst().orElseThrow().getString("name");
    for (String bad : new String[] {"abc", "-1", "+5", "1.5", "3600001", ""}) {
      Http.Answer answer = send(HttpMethod.POST, "/cluster/pods/" + name + "/freeze?noticed_ms=" + bad);
      assertEquals(400, answer.status(), bad + ": " + answer.body().encode());
      assertTrue(answer.body().getString("error").contains("noticed_ms must be an integer from 0 to 3600000"),
          answer.body().encode());
    }
    Http.Answer unknown = send(HttpMethod.POST, "/cluster/pods/greeter-server-nope/freeze");
    assertEquals(404, unknown.status());
    assertTrue(unknown.body().getString("error").contains(name), "names the live pods: " + unknown.body().encode());
    assertEquals(404, send(HttpMethod.POST, "/cluster/pods/greeter-server-nope/unfreeze").status());
    assertEquals(400, send(HttpMethod.POST, "/cluster/pods/" + name + "/freeze?noticed=5").status(), "strict query");
    assertEquals(400, send(HttpMethod.POST, "/cluster/pods/" + name + "/unfreeze?noticed_ms=5").status());
    Http.Answer notFrozen = send(HttpMethod.POST, "/cluster/pods/" + name + "/unfreeze");
    assertEquals(409, notFrozen.status());
    assertTrue(notFrozen.body().getString("error").contains("is not frozen"), notFrozen.body().encode());
    assertEquals(202, send(HttpMethod.DELETE, "/cluster/pods/" + name).status());
    Http.Answer terminating = send(HttpMethod.POST, "/cluster/pods/" + name + "/freeze");
    if (pod(name) != null) { // it may have drained already
      assertEquals(409, terminating.status(), terminating.body().encode());
      assertTrue(terminating.body().getString("error").contains("not running"), terminating.body().encode());
    }
    assertFalse(pods().stream().anyMatch(p -> p.getBoolean("frozen")), "no refused freeze froze anything");
  }

  @Test
  void aFrozenPodDeletedOrKilledLeavesNothingFrozenAndALostPodIsNotReplacedTwice() throws Exception {
    assertEquals(200, send(HttpMethod.POST, "/cluster/scale?replicas=3").status());
    String lost = pods().get(0).getString("name");
    assertEquals(200, send(HttpMethod.POST, "/cluster/pods/" + lost + "/freeze?noticed_ms=0").status());
    waitUntil(() -> !pod(lost).getBoolean("ready") && readyIps().size() == 3, 10_000, "noticed and replaced");
    Http.Answer deleted = send(HttpMethod.DELETE, "/cluster/pods/" + lost);
    assertEquals(202, deleted.status(), deleted.body().encode());
    assertNull(deleted.body().getValue("replacement"), "replaced already: " + deleted.body().encode());
    waitUntil(() -> pod(lost) == null, 10_000, "the deleted frozen pod is gone");
    assertEquals(3, pods().size(), "no second replacement");

    String killed = pods().get(0).getString("name");
    assertEquals(200, send(HttpMethod.POST, "/cluster/pods/" + killed + "/freeze").status());
    Http.Answer kill = send(HttpMethod.POST, "/cluster/pods/" + killed + "/kill?noticed_ms=0");
    assertEquals(202, kill.status(), kill.body().encode());
    waitUntil(() -> pod(killed) == null && readyIps().size() == 3, 10_000, "the killed frozen pod is replaced once");
    assertEquals(3, pods().size());
    assertFalse(pods().stream().anyMatch(p -> p.getBoolean("frozen")));
  }

  interface Check {
    boolean holds() throws Exception;
  }

  /** Polls every 10 ms on the JUnit thread; returns how long it took. */
  static long waitUntil(Check check, long withinMs, String what) throws Exception {
    long started = System.nanoTime();
    while (!check.holds()) {
      long ms = (System.nanoTime() - started) / 1_000_000;
      if (ms > withinMs) {
        throw new AssertionError("not within " + withinMs + " ms: " + what);
      }
      Thread.sleep(10);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }
}

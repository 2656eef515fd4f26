package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.config.LocalConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code --mode local} end to end: pods on 127.0.0.2+ sharing gRPC port 50071 (no other test uses it), the
 * service address, the control plane, the experiment client, and the cluster controls on its HTTP port.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalModeTest {
  static final int GRPC_PORT = 50071;
  static final int DELAY_MS = 20;
  /** A watch delivers in milliseconds; the bound leaves room for a stalled machine and is far below any relist. */
  static final long VISIBLE_WITHIN_MS = 5_000;

  TestClusters.Cluster lab;
  Http http;
  int port;
  long startMs;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    long started = System.nanoTime();
    lab = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", String.valueOf(DELAY_MS));
    startMs = (System.nanoTime() - started) / 1_000_000;
    http = lab.http();
    port = lab.port();
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  /** Every test starts from the write-up's 3 ready replicas, already known to ClientWithKubeResolver. */
  @BeforeEach
  void threeReplicas() throws Exception {
    lab.scale(3);
    awaitOnlyReadyPods(3, 25_000);
    awaitKubeRoutesTo(lab.readyIps(), 10_000);
  }

  /**
   * Polls GET /cluster until it lists exactly {@code count} pods, all ready. A pod the last test scaled away can still
   * be draining: its drain waits up to 1 s for the client's PING ack, and a test that picked "a pod" from the list
   * then picked it (CI once: the slow pod was a terminating one, so no call of ClientWithKubeResolver met it).
   */
  void awaitOnlyReadyPods(int count, long withinMs) throws Exception {
    long started = System.nanoTime();
    while (true) {
      List<JsonObject> pods = lab.pods();
      if (pods.size() == count && pods.stream().allMatch(p -> p.getBoolean("ready"))) {
        return;
      }
      if ((System.nanoTime() - started) / 1_000_000 > withinMs) {
        throw new AssertionError("after " + withinMs + " ms the cluster lists " + pods + ", expected " + count
            + " ready pods and nothing else");
      }
      Thread.sleep(5); // the JUnit thread, never an event loop
    }
  }

  JsonObject run(String type, int n) throws Exception {
    Http.Answer answer = http.get(port, "/experiment/client?type=" + type + "&n=" + n);
    assertEquals(200, answer.status(), answer.body().encode());
    return answer.body();
  }

  Set<String> kubeTargets() throws Exception {
    Set<String> ips = new TreeSet<>();
    http.get(port, "/status").body().getJsonObject("types").getJsonObject("ClientWithKubeResolver")
        .getJsonArray("targets").forEach(t -> ips.add(String.valueOf(t).replaceFirst(":\\d+$", "")));
    return ips;
  }

  /** Polls GET /status until ClientWithKubeResolver routes to exactly these IPs; returns how long it took. */
  long awaitKubeRoutesTo(Set<String> ips, long withinMs) throws Exception {
    long started = System.nanoTime();
    while (true) {
      long ms = (System.nanoTime() - started) / 1_000_000;
      Set<String> routed = kubeTargets();
      if (routed.equals(ips)) {
        return ms;
      }
      if (ms > withinMs) {
        throw new AssertionError("ClientWithKubeResolver routes to " + routed + " after " + ms + " ms, expected " + ips);
      }
      Thread.sleep(5); // the JUnit thread, never an event loop
    }
  }

  @Test
  void startsAndServesAllThreeTypes() throws Exception {
    System.out.println("local cluster up in " + startMs + " ms"); // measured, not asserted: see the startup banner
    Set<String> ready = lab.readyIps();

    JsonObject reuse = run("ClientWithReuseConn", 300);
    assertEquals(300, reuse.getInteger("ok"), reuse.encode());
    assertEquals(1, reuse.getJsonObject("count_per_ip").size(), "one connection, one pod: " + reuse.encode());

    JsonObject kube = run("ClientWithKubeResolver", 300);
    assertEquals(ready, kube.getJsonObject("count_per_ip").fieldNames(), kube.encode());
    assertEquals(Set.of(100), Await.counts(kube), "an exact round robin: " + kube.encode());

    JsonObject client = run("Client", 300);
    assertEquals(300, client.getInteger("ok"), client.encode());
    assertTrue(client.getJsonObject("count_per_ip").size() >= 2,
        "a connection per call, a random pod per connection: " + client.encode());
    assertTrue(ready.containsAll(client.getJsonObject("count_per_ip").fieldNames()), client.encode());
  }

  @Test
  void clusterViewNamesPodsServiceAndAnAnonymouslyReadableControlPlane() throws Exception {
    JsonObject cluster = lab.send(HttpMethod.GET, "/cluster").body();
    assertEquals(3, cluster.getInteger("replicas"));
    assertEquals(LocalConfig.SERVICE_IP + ":" + GRPC_PORT, cluster.getString("service"));
    for (JsonObject pod : lab.pods()) {
      assertTrue(pod.getString("name").startsWith("greeter-server-"), pod.encode());
      for (String field : List.of("ip", "ready", "terminating", "calls", "in_flight", "delay_ms")) {
        assertTrue(pod.containsKey(field), field + " in " + pod.encode());
      }
      assertEquals(DELAY_MS, pod.getInteger("delay_ms"));
    }
    assertTrue(!cluster.containsKey("controlPlane"), "snake_case like every other key: " + cluster.encode());
    URI api = URI.create(cluster.getString("control_plane"));
    assertEquals("https", api.getScheme());
    Http.Answer slices = lab.api().get(api.getPort(), "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices");
    assertEquals(200, slices.status(), "anyone who trusts its CA reads without a token: " + slices.body());
    assertEquals("EndpointSliceList", slices.body().getString("kind"));
  }

  @Test
  void scaleIsVisibleToKubeResolverWithinOneSecond() throws Exception {
    Http.Answer up = lab.send(HttpMethod.POST, "/cluster/scale?replicas=5");
    assertEquals(200, up.status(), up.body().encode());
    assertEquals(5, up.body().getJsonArray("pods").stream()
        .filter(p -> ((JsonObject) p).getBoolean("ready")).count(), "answers once the new pods serve: " + up.body());
    assertTrue(awaitKubeRoutesTo(lab.readyIps(), VISIBLE_WITHIN_MS) <= VISIBLE_WITHIN_MS);
    assertEquals(Set.of(10), Await.counts(run("ClientWithKubeResolver", 50)));

    assertEquals(200, lab.send(HttpMethod.POST, "/cluster/scale?replicas=2").status());
    Set<String> two = lab.readyIps();
    assertEquals(2, two.size());
    awaitKubeRoutesTo(two, VISIBLE_WITHIN_MS);
    JsonObject report = run("ClientWithKubeResolver", 20);
    assertEquals(two, report.getJsonObject("count_per_ip").fieldNames(), report.encode());
  }

  /**
   * The user's case: {@code scale?replicas=30}, then at once a ClientWithKubeResolver run. The scale answered when the
   * pods served, before the client had connected to them: the run started on 3 endpoints, ended on 30, and spread
   * 65-408 calls per pod. Now the scale answers once the client picks exactly the ready pods, and says so.
   */
  @Test
  void aScaleAnswersOnceKubeResolverPicksTheNewPodsSoTheNextRunUsesThemAll() throws Exception {
    try {
      Http.Answer up = lab.send(HttpMethod.POST, "/cluster/scale?replicas=30");
      assertEquals(200, up.status(), up.body().encode());
      JsonObject client = up.body().getJsonObject("client");
      assertEquals("ClientWithKubeResolver", client.getString("type"), up.body().encode());
      assertTrue(client.getBoolean("picks_ready_pods"), client.encode());
      assertEquals(30, client.getJsonArray("endpoints").size(), client.encode());
      JsonObject report = run("ClientWithKubeResolver", 300);
      assertEquals(30, report.getJsonArray("endpoints_at_start").size(), report.encode());
      assertEquals(Set.of(10), Await.counts(report), "every pod from the first call on: " + report.encode());
    } finally {
      lab.send(HttpMethod.POST, "/cluster/scale?replicas=3");
    }
  }

  @Test
  void deleteAnswersWithTheReplacementAndKubeResolverSwitchesWithinOneSecond() throws Exception {
    JsonObject victim = lab.pods().get(0);
    Http.Answer deleted = lab.send(HttpMethod.DELETE, "/cluster/pods/" + victim.getString("name"));
    assertEquals(202, deleted.status(), deleted.body().encode());
    JsonObject replacement = deleted.body().getJsonObject("replacement");
    assertEquals(victim.getString("name"), deleted.body().getString("deleted"));
    assertNotEquals(victim.getString("name"), replacement.getString("name"));
    assertNotEquals(victim.getString("ip"), replacement.getString("ip"), "a replacement gets a new IP");
    assertTrue(replacement.getBoolean("ready"), replacement.encode());

    Set<String> expected = lab.readyIps();
    assertTrue(expected.contains(replacement.getString("ip")) && !expected.contains(victim.getString("ip")), expected.toString());
    awaitKubeRoutesTo(expected, VISIBLE_WITHIN_MS);
    JsonObject report = run("ClientWithKubeResolver", 30);
    assertEquals(expected, report.getJsonObject("count_per_ip").fieldNames(), report.encode());
  }

  @Test
  void killStopsThePodAtOnceKeepsItsEndpointReadyUntilNoticedThenReplacesIt() throws Exception {
    JsonObject victim = lab.pods().get(0);
    String ip = victim.getString("ip");
    long started = System.nanoTime();
    // 3 s listed (1 s by default): the checks below fit in it even on a stalled machine
    io.vertx.core.Future<Http.Answer> killed = http.sendAsync(HttpMethod.POST, port,
        "/cluster/pods/" + victim.getString("name") + "/kill?noticed_ms=3000");
    Await.until(() -> {
      try {
        return lab.pods().stream().anyMatch(p -> p.getString("ip").equals(ip) && p.getBoolean("crashed"));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "the victim is marked crashed");
    assertTrue(!killed.isComplete(), "answers only once the crash is noticed");
    JsonObject crashed = lab.pods().stream().filter(p -> p.getString("ip").equals(ip)).findFirst().orElseThrow();
    assertTrue(crashed.getBoolean("ready"), "still listed ready until the kubelet notices: " + crashed.encode());
    URI api = URI.create(lab.send(HttpMethod.GET, "/cluster").body().getString("control_plane"));
    String slices = lab.api().get(api.getPort(), "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices").body().encode();
    assertTrue(slices.contains("\"addresses\":[\"" + ip + "\"],\"conditions\":{\"ready\":true"), "endpoint still ready: " + slices);
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(ip, GRPC_PORT), 1_000);
      throw new AssertionError("the killed pod's server still accepts connections");
    } catch (java.net.ConnectException expected) {
      // the process is gone
    }

    Http.Answer answer = killed.await(10, TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(202, answer.status(), answer.body().encode());
    assertEquals(victim.getString("name"), answer.body().getString("killed"));
    assertTrue(tookMs >= 3_000, "the endpoint stayed for the notice delay: " + tookMs + " ms");
    assertEquals(3_000, answer.body().getInteger("noticed_ms"), answer.body().encode());
    JsonObject replacement = answer.body().getJsonObject("replacement");
    assertTrue(replacement.getBoolean("ready"), replacement.encode());
    Set<String> expected = lab.readyIps();
    assertEquals(3, expected.size());
    assertTrue(!expected.contains(ip) && expected.contains(replacement.getString("ip")), expected.toString());
    awaitKubeRoutesTo(expected, VISIBLE_WITHIN_MS);
    assertEquals(404, lab.send(HttpMethod.POST, "/cluster/pods/greeter-server-nope/kill").status());
    String live = replacement.getString("name");
    for (String bad : new String[] {"abc", "", "-1", "60001"}) {
      Http.Answer refused = lab.send(HttpMethod.POST, "/cluster/pods/" + live + "/kill?noticed_ms=" + bad);
      assertEquals(400, refused.status(), bad + ": " + refused.body().encode());
      assertTrue(refused.body().getString("error").startsWith("noticed_ms must be an integer from 0 to 60000"),
          refused.body().encode());
    }
    assertEquals(3, lab.readyIps().size(), "a refused kill kills nothing");
  }

  @Test
  void delayMakesOnePodSlowForKubeResolverAtOnce() throws Exception {
    JsonObject slow = lab.pods().get(0);
    Http.Answer answer = lab.send(HttpMethod.POST, "/cluster/pods/" + slow.getString("name") + "/delay?ms=300");
    assertEquals(200, answer.status(), answer.body().encode());
    assertEquals(300, answer.body().getInteger("delay_ms"));
    try {
      JsonObject report = run("ClientWithKubeResolver", 30);
      JsonObject latency = report.getJsonObject("latency_ms");
      assertTrue(latency.getDouble("max") >= 300, "the slow pod's calls: " + report.encode());
      assertTrue(latency.getDouble("p50") < 300, "the other pods stay fast: " + report.encode());
      assertEquals(10, report.getJsonObject("count_per_ip").getInteger(slow.getString("ip")),
          "round robin does not look at server state, as the write-up says");
    } finally {
      lab.send(HttpMethod.POST, "/cluster/pods/" + slow.getString("name") + "/delay?ms=" + DELAY_MS);
    }
  }

  @Test
  void badValuesGet400NamingTheRangeAndUnknownPods404NamingTheLiveOnes() throws Exception {
    for (String bad : List.of("-1", "101", "ten", "")) {
      Http.Answer answer = lab.send(HttpMethod.POST, "/cluster/scale?replicas=" + bad);
      assertEquals(400, answer.status(), bad);
      assertTrue(answer.body().getString("error").contains("replicas must be an integer from 0 to " + LocalConfig.MAX_REPLICAS),
          answer.body().encode());
    }
    assertEquals(400, lab.send(HttpMethod.POST, "/cluster/scale").status(), "replicas missing");
    String pod = lab.pods().get(0).getString("name");
    for (String bad : List.of("-5", "3600001", "slow")) {
      Http.Answer answer = lab.send(HttpMethod.POST, "/cluster/pods/" + pod + "/delay?ms=" + bad);
      assertEquals(400, answer.status(), bad);
      assertTrue(answer.body().getString("error").contains("ms must be an integer from 0 to 3600000"), answer.body().encode());
    }
    Http.Answer unknown = lab.send(HttpMethod.DELETE, "/cluster/pods/greeter-server-nope");
    assertEquals(404, unknown.status());
    assertTrue(unknown.body().getString("error").contains("no pod named 'greeter-server-nope'"), unknown.body().encode());
    assertTrue(unknown.body().getString("error").contains(pod), "names the live pods: " + unknown.body().encode());
    assertEquals(404, lab.send(HttpMethod.POST, "/cluster/pods/greeter-server-nope/delay?ms=5").status());
    assertEquals(3, lab.readyIps().size(), "bad requests changed nothing");
  }
}

package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import lab.grpclb.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster controls' bad requests: a wrong method is a 405 naming the right ones, an empty value a 400; the
 * errors control makes a pod fail the share of calls it is told to, and the capacity control makes it queue and
 * refuse.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterRoutesTest {
  static final int GRPC_PORT = 50077; // no other test uses it
  /** The pod template test's own cluster, which it scales (no other test uses it). */
  static final int TEMPLATE_GRPC_PORT = 50852;

  TestClusters.Cluster lab;
  String podName;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--replicas", "1", "--delay-ms", "0");
    podName = lab.pods().get(0).getString("name");
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  void assertMethodNotAllowed(HttpMethod method, String uri, String allowed) throws Exception {
    Http.Answer answer = lab.send(method, uri);
    assertEquals(405, answer.status(), method + " " + uri + ": " + answer.body().encode());
    assertEquals(allowed, answer.headers().get("Allow"), method + " " + uri);
    String path = uri.replaceFirst("\\?.*", "");
    assertEquals(method + " is not allowed on " + path + "; use " + allowed, answer.body().getString("error"));
  }

  @Test
  void aWrongMethodIs405WithAllowOnEveryClusterRouteAndUnknownPathsStay404() throws Exception {
    assertMethodNotAllowed(HttpMethod.POST, "/cluster", "GET");
    assertMethodNotAllowed(HttpMethod.DELETE, "/cluster", "GET");
    assertMethodNotAllowed(HttpMethod.GET, "/cluster/scale", "POST");
    assertMethodNotAllowed(HttpMethod.PUT, "/cluster/scale?replicas=2", "POST");
    assertMethodNotAllowed(HttpMethod.GET, "/cluster/pods/" + podName, "DELETE");
    assertMethodNotAllowed(HttpMethod.POST, "/cluster/pods/no-such-pod", "DELETE");
    assertMethodNotAllowed(HttpMethod.GET, "/cluster/pods/" + podName + "/delay", "POST");
    assertMethodNotAllowed(HttpMethod.DELETE, "/cluster/pods/" + podName + "/delay?ms=5", "POST");
    assertMethodNotAllowed(HttpMethod.GET, "/cluster/pods/" + podName + "/errors?rate=0.5", "POST");
    assertMethodNotAllowed(HttpMethod.GET, "/cluster/pods/" + podName + "/capacity?c=2", "POST");
    assertMethodNotAllowed(HttpMethod.GET, "/cluster/pod-template", "POST");
    assertMethodNotAllowed(HttpMethod.PUT, "/cluster/pod-template?c=2", "POST");
    assertEquals(1, lab.send(HttpMethod.GET, "/cluster").body().getInteger("replicas"), "no 405 changed the cluster");
    assertEquals(0, lab.send(HttpMethod.GET, "/cluster").body().getJsonArray("pods").getJsonObject(0).getInteger("delay_ms"));
    for (String path : new String[] {"/cluster/nodes", "/cluster/pods", "/cluster/pods/x/delay/more"}) {
      Http.Answer answer = lab.send(HttpMethod.POST, path);
      assertEquals(404, answer.status(), path + ": " + answer.body().encode());
      assertNull(answer.headers().get("Allow"), path);
      assertTrue(answer.body().getString("error").contains(path), answer.body().encode());
    }
  }

  @Test
  void theControlsReadTheirQueriesStrictly() throws Exception {
    String pod = "/cluster/pods/" + podName;
    String[][] cases = {
        {"/cluster/scale?replicas=+3", "replicas must be an integer from 0 to 100, got ' 3'"},
        {"/cluster/scale?replicas=%203", "got ' 3'"},
        {"/cluster/scale?replicas=2&replica=3", "unknown parameter 'replica' (did you mean 'replicas'?); valid"
            + " parameters: replicas"},
        {"/cluster/scale?replicas=2&replicas=3", "parameter 'replicas' is given 2 times"},
        {pod + "/delay?ms=5&ms=6", "parameter 'ms' is given 2 times"},
        {pod + "/errors?rate=1e-1", "rate must be a number from 0 to 1, got '1e-1'"},
        {pod + "/errors?rate=0.5&stauts=INTERNAL", "unknown parameter 'stauts' (did you mean 'status'?)"},
        {pod + "/kill?noticed=10", "unknown parameter 'noticed' (did you mean 'noticed_ms'?)"},
        {"/cluster/rollout?max_surge=%2025%25", "max_surge must be a pod count from 0 to 100 or a percentage"},
        {"/cluster/max-connection-age?ms=-1", "ms must be an integer from 0 to 3600000, got '-1'"},
    };
    for (String[] bad : cases) {
      Http.Answer answer = lab.send(HttpMethod.POST, bad[0]);
      assertEquals(400, answer.status(), bad[0] + ": " + answer.body().encode());
      assertTrue(answer.body().getString("error").contains(bad[1]), bad[0] + ": " + answer.body().encode());
    }
    Http.Answer deleted = lab.send(HttpMethod.DELETE, pod + "?force=true");
    assertEquals(400, deleted.status(), deleted.body().encode());
    assertEquals(400, lab.send(HttpMethod.GET, "/cluster?watch=true").status());
    assertEquals(1, lab.send(HttpMethod.GET, "/cluster").body().getInteger("replicas"), "no bad query changed the cluster");
    assertEquals(0, lab.send(HttpMethod.GET, "/cluster").body().getJsonArray("pods").getJsonObject(0).getInteger("delay_ms"));
  }

  /** POST /cluster/max-connection-age sets the age on every pod, and on pods started later; a bad value is a 400. */
  @Test
  void maxConnectionAgeReachesEveryPodIncludingLaterOnes() throws Exception {
    Http.Answer set = lab.send(HttpMethod.POST, "/cluster/max-connection-age?ms=60000&grace_ms=2000");
    assertEquals(200, set.status(), set.body().encode());
    assertEquals(60_000, set.body().getInteger("ms"));
    assertEquals(2_000, set.body().getInteger("grace_ms"));
    assertEquals(200, lab.send(HttpMethod.POST, "/cluster/scale?replicas=2").status());
    JsonObject cluster = lab.send(HttpMethod.GET, "/cluster").body();
    assertEquals(60_000, cluster.getJsonObject("max_connection_age").getInteger("ms"), cluster.encode());
    for (Object pod : cluster.getJsonArray("pods")) {
      assertEquals(60_000, ((JsonObject) pod).getInteger("max_connection_age_ms"), cluster.encode());
    }
    for (String bad : new String[] {"ms=-1", "ms=abc", "ms=", "", "ms=10&grace_ms=x"}) {
      Http.Answer answer = lab.send(HttpMethod.POST, "/cluster/max-connection-age?" + bad);
      assertEquals(400, answer.status(), bad + ": " + answer.body().encode());
      assertTrue(answer.body().getString("error").contains("must be an integer from 0 to 3600000"), answer.body().encode());
    }
    assertEquals(200, lab.send(HttpMethod.POST, "/cluster/max-connection-age?ms=0").status());
    assertEquals(200, lab.send(HttpMethod.POST, "/cluster/scale?replicas=1").status());
    assertEquals(0, lab.send(HttpMethod.GET, "/cluster").body().getJsonArray("pods").getJsonObject(0)
        .getInteger("max_connection_age_ms"));
  }

  /** These held before the 405s: a guard that every parameter treats empty as given, not as absent. */
  @Test
  void emptyValuesAreBadRequestsNamingTheParameter() throws Exception {
    for (String value : new String[] {"", "%20"}) {
      Http.Answer answer = lab.send(HttpMethod.POST, "/cluster/scale?replicas=" + value);
      assertEquals(400, answer.status(), answer.body().encode());
      assertTrue(answer.body().getString("error").startsWith("replicas must be an integer from 0 to 100"), answer.body().encode());
      answer = lab.send(HttpMethod.POST, "/cluster/pods/" + podName + "/delay?ms=" + value);
      assertEquals(400, answer.status(), answer.body().encode());
      assertTrue(answer.body().getString("error").startsWith("ms must be an integer from 0 to 3600000"), answer.body().encode());
    }
  }

  @Test
  void theErrorsControlRejectsABadRateOrStatusNamingTheValidValues() throws Exception {
    String base = "/cluster/pods/" + podName + "/errors";
    for (String rate : new String[] {"", "1.5", "-0.1", "half", "NaN"}) {
      Http.Answer answer = lab.send(HttpMethod.POST, base + "?rate=" + rate);
      assertEquals(400, answer.status(), rate + ": " + answer.body().encode());
      assertEquals("rate must be a number from 0 to 1, got '" + rate + "'", answer.body().getString("error"));
    }
    Http.Answer missing = lab.send(HttpMethod.POST, base);
    assertEquals("rate must be a number from 0 to 1, and is missing", missing.body().getString("error"));
    Http.Answer status = lab.send(HttpMethod.POST, base + "?rate=0.5&status=BROKEN");
    assertEquals(400, status.status());
    assertTrue(status.body().getString("error").startsWith("status must be one of CANCELLED, UNKNOWN, INVALID_ARGUMENT,"),
        status.body().encode());
    assertTrue(status.body().getString("error").endsWith(", got 'BROKEN'"), status.body().encode());
    assertEquals(0.0, lab.send(HttpMethod.GET, "/cluster").body().getJsonArray("pods").getJsonObject(0).getDouble("error_rate"),
        "no 400 changed the pod");
    assertEquals(404, lab.send(HttpMethod.POST, "/cluster/pods/no-such-pod/errors?rate=0.5").status());
  }

  @Test
  void aPodToldToFailHalfItsCallsFailsAboutHalfWithTheStatusGiven() throws Exception {
    String base = "/cluster/pods/" + podName + "/errors";
    Http.Answer set = lab.send(HttpMethod.POST, base + "?rate=0.5&status=unavailable");
    assertEquals(200, set.status(), set.body().encode());
    assertEquals(0.5, set.body().getDouble("error_rate"));
    assertEquals("UNAVAILABLE", set.body().getString("error_status"));
    try {
      JsonObject report = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithReuseConn&n=2000").body();
      int failed = report.getInteger("failed");
      assertTrue(Math.abs(failed - 1000) < 120, "about half of 2000 (binomial sd 22): " + report.encode());
      assertEquals(failed, report.getJsonObject("errors").getInteger("UNAVAILABLE: injected failure"), report.encode());

      lab.send(HttpMethod.POST, base + "?rate=1&status=RESOURCE_EXHAUSTED");
      report = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithReuseConn&n=100").body();
      assertEquals(100, report.getJsonObject("errors").getInteger("RESOURCE_EXHAUSTED: injected failure"), report.encode());
    } finally {
      assertEquals(0.0, lab.send(HttpMethod.POST, base + "?rate=0").body().getDouble("error_rate"), "rate=0 turns it off");
    }
    JsonObject healthy = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithReuseConn&n=100").body();
    assertEquals(0, healthy.getInteger("failed"), healthy.encode());
  }

  @Test
  void theCapacityControlRejectsABadValueNamingTheValidOnes() throws Exception {
    String base = "/cluster/pods/" + podName + "/capacity";
    String[][] cases = {
        {"?c=-1", "c must be an integer from 0 to 1000000 (--capacity; 0: unlimited), got '-1'"},
        {"?c=", "c must be an integer from 0 to 1000000"},
        {"", "c is missing: an integer from 0 to 1000000"},
        {"?c=2&service_time=gamma", "service_time must be one of fixed, exponential, lognormal, got 'gamma'"},
        {"?c=2&queue=x", "queue must be an integer from 0 to 1000000000 (--queue-limit), got 'x'"},
        {"?c=0&queue=5", "queue needs c above 0: with unlimited capacity no call ever waits"},
        {"?c=2&service_time=lognormal&sigma=0", "sigma must be lognormal's shape from 0.01 to 3"},
        {"?c=2&capcity=3", "unknown parameter 'capcity'"},
        {"?c=2&work=gpu", "work must be timer|cpu, got 'gpu'"},
        {"?c=0&work=cpu", "work cpu needs c above 0"},
    };
    for (String[] bad : cases) {
      Http.Answer answer = lab.send(HttpMethod.POST, base + bad[0]);
      assertEquals(400, answer.status(), bad[0] + ": " + answer.body().encode());
      assertTrue(answer.body().getString("error").contains(bad[1]), bad[0] + ": " + answer.body().encode());
    }
    assertEquals(404, lab.send(HttpMethod.POST, "/cluster/pods/no-such-pod/capacity?c=1").status());
    JsonObject capacity = lab.send(HttpMethod.GET, "/cluster").body().getJsonArray("pods").getJsonObject(0)
        .getJsonObject("capacity");
    assertEquals(0, capacity.getInteger("c"), "no 400 changed the pod: " + capacity.encode());
    assertEquals("fixed", capacity.getString("service_time"));
  }

  /** work=cpu on a running pod: its calls burn on one thread, one at a time, and c=0 puts the timer back. */
  @Test
  void aPodCanBeToldToBurnCpu() throws Exception {
    String pod = "/cluster/pods/" + podName;
    Http.Answer set = lab.send(HttpMethod.POST, pod + "/capacity?c=1&work=cpu");
    assertEquals(200, set.status(), set.body().encode());
    assertEquals("cpu", set.body().getJsonObject("capacity").getString("work"), set.body().encode());
    try {
      assertEquals(200, lab.send(HttpMethod.POST, pod + "/delay?ms=10").status());
      JsonObject report = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithReuseConn&n=4").body();
      assertEquals(4, report.getInteger("ok"), report.encode());
    } finally {
      assertEquals(200, lab.send(HttpMethod.POST, pod + "/delay?ms=0").status());
      JsonObject unlimited = lab.send(HttpMethod.POST, pod + "/capacity?c=0").body().getJsonObject("capacity");
      assertEquals("timer", unlimited.getString("work"), "c=0: unlimited, timers again");
    }
  }

  /** Capacity 1 and no queue: of 5 calls at once one is served and 4 refused, and GET /cluster counts them. */
  @Test
  void aPodGivenACapacityRefusesWhatItCannotQueue() throws Exception {
    String pod = "/cluster/pods/" + podName;
    Http.Answer set = lab.send(HttpMethod.POST, pod + "/capacity?c=1&queue=0&service_time=lognormal&sigma=0.25");
    assertEquals(200, set.status(), set.body().encode());
    JsonObject capacity = set.body().getJsonObject("capacity");
    assertEquals(1, capacity.getInteger("c"), set.body().encode());
    assertEquals(0, capacity.getInteger("queue"), set.body().encode());
    assertEquals("lognormal", capacity.getString("service_time"));
    assertEquals(0.25, capacity.getDouble("sigma"));
    try {
      assertEquals(200, lab.send(HttpMethod.POST, pod + "/delay?ms=500").status());
      JsonObject report = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithReuseConn&n=5").body();
      assertEquals(1, report.getInteger("ok"), report.encode());
      assertEquals(4, report.getJsonObject("errors").getInteger("RESOURCE_EXHAUSTED: queue full: 0 calls waiting for"
          + " the 1 in service (--queue-limit 0, --capacity 1)"), report.encode());
      JsonObject after = lab.send(HttpMethod.GET, "/cluster").body().getJsonArray("pods").getJsonObject(0)
          .getJsonObject("capacity");
      assertEquals(4, after.getInteger("refused"), after.encode());
      assertEquals(0, after.getInteger("in_service"), after.encode());
      assertEquals(0, after.getInteger("queue_length"), after.encode());
    } finally {
      assertEquals(200, lab.send(HttpMethod.POST, pod + "/delay?ms=0").status());
      JsonObject unlimited = lab.send(HttpMethod.POST, pod + "/capacity?c=0").body().getJsonObject("capacity");
      assertEquals(0, unlimited.getInteger("c"), "c=0: unlimited again");
      assertNull(unlimited.getValue("queue"), unlimited.encode());
    }
  }

  @Test
  void thePodTemplateRejectsABadValueNamingTheValidOnes() throws Exception {
    String[][] cases = {
        {"?warmup_ms=-1", "warmup_ms must be an integer from 0 to 3600000 (--warmup-ms), got '-1'"},
        {"?warmup_factor=0.5", "warmup_factor must be a cold pod's slowdown at start from 1 to 100"},
        {"?warmup_factor=2e1", "got '2e1'"},
        {"?c=2&service_time=gamma", "service_time must be one of fixed, exponential, lognormal, got 'gamma'"},
        {"?queue=5", "queue needs c above 0: with unlimited capacity no call ever waits"},
        {"?delay_ms=", "delay_ms must be an integer from 0 to 3600000 (--delay-ms), got ''"},
        {"?c=2&work=gpu", "work must be timer|cpu, got 'gpu'"},
        {"?work=cpu", "work cpu needs c above 0"},
        {"?warmup=5", "unknown parameter 'warmup' (did you mean 'warmup_ms'?); valid parameters: c, delay_ms, queue,"
            + " service_time, sigma, warmup_factor, warmup_ms, work"},
    };
    for (String[] bad : cases) {
      Http.Answer answer = lab.send(HttpMethod.POST, "/cluster/pod-template" + bad[0]);
      assertEquals(400, answer.status(), bad[0] + ": " + answer.body().encode());
      assertTrue(answer.body().getString("error").contains(bad[1]), bad[0] + ": " + answer.body().encode());
    }
    JsonObject template = lab.send(HttpMethod.GET, "/cluster").body().getJsonObject("pod_template");
    assertEquals(0, template.getInteger("warmup_ms"), "no 400 changed the template: " + template.encode());
    assertEquals(0, template.getInteger("c"), template.encode());
  }

  /**
   * The template reaches the pods started after it, and only those: a scale-up's pod starts cold with its capacity
   * and delay while the running pod keeps its own; a POST without parameters restores what local mode started with.
   */
  @Test
  void thePodTemplateGivesPodsStartedLaterTheirSettingsAndLeavesRunningOnesAlone(Vertx vertx) throws Exception {
    try (TestClusters.Cluster own = TestClusters.start(vertx, TEMPLATE_GRPC_PORT, "--replicas", "1", "--delay-ms", "3")) {
      String first = own.pods().get(0).getString("name");
      Http.Answer set = own.send(HttpMethod.POST,
          "/cluster/pod-template?warmup_ms=60000&warmup_factor=3.5&c=4&service_time=lognormal&sigma=0.25&delay_ms=20"
              + "&work=cpu");
      assertEquals(200, set.status(), set.body().encode());
      JsonObject expected = new JsonObject().put("delay_ms", 20).put("c", 4).putNull("queue")
          .put("service_time", "lognormal").put("sigma", 0.25).put("work", "cpu").put("warmup_ms", 60_000)
          .put("warmup_factor", 3.5);
      assertEquals(expected, set.body());
      assertEquals(expected, own.send(HttpMethod.GET, "/cluster").body().getJsonObject("pod_template"));
      own.scale(2);
      for (JsonObject pod : own.pods()) {
        boolean started = pod.getString("name").equals(first);
        assertEquals(started ? 3 : 20, pod.getInteger("delay_ms"), pod.encode());
        assertEquals(started ? 0 : 4, pod.getJsonObject("capacity").getInteger("c"), pod.encode());
        assertEquals(started ? "timer" : "cpu", pod.getJsonObject("capacity").getString("work"), pod.encode());
        assertEquals(started ? 0 : 60_000, pod.getInteger("warmup_ms"), pod.encode());
      }
      JsonObject restored = own.send(HttpMethod.POST, "/cluster/pod-template").body();
      assertEquals(new JsonObject().put("delay_ms", 3).put("c", 0).putNull("queue").put("service_time", "fixed")
          .putNull("sigma").put("work", "timer").put("warmup_ms", 0).put("warmup_factor", 5.0), restored, "the flags' template again");
    }
  }
}

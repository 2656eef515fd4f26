package lab.grpclb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.experiment.ReportJson;
import lab.grpclb.local.LocalMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hedging end to end (gRFC A6, issue 22): ClientWithKubeResolver in local mode, three pods listed ready, one of
 * which never answers in time (a 60 s delay against a 5 s deadline, as a frozen pod), set as a user would with
 * {@code POST /cluster/pods/NAME/delay}. With {@code --hedging-delay-ms 200}, a call stuck there goes to another
 * pod after 200 ms and the pod sees its attempt reset; a request's {@code hedging_delay_ms=0} shows what the same
 * pod costs without. Pods on gRPC port 50170 (no other test uses it).
 */
@ExtendWith(VertxExtension.class)
class HedgingTest {
  static final int N = 30;
  static final int CALL_TIMEOUT_MS = 5_000;

  Vertx vertx;
  LocalMode local;
  Http http;
  int port;
  String silent;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    String[] flags = {"--http-port", "0", "--api-port", "0", "--dns-port", "0", "--port", "50170", "--delay-ms", "20",
        "--call-timeout-ms", String.valueOf(CALL_TIMEOUT_MS), "--hedging-delay-ms", "200"};
    local = new LocalMode(vertx, LocalConfig.from(Flags.parse(flags, Map.of()))).start().await(10, TimeUnit.SECONDS);
    http = new Http(vertx);
    port = local.client().port();
    JsonObject pod = pods().getJsonObject(0);
    silent = pod.getString("ip");
    Http.Answer slowed = http.send(HttpMethod.POST, port, "/cluster/pods/" + pod.getString("name") + "/delay?ms=60000");
    assertEquals(200, slowed.status(), slowed.body().encode());
    GreeterChannel channel = local.client().channel(ClientType.KUBE_RESOLVER);
    Await.until(() -> channel.endpoints().size() == 3, "3 endpoints READY");
  }

  @AfterEach
  void stop() throws Exception {
    local.close().await(20, TimeUnit.SECONDS);
  }

  JsonArray pods() throws Exception {
    return http.get(port, "/cluster").body().getJsonArray("pods");
  }

  /** The silent pod's calls in flight, as {@code GET /cluster} shows them. */
  int silentInFlight() {
    try {
      JsonArray pods = pods();
      for (int i = 0; i < pods.size(); i++) {
        if (silent.equals(pods.getJsonObject(i).getString("ip"))) {
          return pods.getJsonObject(i).getInteger("in_flight");
        }
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError(silent + " left the cluster");
  }

  JsonObject run(String query) throws Exception {
    Http.Answer answer = http.get(port, "/experiment/client?type=ClientWithKubeResolver&n=" + N + query);
    assertEquals(200, answer.status(), answer.body().encode());
    return answer.body();
  }

  @Test
  void hedgingRescuesTheCallsStuckOnASilentPodAndCancelsTheirAttemptsThere() throws Exception {
    long started = System.nanoTime();
    JsonObject report = run("");
    assertEquals(0, report.getInteger("failed"), report.encode());
    assertEquals(N, report.getInteger("ok"));
    assertNull(report.getJsonObject("count_per_ip").getValue(silent), "the silent pod answered nothing");
    int won = report.getInteger("hedge_won");
    int hedged = report.getInteger("hedged");
    assertTrue(won > 0 && won <= hedged, "hedges answered the calls stuck on the silent pod: " + report.encode());
    assertEquals(0, report.getInteger("retries_throttled"));
    assertEquals(new JsonObject().put("1", N - hedged).put("2", hedged), report.getJsonObject("attempts_per_call"),
        "a hedged call made its 2 attempts, the others 1");
    assertTrue(report.getJsonObject("latency_ms").getDouble("max") < 2_000, "a hedge after 200 ms, not the deadline");
    Await.until(() -> silentInFlight() == 0, "the silent pod's attempts cancelled (RST_STREAM)");
    assertTrue((System.nanoTime() - started) / 1_000_000 < CALL_TIMEOUT_MS,
        "they ended before the deadline: the client reset them");

    ExperimentReport read = ReportJson.fromJson(report);
    assertEquals(won, read.channel().attempts().hedgeWon(), "the report parser reads the hedges back");
    JsonObject again = ReportJson.toJson(read);
    for (String field : List.of("hedging_delay_ms", "hedged", "hedge_won", "retries_throttled", "attempts_per_call",
        "attempts_per_call_mean")) {
      assertEquals(String.valueOf(report.getValue(field)), String.valueOf(again.getValue(field)), field + " read back");
    }
    assertEquals(won, metric("grpclb_balancer_hedges_won_total"));
    assertEquals(hedged, metric("grpclb_balancer_hedges_total"));
    assertEquals(hedged, metric("grpclb_balancer_calls_by_attempts_total\\{attempts=\"2\""));
  }

  @Test
  void withoutHedgingTheCallsOnTheSilentPodWaitOutTheirDeadline() throws Exception {
    JsonObject report = run("&hedging_delay_ms=0");
    int failed = report.getInteger("failed");
    assertTrue(failed > 0, "the silent pod's calls fail: " + report.encode());
    assertEquals(failed, report.getJsonObject("errors").getInteger("DEADLINE_EXCEEDED: no reply within "
        + CALL_TIMEOUT_MS + " ms (--call-timeout-ms)"), report.encode());
    assertEquals(0, report.getInteger("hedged"));
    assertEquals(0, report.getInteger("hedging_delay_ms"));
    assertFalse(report.getJsonObject("attempts_per_call").containsKey("2"));
  }

  @Test
  void aHedgingDelayMeansNothingForATypeThatSendsEachCallOnce() throws Exception {
    Http.Answer answer = http.get(port, "/experiment/client?type=ClientWithReuseConn&n=1&hedging_delay_ms=100");
    assertEquals(400, answer.status());
    assertTrue(answer.body().getString("error").startsWith("hedging_delay_ms means nothing for ClientWithReuseConn"),
        answer.body().encode());
  }

  /** A sample of the client's {@code /metrics} for ClientWithKubeResolver; {@code name} may carry more labels. */
  double metric(String name) throws Exception {
    HttpClient scraper = vertx.createHttpClient();
    String text = scraper.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
        .compose(req -> req.send().compose(resp -> resp.body())).await(5, TimeUnit.SECONDS).toString();
    scraper.close();
    Matcher sample = Pattern.compile("(?m)^" + name + "[^\\n]*type=\"ClientWithKubeResolver\"[^\\n]*} (\\S+)$")
        .matcher(text);
    assertTrue(sample.find(), name + " not in /metrics:\n" + text);
    return Double.parseDouble(sample.group(1));
  }
}

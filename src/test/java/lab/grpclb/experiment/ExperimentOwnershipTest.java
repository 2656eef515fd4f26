package lab.grpclb.experiment;

import lab.grpclb.mode.client.ClientMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.LogLines;
import lab.grpclb.TestLab;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.HostPort;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An experiment belongs to its request: a requester that goes away cancels its calls and frees the lab at once, and
 * {@code DELETE /experiment} ends a run whose requester gets the interrupted report. The pod answers after 2 s, so
 * every call the test sees in flight is still there when the requester leaves.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExperimentOwnershipTest {
  static final int DELAY_MS = 2_000;
  TestLab lab;
  GreeterServer pod;
  ClientMode client;
  Http http;
  HttpClient leaving;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestLab.direct(vertx).withGreeters("127.0.0.7", 1, 0, DELAY_MS)
        .withClient(c -> c.withMaxN(50_000).withMaxConnections(100)).start();
    pod = lab.servers().get(0);
    client = lab.client();
    http = lab.http();
    leaving = vertx.createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  /** Sends a GET whose connection the caller closes to walk away. */
  HttpClientRequest abandonable(int port, String uri) throws Exception {
    HttpClientRequest request = leaving.request(HttpMethod.GET, port, "127.0.0.1", uri).await(5, TimeUnit.SECONDS);
    request.send();
    return request;
  }

  @Test
  void aRequesterThatGoesAwayCancelsItsCallsAndFreesTheLabAtOnce() throws Exception {
    try (LogLines log = LogLines.start("lab.grpclb.experiment")) {
      HttpClientRequest abandoned = abandonable(client.port(), "/experiment/client?type=ClientWithReuseConn&n=2000");
      Await.until(() -> pod.greeter().callsInFlight() == 2000, "the 2 000 calls are in flight on the pod");
      long started = System.nanoTime();
      abandoned.connection().close();
      // cancelled, not answered: the pod would hold them for 2 s
      Await.until(() -> pod.greeter().callsInFlight() == 0, "the pod sees every call cancelled");
      assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(DELAY_MS),
          "the calls ended before the pod would have answered them");
      Http.Answer next = http.get(client.port(), "/experiment/client?type=ClientWithReuseConn&n=10");
      assertEquals(200, next.status(), next.body().encode());
      assertEquals(10, next.body().getInteger("ok"));
      assertTrue(log.lines().stream().anyMatch(l -> l.contains("requester went away (2000 calls sent in the current run)")
          && l.contains("the lab is free")), String.join("\n", log.lines()));
    }
  }

  @Test
  void deleteEndsTheRunningExperimentAndItsRequesterGetsTheInterruptedReport() throws Exception {
    Future<Http.Answer> running = http.sendAsync(HttpMethod.GET, client.port(),
        "/experiment/client?type=ClientWithReuseConn&rate=50&duration_s=60");
    Await.until(() -> pod.greeter().callsInFlight() > 10, "the open loop has calls in flight");
    JsonObject shown = http.get(client.port(), "/experiment").body().getJsonObject("running");
    assertEquals("open", shown.getJsonObject("shape").getString("kind"), shown.encode());

    Http.Answer stopped = http.send(HttpMethod.DELETE, client.port(), "/experiment");
    assertEquals(200, stopped.status(), stopped.body().encode());
    assertTrue(stopped.body().getInteger("calls_sent") > 10, stopped.body().encode());

    JsonObject report = running.await(10, TimeUnit.SECONDS).body();
    assertEquals(true, report.getBoolean("interrupted"), report.encode());
    assertEquals(3_000, report.getInteger("ok") + report.getInteger("failed"), "every call is counted");
    assertTrue(report.getJsonObject("errors").getInteger("CANCELLED: stopped by DELETE /experiment") > 2_900,
        report.encode());
    Await.until(() -> pod.greeter().callsInFlight() == 0, "the pod sees the calls in flight cancelled");

    Http.Answer nothing = http.send(HttpMethod.DELETE, client.port(), "/experiment");
    assertEquals(404, nothing.status());
    assertEquals("no experiment is running", nothing.body().getString("error"));
  }

  @Test
  void aStoppedSeriesAnswersWithTheRunsItHad() throws Exception {
    Future<Http.Answer> running = http.sendAsync(HttpMethod.GET, client.port(),
        "/experiment/client?type=ClientWithReuseConn&n=20&runs=3");
    Await.until(() -> pod.greeter().callsInFlight() == 20, "the first run's calls are in flight");
    assertEquals(200, http.send(HttpMethod.DELETE, client.port(), "/experiment").status());
    JsonObject report = running.await(10, TimeUnit.SECONDS).body();
    assertEquals(true, report.getBoolean("interrupted"), report.encode());
    JsonObject runs = report.getJsonObject("runs");
    assertEquals(1, runs.getInteger("count"), "one of the three runs ran: " + report.encode());
    assertEquals(1, runs.getJsonArray("elapsed_ms").size());
  }

  @Test
  void requestersThatWaitForALabBeingLetGoRunOneAfterTheOther() throws Exception {
    HttpClientRequest holder = abandonable(client.port(), "/experiment/client?type=ClientWithReuseConn&n=500");
    Await.until(() -> pod.greeter().callsInFlight() == 500, "the first experiment's calls are in flight");
    Future<Http.Answer> second = http.sendAsync(HttpMethod.GET, client.port(),
        "/experiment/client?type=ClientWithReuseConn&n=10");
    Future<Http.Answer> third = http.sendAsync(HttpMethod.GET, client.port(),
        "/experiment/client?type=ClientWithReuseConn&n=20");
    holder.connection().close(); // within the waiters' 1 s grace: they are asked again as it lets go
    List<Integer> statuses = new java.util.ArrayList<>();
    for (Future<Http.Answer> waiter : List.of(second, third)) {
      statuses.add(waiter.await(10, TimeUnit.SECONDS).status());
    }
    // one got the lab; the other found it held by a live experiment, and its grace had run out meanwhile
    assertEquals(List.of(200, 409), statuses.stream().sorted().toList(), statuses.toString());
  }

  @Test
  void aRequestThatLeavesOrIsStoppedDuringTheWarmUpLeavesNothingBehind(Vertx vertx) throws Exception {
    ClientMode warming = new ClientMode(vertx, ClientConfig.defaults().withHttp("127.0.0.1", 0)
        .withTarget(new HostPort("127.0.0.7", pod.port())).withMaxN(50_000).withCallTimeoutMs(10_000)
        .withMaxConnections(100).withMaxInFlight(20_000)).withJitWarmUp(30_000, () -> false);
    LogLines log = LogLines.start("lab.grpclb"); // before the start: the line that names the port comes early
    Future<ClientMode> started = warming.start();
    try (log) {
      // the port is bound before the warm-up: ask, then leave while it warms up
      Await.until(() -> log.lines().stream().anyMatch(l -> l.contains("wait for the JIT warm-up")), "the warm-up begins");
      int port = warmingPort(log);
      HttpClientRequest abandoned = abandonable(port, "/experiment/client?type=ClientWithReuseConn&n=1");
      awaitRunning(port);
      abandoned.connection().close();
      // asked at once, as a script that gave up does: the lab is free though the close may still be on its way
      Future<Http.Answer> stopped = http.sendAsync(HttpMethod.GET, port, "/experiment/client?type=ClientWithReuseConn&n=2");
      awaitRunning(port);
      assertTrue(log.lines().stream().anyMatch(l -> l.contains("requester went away before it started")),
          String.join("\n", log.lines()));
      Http.Answer deleted = http.send(HttpMethod.DELETE, port, "/experiment");
      assertEquals(200, deleted.status(), deleted.body().encode());
      assertEquals(0, deleted.body().getInteger("calls_sent"));
      Http.Answer refused = stopped.await(10, TimeUnit.SECONDS);
      assertEquals(503, refused.status(), refused.body().encode());
      assertEquals("experiment not started: stopped by DELETE /experiment", refused.body().getString("error"));

      Http.Answer next = http.get(port, "/experiment/client?type=ClientWithReuseConn&n=5");
      assertEquals(200, next.status(), next.body().encode());
      assertEquals(5, next.body().getInteger("ok"), "only the third experiment ran");
      assertTrue(log.lines().stream().noneMatch(l -> l.contains("experiment ClientWithReuseConn n=1 done")
          || l.contains("experiment ClientWithReuseConn n=2 done")), String.join("\n", log.lines()));
    } finally {
      started.await(30, TimeUnit.SECONDS).close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Until GET /experiment shows one running (or waiting for the warm-up). */
  void awaitRunning(int port) throws InterruptedException {
    Await.until(() -> {
      try {
        return http.get(port, "/experiment").body().getValue("running") != null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "an experiment holding the lab");
  }

  /** The warming client's port, from its line "http://127.0.0.1:PORT bound; ... wait for the JIT warm-up". */
  static int warmingPort(LogLines log) {
    String line = log.lines().stream().filter(l -> l.contains("wait for the JIT warm-up")).findFirst().orElseThrow();
    java.util.regex.Matcher port = java.util.regex.Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(line);
    assertTrue(port.find(), "the warm-up line names the port: " + line);
    return Integer.parseInt(port.group(1));
  }
}

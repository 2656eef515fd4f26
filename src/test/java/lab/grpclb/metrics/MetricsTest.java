package lab.grpclb.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.TestLab;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.ServiceTime;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GET /metrics scraped over HTTP from a real ClientWithKubeResolver (discovery through the control plane) and
 * real greeters on 127.0.0.140+: the per-pod counters agree with the report's count_per_ip.
 */
@ExtendWith(VertxExtension.class)
class MetricsTest {
  static final int PORT = 50140;
  static final String TOKEN = "m3trics";
  static final String KUBE = ClientType.KUBE_RESOLVER.wireName();

  TestLab lab;
  HttpClient scraper;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    lab = TestLab.kube(vertx).withToken(TOKEN).withService("10.96.0.10", PORT).withGreeters("127.0.0.140", 3, PORT, 50)
        .withClient().start();
    scraper = Scrape.client(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  Scrape scrapeClient() {
    return Scrape.of(scraper, "127.0.0.1", lab.client().port());
  }

  @Test
  void perPodCountersMatchTheReportDuringAndAfterARun() throws Exception {
    lab.servers().forEach(s -> s.greeter().delayMs(1_000)); // a window a stalled scrape cannot miss
    Future<Http.Answer> running = lab.http().sendAsync(HttpMethod.GET, lab.client().port(),
        "/experiment/client?type=" + KUBE + "&n=3000");
    Await.until(() -> {
      Double inFlight = scrapeClient().value("grpclb_client_calls_in_flight", "type", KUBE);
      return inFlight != null && inFlight > 0;
    }, "calls in flight seen during the run");
    Scrape during = scrapeClient();
    assertTrue(during.value("grpclb_balancer_endpoint_calls_in_flight", "type", KUBE, "pod_ip", "127.0.0.140") >= 0);

    JsonObject report = running.await(20, TimeUnit.SECONDS).body();
    JsonObject perIp = report.getJsonObject("count_per_ip");
    assertEquals(3, perIp.size(), report.encode());
    Scrape after = scrapeClient();
    for (String ip : perIp.fieldNames()) {
      assertEquals(perIp.getInteger(ip).doubleValue(),
          after.value("grpclb_client_calls_total", "type", KUBE, "pod_ip", ip, "status", "OK"), ip);
      assertEquals(perIp.getInteger(ip).doubleValue(),
          after.value("grpclb_client_call_duration_seconds_count", "type", KUBE, "pod_ip", ip), ip);
      assertEquals(perIp.getInteger(ip).doubleValue(), after.value("grpclb_client_call_duration_seconds_bucket",
          "type", KUBE, "pod_ip", ip, "le", "+Inf"), ip);
    }
    assertEquals(0.0, after.value("grpclb_client_calls_in_flight", "type", KUBE));
    assertEquals(3000.0, after.value("grpclb_balancer_picks_total", "type", KUBE, "lb", "round_robin"));
    assertEquals(3.0, after.value("grpclb_balancer_endpoints", "type", KUBE, "state", "READY"));
    assertEquals(3.0, after.value("grpclb_balancer_endpoint_conditions", "type", KUBE, "condition", "ready"));
    assertEquals(0.0, after.value("grpclb_balancer_endpoint_conditions", "type", KUBE, "condition", "terminating"));
    assertEquals(1.0, after.value("grpclb_experiment_runs_total", "type", KUBE));
    assertEquals(3000.0, after.value("grpclb_experiment_calls_total", "type", KUBE));
    assertEquals(0.0, after.value("grpclb_experiment_calls_failed_total", "type", KUBE));
    assertEquals(1.0, after.value("grpclb_watch_relists_total"));
    assertEquals(1.0, after.value("grpclb_watch_connected"));
    assertEquals(0.0, after.value("grpclb_watch_errors_total", "kind", "gone"));
  }

  @Test
  void aPodThatLeavesTheServiceTakesItsSeriesWithIt() throws Exception {
    assertEquals(200, lab.http().get(lab.client().port(), "/experiment/client?type=" + KUBE + "&n=30").status());
    assertEquals(10.0, scrapeClient().value("grpclb_client_calls_total", "type", KUBE, "pod_ip", "127.0.0.142"));
    lab.publish(lab.servers().subList(0, 2));
    Await.until(() -> scrapeClient().value("grpclb_client_calls_total", "type", KUBE, "pod_ip", "127.0.0.142") == null,
        "the removed pod's call series gone");
    Scrape after = scrapeClient();
    assertNull(after.value("grpclb_balancer_endpoint_calls_in_flight", "type", KUBE, "pod_ip", "127.0.0.142"));
    assertEquals(10.0, after.value("grpclb_client_calls_total", "type", KUBE, "pod_ip", "127.0.0.140"));
    assertEquals(2.0, after.value("grpclb_balancer_endpoints", "type", KUBE, "state", "READY"));
  }

  @Test
  void aPodThatSaysNotServingCountsAsTheBalancerSeesIt() throws Exception {
    GreeterServer pod = lab.servers().get(0);
    pod.health(ServingStatus.NOT_SERVING);
    try {
      Await.until(() -> Double.valueOf(1.0).equals(scrapeClient().value("grpclb_balancer_endpoints", "type", KUBE,
          "state", "TRANSIENT_FAILURE")), "the NOT_SERVING pod counted TRANSIENT_FAILURE, as the picker treats it");
      assertEquals(2.0, scrapeClient().value("grpclb_balancer_endpoints", "type", KUBE, "state", "READY"));
    } finally {
      pod.health(ServingStatus.SERVING);
    }
    Await.until(() -> Double.valueOf(3.0).equals(scrapeClient().value("grpclb_balancer_endpoints", "type", KUBE,
        "state", "READY")), "SERVING again: READY again");
  }

  @Test
  void aServerCountsTheCallsItServed() throws Exception {
    GreeterServer pod = lab.servers().get(0);
    HttpServer metrics = ServerMetrics.serve(lab.vertx(), pod, "127.0.0.140", 0).await(5, TimeUnit.SECONDS);
    JsonObject report = lab.http().get(lab.client().port(), "/experiment/client?type=" + KUBE + "&n=300").body();
    Scrape scrape = Scrape.of(scraper, "127.0.0.140", metrics.actualPort());
    assertEquals(report.getJsonObject("count_per_ip").getInteger("127.0.0.140").doubleValue(),
        scrape.value("grpclb_server_calls_served_total", "pod_ip", "127.0.0.140"));
    assertEquals(0.0, scrape.value("grpclb_server_calls_in_flight", "pod_ip", "127.0.0.140"));
    assertEquals(0.0, scrape.value("grpclb_server_draining", "pod_ip", "127.0.0.140"));

    RuntimeException taken = assertThrows(RuntimeException.class,
        () -> ServerMetrics.serve(lab.vertx(), pod, "127.0.0.140", metrics.actualPort()).await(5, TimeUnit.SECONDS));
    assertTrue(taken.getMessage().contains("--metrics-port"), taken.getMessage());
    metrics.close().await(5, TimeUnit.SECONDS);
  }

  /** A pod given capacity 1 and no queue: of the 10 calls round robin sends it at once, it serves 1 and refuses 9. */
  @Test
  void aServerWithACapacityPublishesItsLoad() throws Exception {
    GreeterServer pod = lab.servers().get(0);
    pod.greeter().delayMs(200);
    pod.capacity(new Capacity(1, 0, ServiceTime.FIXED)).await(5, TimeUnit.SECONDS);
    HttpServer metrics = ServerMetrics.serve(lab.vertx(), pod, "127.0.0.140", 0).await(5, TimeUnit.SECONDS);
    Scrape before = Scrape.of(scraper, "127.0.0.140", metrics.actualPort());
    assertEquals(1.0, before.value("grpclb_server_capacity", "pod_ip", "127.0.0.140"));
    assertEquals(0.0, before.value("grpclb_server_utilization", "pod_ip", "127.0.0.140"));
    JsonObject report = lab.http().get(lab.client().port(), "/experiment/client?type=" + KUBE + "&n=30").body();
    assertEquals(9, report.getJsonObject("errors").getInteger("RESOURCE_EXHAUSTED: queue full: 0 calls waiting for the 1"
        + " in service (--queue-limit 0, --capacity 1)"), report.encode());
    Scrape after = Scrape.of(scraper, "127.0.0.140", metrics.actualPort());
    assertEquals(9.0, after.value("grpclb_server_calls_refused_total", "pod_ip", "127.0.0.140"));
    assertEquals(0.0, after.value("grpclb_server_calls_in_service", "pod_ip", "127.0.0.140"));
    assertEquals(0.0, after.value("grpclb_server_queue_length", "pod_ip", "127.0.0.140"));
    assertEquals(0.0, after.value("grpclb_server_queue_wait_p99_seconds", "pod_ip", "127.0.0.140"), "no call waited");
    metrics.close().await(5, TimeUnit.SECONDS);
  }
}

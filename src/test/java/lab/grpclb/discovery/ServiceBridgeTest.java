package lab.grpclb.discovery;

import static lab.grpclb.TestLab.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.LogCapture;
import lab.grpclb.TestLab;
import lab.grpclb.config.KubeConfig;
import lab.grpclb.local.ControlPlane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Vert.x bridge behind its guard, against the control plane over real HTTP: after a compaction it relists
 * once instead of re-watching an expired resourceVersion in a loop, upstream errors make it back off, its records
 * survive, and nothing logs a stack trace.
 */
@ExtendWith(VertxExtension.class)
class ServiceBridgeTest {
  static final String TOKEN = "s3cret";

  Vertx vertx;
  TestLab lab;
  ControlPlane api;
  KubeApiClient client;
  ServiceBridge bridge;
  ServiceDiscovery discovery;
  LogCapture logs;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void stop() throws Exception {
    if (logs != null) {
      logs.close();
    }
    if (discovery != null) {
      discovery.close();
    }
    if (bridge != null) {
      bridge.close().await(5, TimeUnit.SECONDS);
    }
    if (client != null) {
      client.close().await(5, TimeUnit.SECONDS);
    }
    if (lab != null) {
      lab.close();
    }
  }

  /** The control plane requiring the token, the Service on 10.96.0.9; over TLS with this certificate, if any. */
  void controlPlane(SelfSignedCertificate certificate) throws Exception {
    lab = TestLab.kube(vertx).withToken(TOKEN).withService("10.96.0.9", 50051).withTls(certificate).start();
    api = lab.api();
    client = new KubeApiClient(vertx, lab.kubeConfig());
  }

  void applyService(String clusterIp) {
    lab.applyService(clusterIp);
  }

  void plainControlPlane() throws Exception {
    controlPlane(null);
  }

  /** The bridge, imported and its watch streaming (a change came through); an empty environment, as outside a pod. */
  void startBridge() throws Exception {
    discovery = ServiceDiscovery.create(vertx);
    bridge = new ServiceBridge(vertx, client, discovery, Map.of());
    bridge.start();
    Await.until(() -> "10.96.0.9".equals(service().getString("cluster_ip")), "the bridge imported the Service");
    Await.until(() -> api.openWatches() == 1, "the bridge watches services");
    applyService("10.96.0.10");
    Await.until(() -> "10.96.0.10".equals(service().getString("cluster_ip")), "the bridge's watch streams");
    logs = LogCapture.start();
  }

  JsonObject service() {
    return bridge.service().await();
  }

  JsonObject guard() {
    return service().getJsonObject("guard");
  }

  @Test
  void afterACompactionTheBridgeRelistsOnceInsteadOfLoopingOn410() throws Exception {
    plainControlPlane();
    startBridge();
    long listsBefore = guard().getLong("lists");
    api.faults().compact();
    api.faults().dropWatches();
    Await.until(() -> guard().getLong("lists") > listsBefore && api.openWatches() == 1, "the bridge relisted and watches again");

    long expired = api.faults().counts().expiredAnswered();
    assertTrue(expired >= 1 && expired <= 3, "410s answered by the API server: " + expired + ", guard " + guard());
    assertEquals(expired, guard().getLong("expired_answered"), guard().encode());
    assertEquals(expired, guard().getLong("error_events_stripped"), guard().encode());
    assertEquals("10.96.0.10", service().getString("cluster_ip"), "the record survives: " + service());
    applyService("10.96.0.12");
    Await.until(() -> "10.96.0.12".equals(service().getString("cluster_ip")), "the new watch delivers a change");
    assertEquals(List.of(), logs.lines(), "nothing logged a warning or a stack trace");
  }

  @Test
  void anUpstreamFailureIsANon200AnswerSoTheBridgeBacksOffAndRecovers() throws Exception {
    plainControlPlane();
    startBridge();
    long listsBefore = guard().getLong("lists");
    api.faults().failNext(1, 500);
    api.faults().dropWatches();
    Await.until(() -> guard().getLong("lists") > listsBefore && api.openWatches() == 1, "the bridge relisted and watches again");
    assertEquals(1, guard().getLong("failures_answered"), guard().encode());
    assertEquals(1, api.faults().counts().failuresAnswered());
    assertEquals("10.96.0.10", service().getString("cluster_ip"));
    assertEquals(List.of(), logs.lines(), "nothing logged a warning or a stack trace");
  }

  @Test
  void overTlsTheBridgesTrafficIsVerifiedAgainstTheCa() throws Exception {
    SelfSignedCertificate apiCertificate = SelfSignedCertificate.create("localhost");
    SelfSignedCertificate someOtherCa = SelfSignedCertificate.create("localhost");
    try {
      controlPlane(apiCertificate);
      KubeApiClient suspicious = new KubeApiClient(vertx, lab.kubeConfig(someOtherCa.certificatePath()));
      ServiceDiscovery refusedDiscovery = ServiceDiscovery.create(vertx);
      ServiceBridge refused = new ServiceBridge(vertx, suspicious, refusedDiscovery, Map.of());
      refused.start();
      Await.until(() -> refused.service().await().getString("error", "").contains("could not import"), "the untrusted API is refused");
      assertTrue(api.requestsSeen().isEmpty(), "nothing reached the API server unverified: " + api.requestsSeen());
      refusedDiscovery.close(); // one Vert.x instance: the bridges share their record registry
      refused.close().await(5, TimeUnit.SECONDS);
      suspicious.close().await(5, TimeUnit.SECONDS);

      startBridge();
      assertEquals(Set.of("list services", "watch services"), api.requestsSeen());
      assertEquals(List.of(), logs.lines(), "nothing logged a warning or a stack trace");
    } finally {
      apiCertificate.delete();
      someOtherCa.delete();
    }
  }

  @Test
  void theGuardForwardsOnlyTheBridgesServiceListAndWatch() throws Exception {
    plainControlPlane();
    BridgeGuard guard = new BridgeGuard(vertx, client);
    int port = guard.listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
    HttpClient http = vertx.createHttpClient();
    try {
      String services = "/api/v1/namespaces/" + NS + "/services";
      assertEquals(401, status(http, port, HttpMethod.GET, services, "Bearer " + TOKEN), "the real token is not the guard's");
      assertEquals(403, status(http, port, HttpMethod.DELETE, services, "Bearer " + guard.token()));
      assertEquals(404, status(http, port, HttpMethod.GET, "/apis/discovery.k8s.io/v1/namespaces/" + NS + "/endpointslices", "Bearer " + guard.token()));
      assertEquals(200, status(http, port, HttpMethod.GET, services, "Bearer " + guard.token()));
      assertEquals(new BridgeGuard.GuardedRequests(1, 0, 0, 0, 0, 3), guard.counts());
    } finally {
      http.close().await(5, TimeUnit.SECONDS);
      guard.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void inAPodTheBridgeWouldBypassItsGuardSoItStaysOffAndSaysWhy() throws Exception {
    KubeConfig config = new KubeConfig(URI.create("https://10.96.0.1:443"), "t", "ca", NS, "greeter-server", "grpc");
    assertEquals(0, ServiceBridge.guardPort(Map.of(), config), "outside a pod: any free port");
    assertEquals(50079, ServiceBridge.guardPort(Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", "50079"), config),
        "the pod spec points the bridge at its guard");
    IllegalStateException bypass = assertThrows(IllegalStateException.class, () -> ServiceBridge.guardPort(
        Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"), config));
    assertTrue(bypass.getMessage().contains("KUBERNETES_SERVICE_HOST=127.0.0.1"), bypass.getMessage());
    KubeConfig defaulted = new KubeConfig(URI.create("https://127.0.0.1:50079"), "t", "ca", NS, "greeter-server", "grpc");
    assertThrows(IllegalStateException.class, () -> ServiceBridge.guardPort(
        Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", "50079"), defaulted), "--kube-api would loop into the guard");

    plainControlPlane();
    discovery = ServiceDiscovery.create(vertx);
    bridge = new ServiceBridge(vertx, client, discovery,
        Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"));
    bridge.start();
    assertTrue(service().getString("error").contains("bypass its guard"), service().encode());
    assertTrue(api.requestsSeen().isEmpty(), "the bridge never started: " + api.requestsSeen());
  }

  static int status(HttpClient http, int port, HttpMethod method, String uri, String authorization) throws Exception {
    return http.request(new RequestOptions().setMethod(method).setPort(port).setHost("127.0.0.1").setURI(uri)
            .putHeader("Authorization", authorization))
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
        .await(5, TimeUnit.SECONDS);
  }
}

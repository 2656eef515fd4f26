package lab.grpclb.experiment;

import lab.grpclb.mode.client.ClientMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.Http;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.HostPort;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Three real greeters on 127.0.0.2-4, the experiment client aimed at the first, real HTTP requests. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExperimentClientTest {
  static final int DELAY_MS = 20;
  List<GreeterServer> servers;
  ClientMode client;
  Http http;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    servers = Greeters.start(vertx, 3, DELAY_MS);
    HostPort target = new HostPort("127.0.0.2", servers.get(0).port());
    client = new ClientMode(vertx, ClientConfig.defaults().withHttp("127.0.0.1", 0).withTarget(target)
        .withCallTimeoutMs(10_000).withMaxConnections(500).withMaxInFlight(20_000))
        .start().await(10, TimeUnit.SECONDS);
    http = new Http(vertx);
  }

  @AfterAll
  void stop() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
    Greeters.stopAll(servers);
  }

  JsonObject run(String type, int n) throws Exception {
    Http.Answer answer = http.get(client.port(), "/experiment/client?type=" + type + "&n=" + n);
    assertEquals(200, answer.status(), answer.body().encode());
    return answer.body();
  }

  @Test
  void reuseConnSendsEveryCallToTheOnePodItsConnectionReached() throws Exception {
    JsonObject report = run("ClientWithReuseConn", 2000);
    assertEquals(new JsonObject().put("127.0.0.2", 2000), report.getJsonObject("count_per_ip"));
    assertEquals(2000, report.getInteger("ok"));
    assertEquals(0, report.getInteger("failed"));
    assertEquals(1, report.getInteger("connections"));
    assertEquals(2000, report.getInteger("in_flight_cap"));
    assertEquals(0, report.getInteger("calls_waited"));
    assertTrue(report.getJsonObject("latency_ms").getDouble("p50") >= DELAY_MS, report.encode());
    assertTrue(report.getString("time").endsWith("ms") || report.getString("time").endsWith("s"));
    long gcMs = report.getLong("client_gc_ms");
    assertTrue(gcMs >= 0 && gcMs <= report.getDouble("elapsed_ms") + 1, "collection time within the run: " + report.encode());
  }

  @Test
  void clientOpensOneConnectionPerCallWithinTheBound() throws Exception {
    JsonObject report = run("Client", 2000);
    assertEquals(2000, report.getInteger("ok"), report.encode());
    assertEquals(0, report.getInteger("failed"));
    assertEquals(new JsonObject().put("127.0.0.2", 2000), report.getJsonObject("count_per_ip"));
    assertEquals(2000, report.getInteger("connections"));
    assertEquals(500, report.getInteger("max_open_connections"));
    assertTrue(report.getInteger("max_in_flight") <= 500, report.encode());
    assertEquals(1500, report.getInteger("calls_waited"), "all but the first 500 waited for a connection slot");
    assertTrue(report.getJsonObject("latency_ms").getDouble("p50") >= DELAY_MS, report.encode());
    assertEquals(0, client.channel(ClientType.CLIENT).connectionsOpen(), "every per-call connection was closed");
  }

  @Test
  void upToTenThousandCallsAreAllInFlightAtOnce(Vertx vertx) throws Exception {
    GreeterServer slow = Greeters.start(vertx, "127.0.0.9", 1_500);
    HostPort target = new HostPort("127.0.0.9", slow.port());
    ClientMode slowClient = new ClientMode(vertx,
        ClientConfig.defaults().withHttp("127.0.0.1", 0).withTarget(target).withCallTimeoutMs(10_000)
            .withMaxConnections(500).withMaxInFlight(ClientConfig.MIN_IN_FLIGHT))
        .start().await(10, TimeUnit.SECONDS);
    try {
      JsonObject report = http.get(slowClient.port(), "/experiment/client?type=ClientWithReuseConn&n=10000").body();
      assertEquals(10_000, report.getInteger("ok"), report.encode());
      assertEquals(10_000, report.getInteger("max_in_flight"), report.encode());
    } finally {
      slowClient.close().await(10, TimeUnit.SECONDS);
      slow.kill().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theReferenceRootRouteRunsTheSameExperiment() throws Exception {
    Http.Answer answer = http.get(client.port(), "/?type=ClientWithReuseConn&n=10");
    assertEquals(200, answer.status());
    assertEquals(10, answer.body().getInteger("ok"));
    assertEquals("ClientWithReuseConn", answer.body().getString("type"));
  }

  @Test
  void defaultsAreTheReferencesClientAndAThousandCalls() throws Exception {
    JsonObject report = http.get(client.port(), "/experiment/client").body();
    assertEquals("Client", report.getString("type"));
    assertEquals(1000, report.getInteger("n"));
    assertEquals(1000, report.getInteger("ok"));
  }
}

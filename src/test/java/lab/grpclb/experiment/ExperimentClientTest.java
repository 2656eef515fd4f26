package lab.grpclb.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import lab.grpclb.Http;
import lab.grpclb.TestLab;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ClientType;
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
  TestLab lab;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestLab.direct(vertx).withGreeters("127.0.0.2", 3, 0, DELAY_MS).withClient().start();
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  JsonObject run(String type, int n) throws Exception {
    return lab.run("type=" + type + "&n=" + n);
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
    assertEquals(0, lab.client().channel(ClientType.CLIENT).connectionsOpen(), "every per-call connection was closed");
  }

  @Test
  void upToTenThousandCallsAreAllInFlightAtOnce(Vertx vertx) throws Exception {
    try (TestLab slow = TestLab.direct(vertx).withGreeters("127.0.0.9", 1, 0, 1_500)
        .withClient(c -> c.withMaxInFlight(ClientConfig.MIN_IN_FLIGHT)).start()) {
      JsonObject report = slow.run("type=ClientWithReuseConn&n=10000");
      assertEquals(10_000, report.getInteger("ok"), report.encode());
      assertEquals(10_000, report.getInteger("max_in_flight"), report.encode());
    }
  }

  @Test
  void theReferenceRootRouteRunsTheSameExperiment() throws Exception {
    Http.Answer answer = lab.http().get(lab.client().port(), "/?type=ClientWithReuseConn&n=10");
    assertEquals(200, answer.status());
    assertEquals(10, answer.body().getInteger("ok"));
    assertEquals("ClientWithReuseConn", answer.body().getString("type"));
  }

  @Test
  void defaultsAreTheReferencesClientAndAThousandCalls() throws Exception {
    JsonObject report = lab.http().get(lab.client().port(), "/experiment/client").body();
    assertEquals("Client", report.getString("type"));
    assertEquals(1000, report.getInteger("n"));
    assertEquals(1000, report.getInteger("ok"));
  }
}

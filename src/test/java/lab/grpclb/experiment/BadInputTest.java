package lab.grpclb.experiment;

import lab.grpclb.mode.client.ClientMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.TestLab;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.HostPort;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad requests get a 400 (or 405, 409) naming what is valid, and nothing crashes. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  TestLab lab;
  GreeterServer server;
  ClientMode client;
  Http http;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestLab.direct(vertx).withGreeters("127.0.0.6", 1, 0, 300)
        .withClient(c -> c.withMaxN(50_000).withMaxConnections(100)).start();
    server = lab.servers().get(0);
    client = lab.client();
    http = lab.http();
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  void assertBadRequest(String uri, String... mentions) throws Exception {
    Http.Answer answer = http.get(client.port(), uri);
    assertEquals(400, answer.status(), answer.body().encode());
    String error = answer.body().getString("error");
    for (String mention : mentions) {
      assertTrue(error.contains(mention), "'" + error + "' should mention " + mention);
    }
  }

  @Test
  void nMustBeAnIntegerInRange() throws Exception {
    assertBadRequest("/experiment/client?type=Client&n=abc", "n must be an integer from 1 to 50000", "'abc'");
    assertBadRequest("/experiment/client?type=Client&n=0", "from 1 to 50000", "'0'");
    assertBadRequest("/experiment/client?type=Client&n=-5", "'-5'");
    assertBadRequest("/experiment/client?type=Client&n=50001", "--max-n", "'50001'");
    assertBadRequest("/?n=1.5", "'1.5'");
  }

  @Test
  void emptyValuesAreBadRequestsNotDefaults() throws Exception {
    assertBadRequest("/experiment/client?type=Client&n=", "n must be an integer from 1 to 50000", "got ''");
    assertBadRequest("/experiment/client?type=Client&n=%20", "n must be an integer", "got ' '");
    assertBadRequest("/?n=", "n must be an integer");
    assertBadRequest("/experiment/client?type=&n=10", "unknown type ''", "valid types: Client");
    assertBadRequest("/experiment/client?type=%20%20&n=10", "unknown type '  '", "valid types: Client");
  }

  @Test
  void aWrongMethodIs405WithAllowOnEveryRoute() throws Exception {
    for (String path : new String[] {"/experiment/client", "/", "/healthz", "/status"}) {
      for (HttpMethod method : new HttpMethod[] {HttpMethod.POST, HttpMethod.DELETE, HttpMethod.PUT}) {
        Http.Answer answer = http.send(method, client.port(), path);
        assertEquals(405, answer.status(), method + " " + path + ": " + answer.body().encode());
        assertEquals("GET", answer.headers().get("Allow"), method + " " + path);
        assertEquals(method + " is not allowed on " + path + "; use GET", answer.body().getString("error"));
      }
    }
    Http.Answer unknown = http.send(HttpMethod.POST, client.port(), "/experiment/client/more");
    assertEquals(404, unknown.status(), "any method on an unknown path is still a 404");
    assertEquals(null, unknown.headers().get("Allow"));
  }

  @Test
  void aCompactAnswerFitsOneScreenAndAnUnknownFormatNamesTheValidOnes() throws Exception {
    Http.Answer answer = http.get(client.port(), "/experiment/client?type=ClientWithReuseConn&n=10&format=compact");
    assertEquals(200, answer.status(), answer.body().encode());
    assertEquals(Set.of("type", "n", "time", "count_per_ip", "ok", "failed", "errors", "p50_ms", "p99_ms"),
        answer.body().fieldNames());
    assertEquals(10, answer.body().getInteger("ok"));
    assertTrue(answer.body().encodePrettily().lines().count() < 20, answer.body().encodePrettily());
    assertBadRequest("/experiment/client?n=10&format=yaml", "format must be one of full, compact, got 'yaml'");
    assertBadRequest("/experiment/client?n=10&format=", "format");
  }

  @Test
  void unknownTypeListsEveryValidType() throws Exception {
    assertBadRequest("/experiment/client?type=Grpc&n=10",
        "unknown type 'Grpc'", "Client", "ClientWithReuseConn", "ClientWithKubeResolver");
  }

  @Test
  void aSecondExperimentWhileOneRunsIsAConflictNamingTheRunningOne(Vertx vertx) throws Exception {
    server.greeter().delayMs(3_000); // the first run lasts long enough that a stalled machine cannot miss it
    try {
      Future<Http.Answer> first = http.sendAsync(HttpMethod.GET, client.port(), "/experiment/client?type=ClientWithReuseConn&n=50");
      Await.until(() -> server.greeter().callsInFlight() > 0, "the first experiment runs");
      Http.Answer second = http.get(client.port(), "/experiment/client?type=Client&n=5");
      assertEquals(409, second.status(), second.body().encode());
      assertEquals("ClientWithReuseConn", second.body().getJsonObject("running").getString("type"));
      assertEquals(200, first.await(30, TimeUnit.SECONDS).status());
    } finally {
      server.greeter().delayMs(300);
    }
  }

  @Test
  void unreachableGreeterCountsEveryCallAsFailedWithItsReason(Vertx vertx) throws Exception {
    HostPort nobody = new HostPort("127.0.0.7", 1); // nothing listens there
    ClientMode lonely = new ClientMode(vertx, ClientConfig.defaults().withHttp("127.0.0.1", 0)
        .withTarget(nobody).withMaxN(1000).withCallTimeoutMs(5_000).withMaxConnections(100).withMaxInFlight(1000))
        .start().await(10, TimeUnit.SECONDS);
    try {
      for (String type : new String[] {"Client", "ClientWithReuseConn"}) {
        Http.Answer answer = http.get(lonely.port(), "/experiment/client?type=" + type + "&n=200");
        assertEquals(200, answer.status());
        JsonObject report = answer.body();
        assertEquals(0, report.getInteger("ok"));
        assertEquals(200, report.getInteger("failed"));
        String reason = report.getJsonObject("errors").fieldNames().iterator().next();
        assertTrue(reason.startsWith("UNAVAILABLE: connect failed"), reason);
        assertEquals(200, report.getJsonObject("errors").getInteger(reason));
      }
    } finally {
      lonely.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anUnknownParameterIsA400NamingItTheValidOnesAndTheClosest() throws Exception {
    assertBadRequest("/experiment/client?type=Client&n=400&concurency=10", "unknown parameter 'concurency'",
        "did you mean 'concurrency'?", "valid parameters: arrival, concurrency, duration_s, format, hedging_delay_ms, lb, n,"
            + " rate, runs, slo_ms, subset_size, type, zone_aware");
    assertBadRequest("/experiment/client?type=Client&rate=100&duraton_s=5", "unknown parameter 'duraton_s'",
        "did you mean 'duration_s'?");
    assertBadRequest("/?type=Client&colour=red", "unknown parameter 'colour'", "valid parameters");
    assertBadRequest("/status?verbose=1", "unknown parameter 'verbose'", "valid parameters: none");
    assertBadRequest("/healthz?x", "unknown parameter 'x'");
  }

  @Test
  void aRepeatedParameterIsA400() throws Exception {
    assertBadRequest("/experiment/client?type=Client&n=1&n=2", "parameter 'n' is given 2 times ([1, 2])");
    assertBadRequest("/?type=Client&type=ClientWithReuseConn", "parameter 'type' is given 2 times");
  }

  @Test
  void aNumberIsDigitsOnlyWithNoSignSpaceOrNul() throws Exception {
    assertBadRequest("/experiment/client?type=Client&n=100%00", "n must be an integer from 1 to 50000");
    assertBadRequest("/experiment/client?type=Client&n=%20100", "got ' 100'");
    assertBadRequest("/experiment/client?type=Client&n=+100", "got ' 100'"); // a '+' in a query is a space
    assertBadRequest("/experiment/client?type=Client&n=%2B100", "got '+100'");
    assertBadRequest("/experiment/client?type=Client&n=1e3", "got '1e3'");
    assertBadRequest("/experiment/client?type=Client&rate=-5&n=10", "rate must be calls per second from 0.01 to"
        + " 1000000", "got '-5'");
    assertBadRequest("/experiment/client?type=Client&rate=1e-9&n=2", "got '1e-9'");
  }

  @Test
  void aParameterThatMeansNothingForTheTypeIsA400() throws Exception {
    assertBadRequest("/experiment/client?type=Client&lb=least_request&n=10", "lb means nothing for Client",
        "ClientWithKubeResolver and ClientWithDnsResolver");
    assertBadRequest("/experiment/client?type=ClientWithReuseConn&lb=round_robin&n=10",
        "lb means nothing for ClientWithReuseConn");
  }

  @Test
  void aFleetParameterWithAnEmptyOrUnknownValueIsA400NamingTheValidOnes() throws Exception {
    assertBadRequest("/experiment/client?type=ClientWithKubeResolver&n=1&subset_size=", "subset_size must be an integer"
        + " from 0 to 100000", "got ''");
    assertBadRequest("/experiment/client?type=ClientWithKubeResolver&n=1&subset_size=-1", "got '-1'");
    assertBadRequest("/experiment/client?type=ClientWithKubeResolver&n=1&zone_aware=", "zone_aware must be true or"
        + " false", "got ''");
    assertBadRequest("/experiment/client?type=ClientWithKubeResolver&n=1&zone_aware=yes", "got 'yes'");
    assertBadRequest("/experiment/client?type=ClientWithKubeResolver&n=1&lb=", "lb must be one of round_robin,"
        + " least_request, peak_ewma, weighted_round_robin, pick_first");
    assertBadRequest("/experiment/client?type=Client&n=1&subset_size=2", "subset_size means nothing for Client");
    assertBadRequest("/experiment/client?type=Client&n=1&zone_aware=true", "zone_aware means nothing for Client");
  }

  @Test
  void anOpenLoopIsHeldToMaxDurationWhicheverWayItIsAsked() throws Exception {
    assertBadRequest("/experiment/client?type=Client&rate=0.001&n=2", "rate must be calls per second from 0.01",
        "got '0.001'");
    assertBadRequest("/experiment/client?type=Client&rate=0.01&n=7", "would last 700 s", "at most 600 s"
        + " (--max-duration-s)");
    assertBadRequest("/experiment/client?type=Client&rate=1&n=601", "would last 601 s");
    assertBadRequest("/experiment/client?type=Client&rate=1000&duration_s=600", "must come to 1 to 50000 calls"
        + " (--max-n)");
  }

  @Test
  void aRequestLineOver4KbIsA414WithAReason() throws Exception {
    Http.Answer answer = http.get(client.port(), "/experiment/client?type=Client&n=" + "1".repeat(5_000));
    assertEquals(414, answer.status());
    assertTrue(answer.body().getString("error").contains("the request line is over 4096 bytes"),
        answer.body().encode());
  }

  @Test
  void unknownPathsAnswerJson() throws Exception {
    Http.Answer answer = http.send(HttpMethod.GET, client.port(), "/nope");
    assertEquals(404, answer.status());
    assertTrue(answer.body().getString("error").contains("/nope"));
  }
}

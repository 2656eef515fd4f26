package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.LogCapture;
import lab.grpclb.TestLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A deadline storm: every call of a run outlives its deadline, thousands at once on one connection. Each is
 * reported DEADLINE_EXCEEDED, the server cancels its timer and writes nothing, the shared connection survives
 * (the RST-flood guard must not close it), and nothing is logged on either side.
 */
@ExtendWith(VertxExtension.class)
class DeadlineStormTest {

  @Test
  void thousandsOfExpiredCallsOnOneConnectionAreDeadlineExceededAndCostTheServerNothing(Vertx vertx) throws Exception {
    try (TestLab lab = TestLab.direct(vertx).withGreeters("127.0.0.18", 1, 0, 2_000)
        .withClient(c -> c.withMaxN(10_000).withCallTimeoutMs(100).withMaxConnections(100).withMaxInFlight(10_000))
        .start();
        LogCapture log = LogCapture.start()) {
      GreeterServer slow = lab.servers().get(0);
      Http http = lab.http();
      for (int run = 0; run < 2; run++) {
        JsonObject report = http.get(lab.client().port(), "/experiment/client?type=ClientWithReuseConn&n=3000").body();
        assertEquals(3000, report.getInteger("failed"), report.encode());
        assertEquals(new JsonObject().put("DEADLINE_EXCEEDED: no reply within 100 ms (--call-timeout-ms)", 3000),
            report.getJsonObject("errors"), "every call is past its deadline, none broken by a closed connection");
        assertEquals(1, report.getInteger("connections"), "the shared connection survived the storm: " + report.encode());
      }
      Await.until(() -> slow.greeter().callsEndedEarly() == 6000, "the server saw every call end before its reply");
      assertEquals(0, slow.greeter().callsInFlight(), "every timer was cancelled");
      assertEquals(0, slow.greeter().callsServed(), "no reply was written to a cancelled call");
      JsonObject after = http.get(lab.client().port(), "/status").body();
      assertEquals(1, after.getJsonObject("types").getJsonObject("ClientWithReuseConn").getInteger("connections_open"));
      assertTrue(log.lines().isEmpty(), "nothing logged: " + log.lines());
    }
  }
}

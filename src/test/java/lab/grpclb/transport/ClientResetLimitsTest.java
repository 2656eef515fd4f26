package lab.grpclb.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import lab.grpclb.LogCapture;
import lab.grpclb.TestLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replies that cross their calls' cancels, by the thousand, on one shared connection. Each crossing reply makes
 * the client answer RST_STREAM(STREAM_CLOSED); Vert.x 5.0.7 gave client connections Netty's server-side limit
 * of 200 such resets per 30 s, so the client closed its own connection, failing every healthy call on it, and
 * then walked all its active streams once per further failed frame: O(streams²), the minutes-long wedge of
 * a million-call run. With the limits lifted every call ends OK or DEADLINE_EXCEEDED on the one connection.
 */
@ExtendWith(VertxExtension.class)
class ClientResetLimitsTest {

  @Test
  void repliesCrossingTheirCancelsNeverMakeTheClientCloseItsConnection(Vertx vertx) throws Exception {
    // the reply comes right at the deadline
    try (TestLab lab = TestLab.direct(vertx).withGreeters("127.0.0.16", 1, 0, 100).withClient(c -> c.withMaxN(100_000)
        .withCallTimeoutMs(100).withMaxConnections(100).withMaxInFlight(50_000)).start();
        LogCapture log = LogCapture.start()) {
      int expired = 0;
      for (int run = 0; run < 3; run++) {
        JsonObject report = lab.run("type=ClientWithReuseConn&n=20000");
        JsonObject errors = report.getJsonObject("errors");
        int late = errors.getInteger("DEADLINE_EXCEEDED: no reply within 100 ms (--call-timeout-ms)", 0);
        assertEquals(report.getInteger("failed"), late, "calls fail only by their deadline: " + errors.encode());
        assertEquals(1, report.getInteger("connections"), "the one connection carried the whole run: " + report.encode());
        expired += late;
      }
      assertTrue(expired > 600, "enough replies crossed their cancels to pass the old limit of 200: " + expired);
      assertTrue(log.lines().isEmpty(), "nothing logged: " + log.lines());
    }
  }
}

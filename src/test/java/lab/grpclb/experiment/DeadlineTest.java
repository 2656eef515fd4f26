package lab.grpclb.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import lab.grpclb.TestLab;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A pod that doesn't answer in time fails the call with DEADLINE_EXCEEDED; the experiment never hangs. */
@ExtendWith(VertxExtension.class)
class DeadlineTest {
  static final UnaryOperator<ClientConfig> DEADLINE_200_MS = c -> c.withMaxN(1000).withCallTimeoutMs(200)
      .withMaxConnections(100).withMaxInFlight(10_000);

  @Test
  void callsPastTheirDeadlineFailWithDeadlineExceeded(Vertx vertx) throws Exception {
    try (TestLab lab = TestLab.direct(vertx).withGreeters("127.0.0.17", 1, 0, 3_000).withClient(DEADLINE_200_MS)
        .start()) {
      for (String type : new String[] {"ClientWithReuseConn", "Client"}) {
        JsonObject report = lab.http().get(lab.client().port(), "/experiment/client?type=" + type + "&n=20").body();
        assertEquals(20, report.getInteger("failed"), report.encode());
        assertEquals(20, report.getJsonObject("errors").getInteger("DEADLINE_EXCEEDED: no reply within 200 ms (--call-timeout-ms)"),
            report.encode());
        assertTrue(report.getDouble("elapsed_ms") < 2_000, "the deadline, not the pod, ended the run: " + report.encode());
      }
    }
  }

  /** A target that accepts TCP and never speaks HTTP/2: the deadline runs from the call's start, connect included. */
  @Test
  void aTargetThatNeverCompletesTheHandshakeIsDeadlineExceededNotAHang(Vertx vertx) throws Exception {
    NetServer hung = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.17").setPort(0))
        .connectHandler(socket -> socket.pause()).listen().await(5, TimeUnit.SECONDS);
    HostPort target = new HostPort("127.0.0.17", hung.actualPort());
    try (TestLab lab = TestLab.direct(vertx).withClient(c -> DEADLINE_200_MS.apply(c).withTarget(target)).start()) {
      for (String type : new String[] {"Client", "ClientWithReuseConn"}) {
        JsonObject report = lab.http().get(lab.client().port(), "/experiment/client?type=" + type + "&n=20").body();
        assertEquals(new JsonObject().put("DEADLINE_EXCEEDED: no reply within 200 ms (--call-timeout-ms)", 20),
            report.getJsonObject("errors"), type + ": " + report.encode());
        assertTrue(report.getDouble("elapsed_ms") < 2_000, type + " ended by the deadline: " + report.encode());
      }
    } finally {
      hung.close().await(5, TimeUnit.SECONDS);
    }
  }
}

package lab.grpclb.experiment;

import lab.grpclb.mode.client.ClientMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.Http;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.HostPort;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A pod that doesn't answer in time fails the call with DEADLINE_EXCEEDED; the experiment never hangs. */
@ExtendWith(VertxExtension.class)
class DeadlineTest {

  @Test
  void callsPastTheirDeadlineFailWithDeadlineExceeded(Vertx vertx) throws Exception {
    GreeterServer slow = Greeters.start(vertx, "127.0.0.17", 3_000);
    ClientMode client = new ClientMode(vertx, ClientConfig.defaults().withHttp("127.0.0.1", 0)
        .withTarget(new HostPort("127.0.0.17", slow.port())).withMaxN(1000).withCallTimeoutMs(200)
        .withMaxConnections(100).withMaxInFlight(10_000)).start().await(10, TimeUnit.SECONDS);
    Http http = new Http(vertx);
    try {
      for (String type : new String[] {"ClientWithReuseConn", "Client"}) {
        JsonObject report = http.get(client.port(), "/experiment/client?type=" + type + "&n=20").body();
        assertEquals(20, report.getInteger("failed"), report.encode());
        assertEquals(20, report.getJsonObject("errors").getInteger("DEADLINE_EXCEEDED: no reply within 200 ms (--call-timeout-ms)"),
            report.encode());
        assertTrue(report.getDouble("elapsed_ms") < 2_000, "the deadline, not the pod, ended the run: " + report.encode());
      }
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
      slow.kill().await(5, TimeUnit.SECONDS);
    }
  }

  /** A target that accepts TCP and never speaks HTTP/2: the deadline runs from the call's start, connect included. */
  @Test
  void aTargetThatNeverCompletesTheHandshakeIsDeadlineExceededNotAHang(Vertx vertx) throws Exception {
    NetServer hung = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.17").setPort(0))
        .connectHandler(socket -> socket.pause()).listen().await(5, TimeUnit.SECONDS);
    ClientMode client = new ClientMode(vertx, ClientConfig.defaults().withHttp("127.0.0.1", 0)
        .withTarget(new HostPort("127.0.0.17", hung.actualPort())).withMaxN(1000).withCallTimeoutMs(200)
        .withMaxConnections(100).withMaxInFlight(10_000)).start().await(10, TimeUnit.SECONDS);
    Http http = new Http(vertx);
    try {
      for (String type : new String[] {"Client", "ClientWithReuseConn"}) {
        JsonObject report = http.get(client.port(), "/experiment/client?type=" + type + "&n=20").body();
        assertEquals(new JsonObject().put("DEADLINE_EXCEEDED: no reply within 200 ms (--call-timeout-ms)", 20),
            report.getJsonObject("errors"), type + ": " + report.encode());
        assertTrue(report.getDouble("elapsed_ms") < 2_000, type + " ended by the deadline: " + report.encode());
      }
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
      hung.close().await(5, TimeUnit.SECONDS);
    }
  }
}

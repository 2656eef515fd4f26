package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.HostPort;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code --report} against a client locked with --api-token sends the token, as Main passes it. */
@ExtendWith(VertxExtension.class)
class LabApiTokenTest {
  static final String TOKEN = "report-token-0123456789abcdefgh";

  @Test
  void theReportsRequestsCarryTheClientsToken(Vertx vertx) throws Exception {
    GreeterServer pod = Greeters.start(vertx, "127.0.0.9", 5);
    ClientMode locked = new ClientMode(vertx, ClientConfig.defaults().withHttp("127.0.0.1", 0)
        .withTarget(new HostPort("127.0.0.9", pod.port())).withMaxN(1_000).withCallTimeoutMs(5_000)
        .withMaxConnections(100).withMaxInFlight(1_000))
        .withAccess(new ApiAccess(TOKEN, List.of())).start().await(10, TimeUnit.SECONDS);
    // both held until closed: Vert.x 5 closes an HttpClient nothing references any more, requests and all
    LabApi withToken = new LabApi(vertx, locked.port(), TOKEN);
    LabApi without = new LabApi(vertx, locked.port(), null);
    try {
      MeasuredRun run = withToken.experiment("ClientWithReuseConn", 7).await(10, TimeUnit.SECONDS);
      assertEquals(7, run.report().ok());
      Throwable refused = without.kubeResolverTargets().toCompletionStage().handle((ok, err) -> err)
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(refused != null && refused.getMessage().contains("answered 401"), String.valueOf(refused));
    } finally {
      withToken.close().await(10, TimeUnit.SECONDS);
      without.close().await(10, TimeUnit.SECONDS);
      locked.close().await(10, TimeUnit.SECONDS);
      pod.kill().await(10, TimeUnit.SECONDS);
    }
  }
}

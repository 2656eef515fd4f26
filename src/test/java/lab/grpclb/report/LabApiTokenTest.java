package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.TestLab;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.mode.client.ClientMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code --report} against a client locked with --api-token sends the token, as Main passes it. */
@ExtendWith(VertxExtension.class)
class LabApiTokenTest {
  static final String TOKEN = "report-token-0123456789abcdefgh";

  @Test
  void theReportsRequestsCarryTheClientsToken(Vertx vertx) throws Exception {
    TestLab lab = TestLab.direct(vertx).withGreeters("127.0.0.9", 1, 0, 5).withClient(c -> c.withMaxN(1_000)
        .withCallTimeoutMs(5_000).withMaxConnections(100).withMaxInFlight(1_000))
        .withAccess(new ApiAccess(TOKEN, List.of())).start();
    ClientMode locked = lab.client();
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
      lab.close();
    }
  }
}

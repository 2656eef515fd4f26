package lab.grpclb.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.util.function.UnaryOperator;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.TestLab;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ClientType;
import lab.grpclb.mode.client.ClientMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Our EndpointSlice watch verifies the API server's certificate against the CA it is given: no trust-all. */
@ExtendWith(VertxExtension.class)
class TlsDiscoveryTest {
  static final int PORT = 50062;

  @Test
  void theApiServerIsTrustedOnlyThroughTheGivenCa(Vertx vertx) throws Exception {
    SelfSignedCertificate apiCertificate = SelfSignedCertificate.create("localhost");
    SelfSignedCertificate someOtherCa = SelfSignedCertificate.create("localhost");
    UnaryOperator<ClientConfig> limits = c -> c.withMaxN(1000).withCallTimeoutMs(5_000).withMaxConnections(100)
        .withMaxInFlight(10_000);
    try (TestLab lab = TestLab.kube(vertx).withTls(apiCertificate).withGreeters("127.0.0.40", 1, PORT, 10)
        .withClient(limits).start()) {
      ClientMode trusting = lab.client();
      ClientMode suspicious = lab.startClient(
          c -> limits.apply(c).withKube(lab.kubeConfig(someOtherCa.certificatePath())), null);
      Http http = lab.http();
      Await.until(() -> trusting.channel(ClientType.KUBE_RESOLVER).endpoints().size() == 1,
          "discovery over verified TLS");
      assertEquals(200, http.get(trusting.port(), "/experiment/client?type=ClientWithKubeResolver&n=10").status());

      Await.until(() -> lastError(http, suspicious) != null, "the handshake failure is reported");
      assertTrue(suspicious.channel(ClientType.KUBE_RESOLVER).endpoints().isEmpty());
      Http.Answer refused = http.get(suspicious.port(), "/experiment/client?type=ClientWithKubeResolver&n=10");
      assertEquals(503, refused.status(), refused.body().encode());
    } finally {
      apiCertificate.delete();
      someOtherCa.delete();
    }
  }

  static String lastError(Http http, ClientMode client) {
    try {
      JsonObject status = http.get(client.port(), "/status").body();
      return status.getJsonObject("kubernetes").getJsonObject("endpointslice_watch").getString("last_error");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

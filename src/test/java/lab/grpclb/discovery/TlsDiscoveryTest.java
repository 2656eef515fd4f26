package lab.grpclb.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.Http;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.HostPort;
import lab.grpclb.config.KubeConfig;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.local.ApiResource;
import lab.grpclb.local.ControlPlane;
import lab.grpclb.server.GreeterServer;
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
    ControlPlane api = new ControlPlane(vertx, new ControlPlane.Options(200, 3_600_000))
        .listenTls("127.0.0.1", 0, apiCertificate.keyCertOptions()).await(5, TimeUnit.SECONDS);
    GreeterServer server = Greeters.start(vertx, "127.0.0.40", PORT, 10);
    api.apply(ApiResource.ENDPOINTSLICES, "default", Slices.slice("greeter-server-tls", PORT, List.of(server)));
    Path token = Files.createTempFile("token", "");
    Files.writeString(token, "t");
    URI url = URI.create("https://localhost:" + api.port());
    ClientMode trusting = client(vertx, new KubeConfig(url, token.toString(), apiCertificate.certificatePath(),
        "default", "greeter-server", "grpc"));
    ClientMode suspicious = client(vertx, new KubeConfig(url, token.toString(), someOtherCa.certificatePath(),
        "default", "greeter-server", "grpc"));
    Http http = new Http(vertx);
    try {
      Await.until(() -> trusting.channel(ClientType.KUBE_RESOLVER).endpoints().size() == 1,
          "discovery over verified TLS");
      assertEquals(200, http.get(trusting.port(), "/experiment/client?type=ClientWithKubeResolver&n=10").status());

      Await.until(() -> lastError(http, suspicious) != null, "the handshake failure is reported");
      assertTrue(suspicious.channel(ClientType.KUBE_RESOLVER).endpoints().isEmpty());
      Http.Answer refused = http.get(suspicious.port(), "/experiment/client?type=ClientWithKubeResolver&n=10");
      assertEquals(503, refused.status(), refused.body().encode());
    } finally {
      trusting.close().await(5, TimeUnit.SECONDS);
      suspicious.close().await(5, TimeUnit.SECONDS);
      server.kill().await(5, TimeUnit.SECONDS);
      api.close().await(5, TimeUnit.SECONDS);
      Files.deleteIfExists(token);
      apiCertificate.delete();
      someOtherCa.delete();
    }
  }

  static ClientMode client(Vertx vertx, KubeConfig kube) throws Exception {
    return new ClientMode(vertx, ClientConfig.defaults().withHttp("127.0.0.1", 0)
        .withTarget(new HostPort("127.0.0.40", PORT)).withMaxN(1000).withCallTimeoutMs(5_000).withMaxConnections(100)
        .withMaxInFlight(10_000).withKube(kube)).start().await(10, TimeUnit.SECONDS);
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

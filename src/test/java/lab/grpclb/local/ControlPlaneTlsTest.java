package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The CA and serving certificate the control plane makes at start: what the JDK reads in them, and a handshake. */
@ExtendWith(VertxExtension.class)
class ControlPlaneTlsTest {
  @Test
  void theServingCertificateIsSignedByACaAndNames127001AndLocalhostForServerAuth() throws Exception {
    ControlPlaneTls tls = ControlPlaneTls.generate();
    assertTrue(tls.ca().getBasicConstraints() >= 0, "the CA is a CA");
    assertEquals(-1, tls.serving().getBasicConstraints(), "the serving certificate is not");
    tls.ca().verify(tls.ca().getPublicKey());
    tls.serving().verify(tls.ca().getPublicKey());
    assertEquals(tls.ca().getSubjectX500Principal(), tls.serving().getIssuerX500Principal());
    assertEquals(List.of(List.of(7, "127.0.0.1"), List.of(2, "localhost")), tls.serving().getSubjectAlternativeNames().stream()
        .map(List::copyOf).toList());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), tls.serving().getExtendedKeyUsage());
    assertTrue(tls.ca().getKeyUsage()[5], "keyCertSign");
    assertTrue(tls.serving().getKeyUsage()[0] && !tls.serving().getKeyUsage()[5], "digitalSignature only");
    Instant now = Instant.now();
    tls.serving().checkValidity();
    assertTrue(tls.serving().getNotAfter().toInstant().isAfter(now.plus(ControlPlaneTls.VALIDITY).minusSeconds(60)));
    assertTrue(tls.caPem().startsWith("-----BEGIN CERTIFICATE-----\n") && tls.caPem().endsWith("-----END CERTIFICATE-----\n"));
    assertTrue(!tls.serving().getSerialNumber().equals(tls.ca().getSerialNumber()), "serials are random");
    assertTrue(Duration.between(tls.serving().getNotBefore().toInstant(), now).toMinutes() >= 59, "an hour of clock skew");
  }

  @Test
  void aClientTrustingTheCaVerifiesTheServerAndOneTrustingAnotherCaIsRefused(Vertx vertx) throws Exception {
    ControlPlaneTls tls = ControlPlaneTls.generate();
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
            .setKeyCertOptions(tls.keyCert()))
        .requestHandler(request -> request.response().end("ok")).listen().await(5, TimeUnit.SECONDS);
    try {
      assertEquals("ok", get(vertx, tls.caPem(), server.actualPort()));
      String otherCa = ControlPlaneTls.generate().caPem();
      assertThrows(SSLHandshakeException.class, () -> get(vertx, otherCa, server.actualPort()));
    } finally {
      server.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static String get(Vertx vertx, String caPem, int port) throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem))));
    try {
      return client.request(HttpMethod.GET, port, "127.0.0.1", "/")
          .compose(req -> req.send().compose(resp -> resp.body()))
          .map(Buffer::toString).await(5, TimeUnit.SECONDS);
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
    }
  }
}

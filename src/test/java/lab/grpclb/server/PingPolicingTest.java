package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Our pods police pings as gRPC's do (gRFC A8): a client that pings an idle connection three times is sent away. */
@ExtendWith(VertxExtension.class)
class PingPolicingTest {

  @Test
  void aClientThatPingsTooOftenGetsGoAwayEnhanceYourCalmTooManyPings(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.128", 20);
    HttpClientAgent agent = vertx.httpClientBuilder().with(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)).build();
    try {
      Promise<GoAway> sentAway = Promise.promise();
      // Pings sent from the connection's event loop: from another thread, Vert.x 5.0.7 registers a PING's waiter
      // after the write, and an ACK that comes first is dropped (about 1 in 100 here).
      agent.connect(new HttpConnectOptions().setServer(Greeters.address(server))).compose(connection -> {
        connection.goAwayHandler(sentAway::tryComplete);
        return connection.ping(Buffer.buffer(new byte[8])) // strike 1: no call in flight
            .compose(ack -> connection.ping(Buffer.buffer(new byte[8]))) // strike 2
            .onSuccess(ack -> connection.ping(Buffer.buffer(new byte[8]))); // strike 3: its ACK races the close
      }).await(5, TimeUnit.SECONDS);
      GoAway goAway = sentAway.future().await(5, TimeUnit.SECONDS);
      assertEquals(ServerConnection.ENHANCE_YOUR_CALM, goAway.getErrorCode());
      assertEquals(ServerConnection.TOO_MANY_PINGS, goAway.getDebugData().toString());
      assertEquals(1, server.connectionsSentAwayForPings());
    } finally {
      agent.close().await(5, TimeUnit.SECONDS);
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }
}

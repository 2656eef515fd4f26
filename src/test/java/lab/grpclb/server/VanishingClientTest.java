package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that stops reading, then vanishes with the server's replies still queued: the pod's log stays
 * clean (Vert.x 5.0.7 would log a NullPointerException per queued reply) and its counters settle.
 */
@ExtendWith(VertxExtension.class)
class VanishingClientTest {

  @Test
  void aClientVanishingWithRepliesQueuedLeavesNoStackTraceInThePodsLog(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.19", 0);
    // A receive window of 0: the server can send no reply data, so every reply waits in its queues.
    HttpClientAgent agent = vertx.httpClientBuilder().with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setInitialSettings(new Http2Settings().setInitialWindowSize(0))).build();
    try (LogCapture log = LogCapture.start()) {
      HttpClientConnection connection = agent.connect(new HttpConnectOptions().setServer(Greeters.address(server)))
          .await(5, TimeUnit.SECONDS);
      GrpcClient grpc = GrpcClient.client(vertx, connection);
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        sent.add(grpc.request(Greeters.address(server), GreeterGrpcClient.SayHello)
            .compose(req -> req.send(HelloRequest.newBuilder().setName("stuck").build())));
      }
      Future.all(sent).await(5, TimeUnit.SECONDS);
      Await.until(() -> server.greeter().callsServed() == 500, "the server wrote (queued) every reply");
      connection.close().await(5, TimeUnit.SECONDS);
      Thread.sleep(200); // let the server notice the close and discard the queued replies
      assertTrue(log.lines().isEmpty(), "nothing logged: " + log.lines());
      assertEquals(0, server.greeter().callsInFlight());
    } finally {
      agent.close().await(5, TimeUnit.SECONDS);
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }
}

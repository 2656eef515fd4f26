package lab.grpclb.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each HTTP/2 stream's outbound queue is swapped for a small one, on the client and on the server, and the call still
 * goes through it. If a Vert.x upgrade moves the fields, the first test says so (the swap itself only logs once).
 */
@ExtendWith(VertxExtension.class)
class StreamQueuesTest {
  private static final HelloRequest HELLO = HelloRequest.newBuilder().setName("queues").build();

  @Test
  void vertxInternalsAreWhereTheSwapExpectsThem() {
    assertTrue(StreamQueues.reachable(), "Vert.x moved a field StreamQueues reads: each call holds 4 KB more again");
  }

  @Test
  void aClientCallsStreamGetsTheSmallQueueAndItsCallSucceeds(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.5", 0);
    GrpcClient grpc = GrpcClient.client(vertx);
    try {
      HelloReply reply = grpc.request(Greeters.address(server), GreeterGrpcClient.SayHello)
          .compose(request -> {
            Object vertxQueue = StreamQueues.queueOf(request);
            StreamQueues.shrink(request);
            assertSwapped(vertxQueue, StreamQueues.queueOf(request));
            return request.send(HELLO);
          })
          .compose(response -> response.last()).await(10, TimeUnit.SECONDS);
      assertEquals("127.0.0.5", reply.getIpAddress(), "the call is written through the swapped queue");
    } finally {
      grpc.close().await(10, TimeUnit.SECONDS);
      server.kill().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aServerCallsStreamGetsTheSmallQueueAndItsResponseIsWritten(Vertx vertx) throws Exception {
    Promise<Object[]> queues = Promise.promise();
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.5").setPort(0))
        .requestHandler(request -> {
          Object vertxQueue = StreamQueues.queueOf(request);
          StreamQueues.shrink(request);
          queues.tryComplete(new Object[] {vertxQueue, StreamQueues.queueOf(request)});
          request.response().end("written through the swapped queue");
        });
    server.listen().await(10, TimeUnit.SECONDS);
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    try {
      String body = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.5", "/")
          .compose(request -> request.send().compose(response -> response.body()))
          .await(10, TimeUnit.SECONDS).toString();
      assertEquals("written through the swapped queue", body);
      Object[] seen = queues.future().await(10, TimeUnit.SECONDS);
      assertSwapped(seen[0], seen[1]);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      server.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void assertSwapped(Object vertxQueue, Object now) {
    assertNotNull(vertxQueue, "the stream's queue is out of reach");
    assertNotSame(vertxQueue, now, "the stream still has Vert.x's queue");
    assertTrue(vertxQueue.getClass().getSimpleName().contains("Unbounded"), "Vert.x's own: " + vertxQueue.getClass());
    assertTrue(now instanceof java.util.concurrent.ConcurrentLinkedQueue, "the small queue: " + now.getClass());
  }
}

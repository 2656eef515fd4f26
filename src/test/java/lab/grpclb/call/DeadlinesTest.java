package lab.grpclb.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import experiment.GreeterGrpcService;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One event loop's deadline sweep, against a real gRPC server on 127.0.0.18 that answers its first call at once and
 * never its second (vertx-grpc's server does not enforce grpc-timeout unless asked, so only our deadline ends it).
 */
@ExtendWith(VertxExtension.class)
class DeadlinesTest {

  @Test
  void aShortDeadlineIsNotHeldByTheTimerOfALongerCallThatCompleted(Vertx vertx) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(GreeterGrpcService.SayHello, call -> call.handler(request -> {
      if (calls.incrementAndGet() == 1) {
        call.response().end(HelloReply.newBuilder().setMessage("first").build());
      }
    }));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.18").setPort(0))
        .requestHandler(grpc).listen().await(5, TimeUnit.SECONDS);
    GrpcClient client = GrpcClient.client(vertx);
    SocketAddress pod = SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.18");
    HelloRequest hello = HelloRequest.newBuilder().setName("deadlines").build();
    try {
      long[] secondStarted = new long[1];
      Context loop = vertx.getOrCreateContext();
      // both calls on one event loop, so they share its sweep: the 10 s call arms it, then completes
      Future<Throwable> second = Future.future(done -> loop.runOnContext(v -> GrpcCall.call(vertx, client, pod,
          GreeterGrpcClient.SayHello, hello, CallOptions.within(10_000, "10 s", Cancellation.NEVER)).compose(first -> {
            secondStarted[0] = System.nanoTime();
            return GrpcCall.call(vertx, client, pod, GreeterGrpcClient.SayHello, hello,
                CallOptions.within(100, "no reply within 100 ms", Cancellation.NEVER));
          }).onComplete(ar -> done.complete(ar.cause()))));
      Throwable failure = second.await(5, TimeUnit.SECONDS);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - secondStarted[0]);
      assertTrue(failure instanceof CallFailure, "the second call fails: " + failure);
      assertEquals(GrpcStatus.DEADLINE_EXCEEDED, ((CallFailure) failure).status(), failure.toString());
      assertTrue(tookMs < 1_000, "ended by its own 100 ms deadline, not by the first call's 10 s timer: " + tookMs
          + " ms");
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
      server.close().await(5, TimeUnit.SECONDS);
    }
  }
}

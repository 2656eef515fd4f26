package lab.grpclb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import lab.grpclb.call.CallFailure;
import lab.grpclb.config.KeepAlive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server that sends GOAWAY with a last-stream-id below streams the client has open (RFC 9113 6.8), on
 * 127.0.0.213:53213 (no other test uses it): its first connection takes the first of a burst of calls and leaves the
 * others out, so it never processed them. The shared-connection client must send those again on a new connection,
 * transparently (gRFC A6), and count them so; the call the server took is answered where it was sent.
 */
@ExtendWith(VertxExtension.class)
class GoAwayUnprocessedTest {
  static final String IP = "127.0.0.213";
  static final int PORT = 53213;
  static final HelloRequest HELLO = HelloRequest.newBuilder().setName("goaway").build();
  static final int CALLS = 20;

  @Test
  void callsAboveTheLastStreamIdAreSentAgainOnANewConnection(Vertx vertx) throws Exception {
    GrpcServer grpc = GrpcServer.server(vertx);
    AtomicInteger connections = new AtomicInteger();
    grpc.callHandler(GreeterGrpcService.SayHello, call -> call.handler(hello -> vertx.setTimer(50, id ->
        call.response().end(HelloReply.newBuilder().setIpAddress(IP).setMessage("hello").build()))));
    AtomicReference<HttpConnection> first = new AtomicReference<>();
    AtomicInteger firstStream = new AtomicInteger();
    AtomicInteger onFirst = new AtomicInteger();
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(IP).setPort(PORT))
        .connectionHandler(connection -> {
          connections.incrementAndGet();
          first.compareAndSet(null, connection);
        })
        .requestHandler(request -> {
          if (request.connection() != first.get()) {
            grpc.handle(request); // later connections serve every call
          } else if (onFirst.incrementAndGet() == 1) {
            firstStream.set(request.streamId());
            grpc.handle(request); // the first connection takes its first call
          } else {
            request.pause(); // and leaves the burst's others alone
            if (onFirst.get() == CALLS) {
              request.connection().goAway(0, firstStream.get()); // the others were never processed
            }
          }
        })
        .listen().await(5, TimeUnit.SECONDS);
    SharedChannel channel = new SharedChannel(vertx, SocketAddress.inetSocketAddress(PORT, IP), 5_000, 5_000,
        KeepAlive.OFF);
    channel.warmUp().await(5, TimeUnit.SECONDS);

    List<Future<HelloReply>> calls = Future.<List<Future<HelloReply>>>future(started ->
        channel.preferredContext().runOnContext(v -> {
          List<Future<HelloReply>> burst = new ArrayList<>();
          for (int i = 0; i < CALLS; i++) {
            burst.add(channel.sayHello(HELLO)); // from the connection's event loop: all on the first connection
          }
          started.complete(burst);
        })).await(5, TimeUnit.SECONDS);
    Future.join(calls).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    List<String> failed = new ArrayList<>();
    for (Future<HelloReply> call : calls) {
      if (call.failed()) {
        failed.add(CallFailure.of(call.cause()).toString());
      }
    }
    assertEquals(List.of(), failed, "every call answered");
    assertEquals(CALLS - 1, channel.retries().transparent(), "each call left out of the GOAWAY, sent again once");
    assertEquals(0, channel.retries().policy());
    assertEquals(2, connections.get(), "the calls sent again went on a new connection");
    channel.close().await(5, TimeUnit.SECONDS);
    server.close().await(5, TimeUnit.SECONDS);
  }
}

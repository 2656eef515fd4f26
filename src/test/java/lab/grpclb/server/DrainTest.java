package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.call.CallFailure;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A draining pod finishes the calls it has and takes no new connections. */
@ExtendWith(VertxExtension.class)
class DrainTest {
  static final HelloRequest HELLO = HelloRequest.newBuilder().setName("drain").build();

  @Test
  void callsInFlightWhenTheDrainStartsCompleteOk(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.13", 400);
    SharedChannel before = new SharedChannel(vertx, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
    before.warmUp().await(5, TimeUnit.SECONDS);
    Future<HelloReply> inFlight = before.sayHello(HELLO);
    Await.until(() -> server.greeter().callsInFlight() == 1, "the call waits on the server's timer");
    Future<Void> drained = server.drain(5_000);
    assertTrue(server.draining());

    SharedChannel after = new SharedChannel(vertx, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
    CallFailure failure = CallFailure.of(after.sayHello(HELLO).map(r -> (Throwable) null)
        .otherwise(e -> e).await(5, TimeUnit.SECONDS));
    assertEquals(GrpcStatus.UNAVAILABLE, failure.status(), "a draining pod refuses new connections");
    assertTrue(failure.unprocessed(), "refused before anything was written, so safe to send elsewhere: " + failure);

    assertEquals("127.0.0.13", inFlight.await(5, TimeUnit.SECONDS).getIpAddress());
    drained.await(5, TimeUnit.SECONDS);
    assertEquals(1, server.greeter().callsServed());
    before.close();
    after.close();
  }

  /**
   * Calls on the wire when the drain starts (sent before the client saw the GOAWAY) reach a server that has
   * nothing in flight yet: it must not close under them. Each is served or refused (REFUSED_STREAM, safe to
   * send again), never broken. Repeated, because it is a race.
   */
  @Test
  void callsOnTheWireWhenTheDrainStartsAreServedOrRefusedNeverBroken(Vertx vertx) throws Exception {
    int broken = 0;
    int refused = 0;
    java.util.Set<String> brokenBy = new java.util.TreeSet<>();
    // the frames the draining pod ignores, one INFO line each before KnownVertxNoise dropped them (3 049 here)
    Logger decoder = Logger.getLogger("io.netty.handler.codec.http2.DefaultHttp2ConnectionDecoder");
    AtomicInteger decoderLines = new AtomicInteger();
    Handler counting = new Handler() {
      @Override
      public void publish(LogRecord record) {
        decoderLines.incrementAndGet();
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    decoder.addHandler(counting);
    for (int round = 0; round < 20; round++) {
      GreeterServer server = Greeters.start(vertx, "127.0.0.13", 0);
      SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
      channel.warmUp().await(5, TimeUnit.SECONDS);
      java.util.List<Future<HelloReply>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
      io.vertx.core.Promise<Void> fired = io.vertx.core.Promise.promise();
      channel.preferredContext().runOnContext(v -> {
        for (int i = 0; i < 300; i++) {
          calls.add(channel.sayHello(HELLO));
        }
        fired.complete();
      });
      fired.future().await(5, TimeUnit.SECONDS);
      server.drain(5_000).await(10, TimeUnit.SECONDS);
      for (Future<HelloReply> call : calls) {
        Throwable error = call.map(r -> (Throwable) null).otherwise(e -> e).await(10, TimeUnit.SECONDS);
        if (error != null && CallFailure.of(error).unprocessed()) {
          refused++;
        } else if (error != null) {
          broken++;
          brokenBy.add("round " + round + ": " + CallFailure.of(error));
        }
      }
      channel.close().await(5, TimeUnit.SECONDS);
    }
    decoder.removeHandler(counting);
    assertEquals(0, broken, "calls broken by the drain (" + refused + " were refused, safe to send again): " + brokenBy);
    assertEquals(0, decoderLines.get(), "lines logged by Netty's HTTP/2 decoder during the drains");
  }
}

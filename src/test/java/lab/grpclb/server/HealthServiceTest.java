package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pod's grpc.health.v1 service as grpc-java's client sees it: Watch sends the status at once and each change as
 * it happens (Vert.x's own service polled on a timer), keeps a Watch for an unknown service open, turns NOT_SERVING
 * with the drain, and forgets a Watch its client cancels.
 */
@ExtendWith(VertxExtension.class)
class HealthServiceTest {
  static final String GREETER = "experiment.Greeter";
  static final MethodDescriptor<HealthCheckRequest, HealthCheckResponse> CHECK = method("Check",
      MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<HealthCheckRequest, HealthCheckResponse> WATCH = method("Watch",
      MethodDescriptor.MethodType.SERVER_STREAMING);

  GreeterServer server;
  ManagedChannel channel;

  static MethodDescriptor<HealthCheckRequest, HealthCheckResponse> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<HealthCheckRequest, HealthCheckResponse>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("grpc.health.v1.Health", name))
        .setRequestMarshaller(ProtoUtils.marshaller(HealthCheckRequest.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(HealthCheckResponse.getDefaultInstance()))
        .build();
  }

  void start(Vertx vertx) throws Exception {
    server = Greeters.start(vertx, "127.0.0.14", 10);
    channel = NettyChannelBuilder.forAddress("127.0.0.14", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.kill().await(5, TimeUnit.SECONDS);
  }

  /** A Watch whose answers (and its end, as null) land in a queue. */
  static final class WatchedHealth implements StreamObserver<HealthCheckResponse> {
    final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    ClientCall<HealthCheckRequest, HealthCheckResponse> call;

    static WatchedHealth open(ManagedChannel channel, String service) {
      WatchedHealth watch = new WatchedHealth();
      watch.call = channel.newCall(WATCH, CallOptions.DEFAULT);
      ClientCalls.asyncServerStreamingCall(watch.call, HealthCheckRequest.newBuilder().setService(service).build(), watch);
      return watch;
    }

    ServingStatus next() throws InterruptedException {
      Object answer = seen.poll(5, TimeUnit.SECONDS);
      assertTrue(answer instanceof HealthCheckResponse, "an answer, got " + answer);
      return ((HealthCheckResponse) answer).getStatus();
    }

    @Override
    public void onNext(HealthCheckResponse value) {
      seen.add(value);
    }

    @Override
    public void onError(Throwable t) {
      seen.add(Status.fromThrowable(t).getCode());
    }

    @Override
    public void onCompleted() {
      seen.add("completed");
    }
  }

  @Test
  void aWatchGetsTheStatusAtOnceAndEachChangeAsItHappens(Vertx vertx) throws Exception {
    start(vertx);
    WatchedHealth greeter = WatchedHealth.open(channel, GREETER);
    WatchedHealth whole = WatchedHealth.open(channel, "");
    assertEquals(ServingStatus.SERVING, greeter.next());
    assertEquals(ServingStatus.SERVING, whole.next());
    long flipped = System.nanoTime();
    server.health(ServingStatus.NOT_SERVING);
    assertEquals(ServingStatus.NOT_SERVING, greeter.next());
    long pushedMs = (System.nanoTime() - flipped) / 1_000_000;
    assertEquals(ServingStatus.NOT_SERVING, whole.next());
    assertEquals(ServingStatus.NOT_SERVING, check(""));
    server.health(ServingStatus.SERVING);
    assertEquals(ServingStatus.SERVING, greeter.next());
    assertEquals(ServingStatus.SERVING, whole.next());
    assertTrue(pushedMs < 1_000, "pushed, not polled: " + pushedMs + " ms");
    assertNull(greeter.seen.poll(100, TimeUnit.MILLISECONDS), "one message per change");
  }

  @Test
  void anUnknownServiceIsServiceUnknownOnAnOpenWatchAndNotFoundOnCheck(Vertx vertx) throws Exception {
    start(vertx);
    WatchedHealth unknown = WatchedHealth.open(channel, "shop.Cart");
    assertEquals(ServingStatus.SERVICE_UNKNOWN, unknown.next());
    assertNull(unknown.seen.poll(300, TimeUnit.MILLISECONDS), "health.proto: the Watch stays open");
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> check("shop.Cart"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals(ServingStatus.SERVING, check(GREETER));
  }

  @Test
  void theDrainTurnsEveryWatchNotServingForGood(Vertx vertx) throws Exception {
    start(vertx);
    WatchedHealth greeter = WatchedHealth.open(channel, GREETER);
    assertEquals(ServingStatus.SERVING, greeter.next());
    server.drain(2_000);
    assertEquals(ServingStatus.NOT_SERVING, greeter.next());
    server.health(ServingStatus.SERVING);
    assertEquals(ServingStatus.NOT_SERVING, server.health(), "a draining pod stays NOT_SERVING");
  }

  @Test
  void aWatchItsClientCancelsIsForgotten(Vertx vertx) throws Exception {
    start(vertx);
    WatchedHealth greeter = WatchedHealth.open(channel, GREETER);
    assertEquals(ServingStatus.SERVING, greeter.next());
    assertEquals(1, server.healthWatchers());
    greeter.call.cancel("done", null);
    Await.until(() -> server.healthWatchers() == 0, "the cancelled Watch is forgotten");
    WatchedHealth another = WatchedHealth.open(channel, GREETER);
    assertEquals(ServingStatus.SERVING, another.next());
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Await.until(() -> server.healthWatchers() == 0, "a Watch whose connection went is forgotten");
  }

  ServingStatus check(String service) {
    return ClientCalls.blockingUnaryCall(channel, CHECK, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
        HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }
}

package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.Cancellation;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.interop.GrpcJava;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A greeter's SETTINGS_MAX_CONCURRENT_STREAMS (--max-concurrent-streams) on 127.0.0.180-184 (no other test uses
 * them): the server advertises it, and our client, firing far more calls at once on its one connection, keeps the
 * excess waiting on its side (Vert.x's UnpooledHttpClientConnection queues a stream past the peer's limit until one
 * closes) so every call succeeds, in waves of the limit; grpc-java's client does the same.
 */
@ExtendWith(VertxExtension.class)
class MaxConcurrentStreamsTest {
  private static final int LIMIT = 10;
  private static final int CALLS = 200;
  private static final int DELAY_MS = 40;

  @Test
  void theServersSettingsCarryTheLimit(Vertx vertx) throws Exception {
    GreeterServer server = start(vertx, "127.0.0.180");
    HttpClientAgent agent = vertx.httpClientBuilder().with(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)).build();
    HttpClientConnection connection = agent.connect(new HttpConnectOptions()
        .setServer(Greeters.address(server))).await(5, TimeUnit.SECONDS);
    assertEquals(LIMIT, connection.remoteSettings().getMaxConcurrentStreams());
    assertEquals(LIMIT, connection.maxActiveStreams(), "the client side takes the server's limit as its own");
    agent.close().await(5, TimeUnit.SECONDS);
    server.kill().await(5, TimeUnit.SECONDS);
  }

  @Test
  void ourClientQueuesCallsPastTheLimitAndEveryOneSucceeds(Vertx vertx) throws Exception {
    GreeterServer server = start(vertx, "127.0.0.181");
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000, KeepAlive.OFF);
    channel.warmUp().await(5, TimeUnit.SECONDS);
    AtomicLong mostInFlight = new AtomicLong();
    long sampler = vertx.setPeriodic(2, id -> mostInFlight.accumulateAndGet(server.greeter().callsInFlight(), Math::max));

    long started = System.nanoTime();
    List<Future<HelloReply>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) { // all at once, as a burst fires them
      calls.add(channel.sayHello(HelloRequest.newBuilder().setName("call " + i).build(), Cancellation.NEVER));
    }
    Future.join(calls).await(20, TimeUnit.SECONDS);
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    vertx.cancelTimer(sampler);

    long failed = calls.stream().filter(Future::failed).count();
    assertEquals(0, failed, "failed: " + calls.stream().filter(Future::failed).map(f -> f.cause().toString())
        .distinct().toList());
    assertEquals(CALLS, server.greeter().callsServed());
    assertTrue(mostInFlight.get() <= LIMIT, "the server never held more than its limit: " + mostInFlight.get());
    assertTrue(elapsedMs >= (CALLS / LIMIT - 1) * DELAY_MS,
        "in waves of " + LIMIT + ": " + CALLS / LIMIT + " x " + DELAY_MS + " ms at least, took " + elapsedMs + " ms");
    System.out.println("max concurrent streams " + LIMIT + ": " + CALLS + " calls at once, 0 failed, " + elapsedMs
        + " ms, at most " + mostInFlight.get() + " in flight on the server");
    channel.close().await(5, TimeUnit.SECONDS);
    server.kill().await(5, TimeUnit.SECONDS);
  }

  /**
   * Calls cancelled while they wait for a stream (a run stopped, deadlines passing in the queue) give their place
   * back: the connection still carries its full limit afterwards, and later calls all succeed.
   */
  @Test
  void callsCancelledWhileWaitingForAStreamLeaveTheLimitWhole(Vertx vertx) throws Exception {
    GreeterServer server = start(vertx, "127.0.0.183");
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000, KeepAlive.OFF);
    channel.warmUp().await(5, TimeUnit.SECONDS);
    Cancellation stop = new Cancellation();
    List<Future<HelloReply>> cancelled = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      cancelled.add(channel.sayHello(HelloRequest.newBuilder().setName("cancelled " + i).build(), stop));
    }
    Thread.sleep(DELAY_MS / 2); // the first LIMIT calls are at the server, the others wait on the client
    stop.cancel(new CallFailure(GrpcStatus.CANCELLED, "stopped by the test"));
    Future.join(cancelled).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    assertTrue(cancelled.stream().allMatch(Future::failed), "every call was cancelled");

    long started = System.nanoTime();
    List<Future<HelloReply>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      calls.add(channel.sayHello(HelloRequest.newBuilder().setName("call " + i).build(), Cancellation.NEVER));
    }
    Future.join(calls).otherwiseEmpty().await(20, TimeUnit.SECONDS);
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(0, calls.stream().filter(Future::failed).count(), "failed: " + calls.stream()
        .filter(Future::failed).map(f -> f.cause().toString()).distinct().toList());
    assertTrue(elapsedMs < 2L * CALLS / LIMIT * DELAY_MS, "still " + LIMIT + " at a time: " + elapsedMs + " ms");
    channel.close().await(5, TimeUnit.SECONDS);
    server.kill().await(5, TimeUnit.SECONDS);
  }

  /** grpc-java's Netty transport buffers streams past the server's limit too (its StreamBufferingEncoder). */
  @Test
  void grpcJavaQueuesCallsPastTheLimitToo(Vertx vertx) throws Exception {
    GreeterServer server = start(vertx, "127.0.0.184");
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.184", server.port()).usePlaintext().build();
    try {
      AtomicLong mostInFlight = new AtomicLong();
      long sampler = vertx.setPeriodic(2, id -> mostInFlight.accumulateAndGet(server.greeter().callsInFlight(), Math::max));
      List<ListenableFuture<HelloReply>> calls = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        calls.add(ClientCalls.futureUnaryCall(channel.newCall(GrpcJava.SAY_HELLO,
            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), HelloRequest.newBuilder().setName("call " + i).build()));
      }
      List<HelloReply> replies = Futures.successfulAsList(calls).get(20, TimeUnit.SECONDS);
      vertx.cancelTimer(sampler);
      assertEquals(CALLS, replies.stream().filter(Objects::nonNull).count(), "every grpc-java call answered");
      assertTrue(mostInFlight.get() <= LIMIT, "the server never held more than its limit: " + mostInFlight.get());
    } finally {
      channel.shutdownNow();
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Calls waiting for a stream when the connection drops end at once, unprocessed: the pod crashes with 10 calls in
   * flight and 190 queued on our side, which Vert.x 5.0.7 never fails (they used to wait for their 10 s deadline).
   * With nothing to send them to, they fail UNAVAILABLE, not DEADLINE_EXCEEDED.
   */
  @Test
  void callsWaitingForAStreamWhenTheConnectionDropsEndAtOnce(Vertx vertx) throws Exception {
    GreeterServer server = new GreeterServer(vertx, ServerConfig.forPod("127.0.0.182", 0, 1_000)
        .withMaxConcurrentStreams(LIMIT)).start().await(10, TimeUnit.SECONDS);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000, KeepAlive.OFF);
    channel.warmUp().await(5, TimeUnit.SECONDS);
    List<Future<HelloReply>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      calls.add(channel.sayHello(HelloRequest.newBuilder().setName("call " + i).build(), Cancellation.NEVER));
    }
    Await.until(() -> server.greeter().callsInFlight() == LIMIT, "the first wave held by the server");
    long killed = System.nanoTime();
    server.kill().await(5, TimeUnit.SECONDS);
    Future.join(calls).otherwiseEmpty().await(20, TimeUnit.SECONDS);
    long afterMs = (System.nanoTime() - killed) / 1_000_000;
    assertTrue(afterMs < 3_000, "every call ended soon after the crash, not at its 10 s deadline: " + afterMs + " ms");
    List<GrpcStatus> statuses = calls.stream().map(f -> ((CallFailure) f.cause()).status()).distinct().toList();
    assertEquals(List.of(GrpcStatus.UNAVAILABLE), statuses);
    channel.close().await(5, TimeUnit.SECONDS);
  }

  private static GreeterServer start(Vertx vertx, String ip) throws Exception {
    return new GreeterServer(vertx, ServerConfig.forPod(ip, 0, DELAY_MS).withMaxConcurrentStreams(LIMIT)).start()
        .await(10, TimeUnit.SECONDS);
  }
}

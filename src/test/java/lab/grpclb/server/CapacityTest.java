package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.call.CallFailure;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.config.ServiceTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real greeter on 127.0.0.160:50600 with capacity 2 and a queue of 2, over a real HTTP/2 connection: of six calls
 * sent at once, two are served, two wait their turn, and two are refused at once with RESOURCE_EXHAUSTED naming
 * the limit. Only lower bounds on time are asserted: a loaded machine makes calls slower, never faster.
 */
@ExtendWith(VertxExtension.class)
class CapacityTest {
  static final String POD_IP = "127.0.0.160";
  static final int PORT = 50600;
  static final int DELAY_MS = 300;
  static final HelloRequest HELLO = HelloRequest.newBuilder().setName("capacity").build();

  @Test
  void aFullPodQueuesThenRefusesWithResourceExhausted(Vertx vertx) throws Exception {
    GreeterServer server = new GreeterServer(vertx, ServerConfig.forPod(POD_IP, PORT, DELAY_MS)
        .withCapacity(new Capacity(2, 2, ServiceTime.FIXED))).start().await(10, TimeUnit.SECONDS);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000, KeepAlive.OFF);
    try {
      channel.warmUp().await(5, TimeUnit.SECONDS);
      long sent = System.nanoTime();
      List<Future<Throwable>> calls = new ArrayList<>();
      List<Long> okAtMs = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(channel.sayHello(HELLO).onSuccess(r -> okAtMs.add((System.nanoTime() - sent) / 1_000_000))
            .map(r -> (Throwable) null).otherwise(e -> e));
      }
      // all six seen: the test's thread may read the load between the server's 4th and 5th call of one read
      Await.until(() -> server.load().queueLength() == 2 && server.load().refused() == 2,
          "two calls waiting, two refused");
      ServerLoad full = server.load();
      assertEquals(2, full.inService(), full.toString());
      assertEquals(1.0, full.utilization(), full.toString());
      assertEquals(2, full.refused(), full.toString());

      List<CallFailure> failures = new ArrayList<>();
      for (Future<Throwable> call : calls) {
        Throwable failed = call.await(10, TimeUnit.SECONDS);
        if (failed != null) {
          failures.add(CallFailure.of(failed));
        }
      }
      assertEquals(2, failures.size(), failures.toString());
      for (CallFailure failure : failures) {
        assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, failure.status(), failure.toString());
        assertTrue(failure.reason().contains("--queue-limit 2"), failure.reason());
      }
      assertEquals(4, okAtMs.size());
      assertTrue(okAtMs.stream().sorted().toList().get(2) >= 2 * DELAY_MS - 5,
          "the third reply waited for a slot: " + okAtMs);
      assertEquals(4, server.greeter().callsServed());
      Await.until(() -> refusedPerServed(server.load()) == 0.5, "a tick after the last reply: 2 refused to 4 served");
      ServerLoad after = server.load();
      assertTrue(after.queueWaitP99Ms() >= DELAY_MS - 5, "two calls waited a service time: " + after);
      assertEquals(0, after.inService());
    } finally {
      channel.close();
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPodWithoutCapacityKeepsThePlainTimerAndReportsItsCallsInService(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, POD_IP, PORT + 1, DELAY_MS);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000, KeepAlive.OFF);
    try {
      channel.warmUp().await(5, TimeUnit.SECONDS);
      List<Future<HelloReply>> calls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        calls.add(channel.sayHello(HELLO));
      }
      Await.until(() -> server.load().inService() == 5, "all five served at once");
      assertEquals(null, server.greeter().queue(), "no queue: the default path is the plain timer");
      ServerLoad load = server.load();
      assertEquals(0, load.capacity());
      assertEquals(0, load.queueLength());
      assertEquals(0.0, load.utilization(), "unlimited capacity is never busy");
      for (Future<HelloReply> call : calls) {
        assertEquals(POD_IP, call.await(10, TimeUnit.SECONDS).getIpAddress());
      }
      server.capacity(new Capacity(1, Capacity.UNLIMITED_QUEUE, ServiceTime.FIXED)).await(5, TimeUnit.SECONDS);
      Future<HelloReply> first = channel.sayHello(HELLO);
      Future<HelloReply> second = channel.sayHello(HELLO);
      Await.until(() -> server.load().queueLength() == 1, "a capacity set at run time queues the second call");
      first.await(10, TimeUnit.SECONDS);
      second.await(10, TimeUnit.SECONDS);
    } finally {
      channel.close();
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }

  /** Over the window: calls refused (errors) per call served (answered without error). */
  static double refusedPerServed(ServerLoad load) {
    double served = load.rps() - load.eps();
    return served > 0 ? Math.round(load.eps() / served * 1e6) / 1e6 : -1;
  }
}

package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.LogCapture;
import lab.grpclb.RawHttp2;
import lab.grpclb.call.CallFailure;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A frozen pod is silent at the socket level, as a process stopped in a GC pause is: no PING ACK, no reply, and a new
 * connection completes in the kernel but gets no HTTP/2 byte; every socket stays open. Unfrozen, the held PING ACK
 * and reply go out, late, and the waiting connection gets its SETTINGS.
 */
@ExtendWith(VertxExtension.class)
class FreezeTest {
  static final String POD = "127.0.0.212";
  static final HelloRequest HELLO = HelloRequest.newBuilder().setName("freeze").build();
  /** Loopback answers a PING in well under a millisecond: this much silence is no accident. */
  static final long SILENT_MS = 600;
  static final int DELAY_MS = 300;
  static final byte[] PAYLOAD = {1, 2, 3, 4, 5, 6, 7, 8};

  @Test
  void aFrozenPodSendsNoPingAckNoReplyAndNoSettingsUntilItIsUnfrozen(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, POD, DELAY_MS);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000, KeepAlive.OFF);
    try (RawHttp2 open = new RawHttp2(POD, server.port())) {
      assertTrue(open.handshake(2_000), "the server's SETTINGS");
      open.ping(new byte[8]);
      assertTrue(open.pingAcked(new byte[8], 2_000), "answered while it runs");
      channel.warmUp().await(5, TimeUnit.SECONDS);
      Future<HelloReply> before = channel.sayHello(HELLO);
      Await.until(() -> server.greeter().callsInFlight() == 1, "a call waits on its reply timer");
      long served = server.greeter().callsServed();

      server.freeze().await(5, TimeUnit.SECONDS);
      assertTrue(server.frozen());
      open.ping(PAYLOAD);
      Future<HelloReply> after = channel.sayHello(HELLO);
      try (RawHttp2 late = new RawHttp2(POD, server.port())) { // the kernel's backlog completes the connect
        assertFalse(late.handshake(SILENT_MS), "a frozen pod sends a new connection no SETTINGS");
        assertFalse(open.pingAcked(PAYLOAD, 1), "no PING ACK from a frozen pod");
        assertFalse(before.isComplete(), "no reply from a frozen pod");
        assertFalse(after.isComplete(), "a frozen pod reads no call");
        assertEquals(served + 1, server.greeter().callsServed(), "the reply timer ran, but its reply is held");
        assertEquals(0, server.greeter().callsInFlight(), "the call sent after the freeze was never read");

        server.unfreeze().await(5, TimeUnit.SECONDS);
        assertFalse(server.frozen());
        assertTrue(open.pingAcked(PAYLOAD, 2_000), "the held PING ACK goes out");
        assertEquals(POD, before.await(2, TimeUnit.SECONDS).getIpAddress(), "the held reply goes out, late");
        assertEquals(POD, after.await(2, TimeUnit.SECONDS).getIpAddress(), "the call is read and served now");
        assertTrue(late.handshake(2_000), "the waiting connection is accepted and gets the server's SETTINGS");
        late.ping(PAYLOAD);
        assertTrue(late.pingAcked(PAYLOAD, 2_000));
      }
    } finally {
      channel.close();
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPodKilledWhileFrozenClosesItsSocketsAndNeverSendsWhatItHeld(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, POD, DELAY_MS);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000, KeepAlive.OFF);
    try {
      channel.warmUp().await(5, TimeUnit.SECONDS);
      Future<HelloReply> call = channel.sayHello(HELLO);
      Await.until(() -> server.greeter().callsInFlight() == 1, "a call waits on its reply timer");
      server.freeze().await(5, TimeUnit.SECONDS);
      assertTrue(server.freeze().failed(), "a frozen pod cannot be frozen again");
      Await.until(() -> server.greeter().callsInFlight() == 0, "its reply is written, and held");
      server.kill().await(5, TimeUnit.SECONDS);
      assertFalse(server.frozen());
      CallFailure failure = CallFailure.of(call.map(r -> (Throwable) null).otherwise(e -> e).await(5, TimeUnit.SECONDS));
      assertEquals(GrpcStatus.UNAVAILABLE, failure.status(), "the held reply never leaves: the connection closes first");
    } finally {
      channel.close();
    }
  }

  /**
   * A client that gives up on a frozen pod (its calls past their deadline) and closes: the pod's socket goes, and the
   * replies it held are dropped quietly; unfrozen, it serves again.
   */
  @Test
  void aClientLeavingAFrozenPodLeavesNoStackTrace(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, POD, DELAY_MS);
    try (LogCapture log = LogCapture.start()) {
      for (int round = 0; round < 3; round++) {
        SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 3 * DELAY_MS, 5_000, KeepAlive.OFF);
        channel.warmUp().await(5, TimeUnit.SECONDS);
        List<Future<HelloReply>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
          calls.add(channel.sayHello(HELLO));
        }
        Await.until(() -> server.greeter().callsInFlight() == 20, "20 calls wait on their reply timers");
        server.freeze().await(5, TimeUnit.SECONDS);
        Await.until(() -> server.greeter().callsInFlight() == 0, "their replies are written, and held");
        Future.join(calls).otherwiseEmpty().await(5, TimeUnit.SECONDS); // past their deadline
        channel.close().await(5, TimeUnit.SECONDS);
        Thread.sleep(300); // the kernel tells the frozen pod's socket its peer is gone
        server.unfreeze().await(5, TimeUnit.SECONDS);
      }
      SharedChannel after = new SharedChannel(vertx, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
      assertEquals(POD, after.sayHello(HELLO).await(5, TimeUnit.SECONDS).getIpAddress());
      after.close();
      assertEquals(List.of(), log.lines(), "no warning, no stack trace");
    } finally {
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }
}

package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.PacketDrops;
import lab.grpclb.RawHttp2;
import lab.grpclb.call.CallFailure;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node that loses its network, for real: iptables drops every packet to and from the pod's address on established
 * HTTP/2 connections. No RST and no FIN arrive; a PING gets no ACK and a call no reply. Once the rules go, TCP
 * retransmits and the same connections carry both. Skipped, saying why, without root and iptables.
 */
@ExtendWith(VertxExtension.class)
class PacketDropTest {
  /** Outside the local clusters' pod range (127.0.0.2-199), so no other test's pod is ever cut off. */
  static final String POD = "127.0.0.211";
  static final int PORT = 50163;
  /** Loopback answers within a millisecond while packets flow. */
  static final long SILENT_MS = 1_000;
  static final byte[] PAYLOAD = {4, 2, 4, 2, 4, 2, 4, 2};

  @Test
  void aConnectionWhosePacketsAreDroppedCarriesNothingAndNoResetArrives(Vertx vertx) throws Exception {
    PacketDrops drops = PacketDrops.assumeAvailable();
    GreeterServer server = Greeters.start(vertx, POD, PORT, 20);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 30_000, 5_000, KeepAlive.OFF);
    try (RawHttp2 raw = new RawHttp2(POD, PORT)) {
      assertTrue(raw.handshake(2_000), "the server's SETTINGS");
      raw.ping(new byte[8]);
      assertTrue(raw.pingAcked(new byte[8], 2_000), "a PING is answered while packets flow");
      channel.warmUp().await(5, TimeUnit.SECONDS);
      Future<HelloReply> call;
      try {
        drops.dropAll(POD);
        raw.ping(PAYLOAD);
        call = channel.sayHello(HelloRequest.newBuilder().setName("dropped").build());
        assertFalse(raw.pingAcked(PAYLOAD, SILENT_MS), "no PING ACK through dropped packets");
        assertFalse(call.isComplete(), "no reply, and no reset either: the call just waits");
        assertEquals(1, channel.connectionsOpen(), "the client still holds its connection open");
      } finally {
        drops.close();
      }
      assertTrue(raw.pingAcked(PAYLOAD, 15_000), "TCP retransmits once the rules are gone: the ACK arrives late");
      assertEquals(POD, call.await(15, TimeUnit.SECONDS).getIpAddress());
    } finally {
      drops.close();
      channel.close();
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }

  /** The same dropped packets, with keepalive on: the client finds the dead connection long before the deadline. */
  @Test
  void keepaliveFindsAConnectionWhosePacketsAreDropped(Vertx vertx) throws Exception {
    PacketDrops drops = PacketDrops.assumeAvailable();
    GreeterServer server = Greeters.start(vertx, POD, PORT, 20);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 30_000, 5_000,
        new KeepAlive(300, 300, false));
    try {
      channel.warmUp().await(5, TimeUnit.SECONDS);
      long sent = System.nanoTime();
      Future<HelloReply> call;
      try {
        drops.dropAll(POD);
        call = channel.sayHello(HelloRequest.newBuilder().setName("dropped").build());
        Throwable failed = call.transform(ar -> Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
        long waitedMs = (System.nanoTime() - sent) / 1_000_000;
        assertTrue(failed != null && CallFailure.of(failed).transportFailure(), "the connection was closed: " + failed);
        assertTrue(waitedMs < 5_000, "found by keepalive (300 ms + 300 ms), not the 30 s deadline: " + waitedMs + " ms");
      } finally {
        drops.close();
      }
      channel.warmUp().await(15, TimeUnit.SECONDS); // as an experiment starts: skip the reconnect backoff
      assertEquals(POD, channel.sayHello(HelloRequest.newBuilder().setName("after").build())
          .await(15, TimeUnit.SECONDS).getIpAddress(), "a new connection once packets flow again");
    } finally {
      drops.close();
      channel.close();
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }
}

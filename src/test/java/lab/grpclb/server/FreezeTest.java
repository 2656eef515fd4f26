package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.call.CallFailure;
import lab.grpclb.client.SharedChannel;
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
  /** The client preface and an empty SETTINGS frame (RFC 9113 3.4). */
  static final byte[] PREFACE = concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
      new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});

  @Test
  void aFrozenPodSendsNoPingAckNoReplyAndNoSettingsUntilItIsUnfrozen(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, POD, DELAY_MS);
    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000);
    try {
      HttpClientConnection connection = http.connect(new HttpConnectOptions().setHost(POD).setPort(server.port()))
          .await(5, TimeUnit.SECONDS);
      connection.ping(Buffer.buffer(new byte[8])).await(2, TimeUnit.SECONDS); // answered while it runs
      channel.warmUp().await(5, TimeUnit.SECONDS);
      Future<HelloReply> before = channel.sayHello(HELLO);
      Await.until(() -> server.greeter().callsInFlight() == 1, "a call waits on its reply timer");
      long served = server.greeter().callsServed();

      server.freeze().await(5, TimeUnit.SECONDS);
      assertTrue(server.frozen());
      Future<Buffer> ping = connection.ping(Buffer.buffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
      Future<HelloReply> after = channel.sayHello(HELLO);
      try (Socket late = new Socket()) {
        late.connect(new InetSocketAddress(POD, server.port()), 2_000); // the kernel's backlog completes it
        OutputStream out = late.getOutputStream();
        out.write(PREFACE);
        out.flush();
        late.setSoTimeout((int) SILENT_MS);
        InputStream in = late.getInputStream();
        assertThrows(SocketTimeoutException.class, in::read, "a frozen pod sends a new connection no SETTINGS");
        assertFalse(ping.isComplete(), "no PING ACK from a frozen pod");
        assertFalse(before.isComplete(), "no reply from a frozen pod");
        assertFalse(after.isComplete(), "a frozen pod reads no call");
        assertEquals(served + 1, server.greeter().callsServed(), "the reply timer ran, but its reply is held");
        assertEquals(0, server.greeter().callsInFlight(), "the call sent after the freeze was never read");

        server.unfreeze().await(5, TimeUnit.SECONDS);
        assertFalse(server.frozen());
        assertEquals(8, ping.await(2, TimeUnit.SECONDS).length(), "the held PING ACK goes out");
        assertEquals(POD, before.await(2, TimeUnit.SECONDS).getIpAddress(), "the held reply goes out, late");
        assertEquals(POD, after.await(2, TimeUnit.SECONDS).getIpAddress(), "the call is read and served now");
        late.setSoTimeout(2_000);
        byte[] header = in.readNBytes(9);
        assertEquals(4, header[3], "the waiting connection is accepted and gets the server's SETTINGS");
      }
      connection.ping(Buffer.buffer(new byte[8])).await(2, TimeUnit.SECONDS);
    } finally {
      channel.close();
      http.close();
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPodKilledWhileFrozenClosesItsSocketsAndNeverSendsWhatItHeld(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, POD, DELAY_MS);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 10_000, 5_000);
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

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}

package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloRequest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.LogCapture;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Whatever a client sends or does to the greeter's port, the pod logs no stack trace and keeps serving. */
@ExtendWith(VertxExtension.class)
class HostileClientsTest {
  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void garbageHalfOpenAndResetConnectionsLeaveTheLogCleanAndTheServerServing(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.21", 10);
    NetClient tcp = vertx.createNetClient(new NetClientOptions().setSoLinger(0)); // close() sends a TCP RST
    try (LogCapture log = LogCapture.start()) {
      send(tcp, server, Buffer.buffer("\u0000\u00ff garbage \r\n\r\n not http at all"));
      send(tcp, server, Buffer.buffer(PREFACE).appendString("\u0000\u0000\u0004\u00ff\u0000 definitely not a frame"));
      send(tcp, server, Buffer.buffer(PREFACE));  // half-open: the preface, then silence, then a reset
      send(tcp, server, Buffer.buffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
      assertEquals("127.0.0.21", channel.sayHello(HelloRequest.newBuilder().setName("after").build())
          .await(5, TimeUnit.SECONDS).getIpAddress(), "the pod still serves");
      channel.close().await(5, TimeUnit.SECONDS);
      assertTrue(log.lines().isEmpty(), "nothing logged: " + log.lines());
    } finally {
      tcp.close().await(5, TimeUnit.SECONDS);
      server.kill().await(5, TimeUnit.SECONDS);
    }
  }

  /** Connects, writes the bytes, waits a little (reading whatever comes back), and closes with a reset. */
  private static void send(NetClient tcp, GreeterServer server, Buffer bytes) throws Exception {
    NetSocket socket = tcp.connect(Greeters.address(server)).await(5, TimeUnit.SECONDS);
    socket.handler(reply -> { });
    socket.write(bytes).await(5, TimeUnit.SECONDS);
    Thread.sleep(100);
    socket.close().await(5, TimeUnit.SECONDS);
  }
}

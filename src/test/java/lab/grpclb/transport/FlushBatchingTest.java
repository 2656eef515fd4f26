package lab.grpclb.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Flush batching must reach the connections our channels really use: {@code HttpClientAgent.connect()} hands
 * out a wrapper that hides the channel, and without the batching every call costs a write syscall (once
 * lost silently, which made a firing client spend 40 % of its event loop in write).
 */
@ExtendWith(VertxExtension.class)
class FlushBatchingTest {

  @Test
  void installsOnAConnectionFromHttpClientAgentConnect(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.5", 0);
    HttpClientAgent agent = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
        .build();
    try {
      HttpClientConnection connection = agent.connect(new HttpConnectOptions().setServer(Greeters.address(server)))
          .await(10, TimeUnit.SECONDS);
      assertFalse(FlushBatching.installed(connection));
      FlushBatching.install(connection);
      assertTrue(FlushBatching.installed(connection));
      FlushBatching.install(connection); // a second install is harmless
      assertTrue(FlushBatching.installed(connection));
      List<String> names = FlushBatching.channel(connection).pipeline().names();
      assertEquals(names.indexOf(FlushBatching.channel(connection).name()) + 1, names.indexOf("flush-batching"),
          "consolidates Vert.x's flushes before they reach the HTTP/2 handler: " + names);
      assertEquals(names.indexOf(FlushBatching.channel(connection).name()) - 1, names.indexOf("flush-every-writes"),
          "splits long writes of the frames the HTTP/2 handler encodes, in front of the socket: " + names);
    } finally {
      agent.close().await(10, TimeUnit.SECONDS);
      server.kill().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Within a read Vert.x does not flush until the read ends; the split makes sure a long run of frames (a closed
   * loop's next 100 calls) leaves in pieces, so the server starts on the first ones while the rest are encoded.
   */
  @Test
  void flushesAfterEveryLimitWritesAndCountsAgainAfterAFlush() {
    EmbeddedChannel channel = new EmbeddedChannel(new FlushEveryWrites(3));
    channel.write(Unpooled.wrappedBuffer(new byte[] {1}));
    channel.write(Unpooled.wrappedBuffer(new byte[] {2}));
    assertEquals(0, channel.outboundMessages().size(), "nothing leaves before the limit");
    channel.write(Unpooled.wrappedBuffer(new byte[] {3}));
    assertEquals(3, channel.outboundMessages().size(), "the third write flushes the three");
    channel.write(Unpooled.wrappedBuffer(new byte[] {4}));
    channel.flush(); // a flush from the HTTP/2 handler (the end of a read, a task) starts the count again
    channel.write(Unpooled.wrappedBuffer(new byte[] {5}));
    channel.write(Unpooled.wrappedBuffer(new byte[] {6}));
    assertEquals(4, channel.outboundMessages().size(), "two writes after a flush are below the limit");
    channel.write(Unpooled.wrappedBuffer(new byte[] {7}));
    assertEquals(7, channel.outboundMessages().size());
    channel.finishAndReleaseAll();
  }
}

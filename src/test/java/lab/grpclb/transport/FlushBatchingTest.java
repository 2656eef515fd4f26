package lab.grpclb.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import lab.grpclb.Greeters;
import lab.grpclb.SilentLink;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
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

  /**
   * A unary call is two frames, as grpc-java sends it: HEADERS, then one DATA with the message and END_STREAM.
   * vertx-grpc writes the message and the end apart (an empty DATA with END_STREAM after it); Netty's flow controller
   * merges the two while they wait for a flush, and the batching makes them wait. Counted by a relay between the
   * client and the greeter ({@link SilentLink}, never silenced): a burst fired at once, and closed loops whose next
   * call leaves from inside a read.
   */
  @Test
  void aCallIsItsHeadersAndOneDataFrameWithEndStream(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.5", 0);
    Map<String, Integer> frames = new ConcurrentHashMap<>(); // counted on the relay's event loop, read here
    SilentLink relay = SilentLink.start(vertx, "127.0.0.6", 0, Greeters.address(server));
    relay.tapClientBytes(() -> new FrameCounter(frames)::read);
    SharedChannel channel = new SharedChannel(vertx, SocketAddress.inetSocketAddress(relay.port(), "127.0.0.6"),
        5_000, 5_000, KeepAlive.OFF);
    try {
      HelloRequest request = HelloRequest.newBuilder().setName("frames").build();
      Future.all(IntStream.range(0, 200).mapToObj(i -> channel.sayHello(request)).toList())
          .await(10, TimeUnit.SECONDS);
      Future.all(IntStream.range(0, 10).mapToObj(i -> inTurn(channel, request, 20)).toList())
          .await(10, TimeUnit.SECONDS);
      Map<String, Integer> calls = new TreeMap<>(frames);
      calls.keySet().removeIf(type -> !type.startsWith("HEADERS") && !type.startsWith("DATA"));
      assertEquals(Map.of("HEADERS", 400, "DATA+END_STREAM", 400), calls, "every frame the client sent: " + frames);
    } finally {
      channel.close().await(10, TimeUnit.SECONDS);
      relay.close();
      server.kill().await(10, TimeUnit.SECONDS);
    }
  }

  /** {@code calls} calls one after the other: each leaves as the reply to the one before is read. */
  private static Future<HelloReply> inTurn(SharedChannel channel, HelloRequest request, int calls) {
    Future<HelloReply> call = channel.sayHello(request);
    return calls == 1 ? call : call.compose(reply -> inTurn(channel, request, calls - 1));
  }

  /** The HTTP/2 frames a client sends, by type (DATA by whether it is empty) and END_STREAM; on one event loop. */
  private static final class FrameCounter {
    private static final int PREFACE = 24;
    private static final int FRAME_HEADER = 9;
    private final Map<String, Integer> frames;
    private Buffer pending = Buffer.buffer();
    private boolean prefaceRead;

    FrameCounter(Map<String, Integer> frames) {
      this.frames = frames;
    }

    void read(Buffer bytes) {
      pending.appendBuffer(bytes);
      int at = 0;
      if (!prefaceRead && pending.length() >= PREFACE) {
        prefaceRead = true;
        at = PREFACE;
      }
      while (prefaceRead && pending.length() - at >= FRAME_HEADER) {
        int length = pending.getUnsignedMedium(at);
        if (pending.length() - at < FRAME_HEADER + length) {
          break;
        }
        frames.merge(name(pending.getByte(at + 3), pending.getByte(at + 4), length), 1, Integer::sum);
        at += FRAME_HEADER + length;
      }
      pending = pending.getBuffer(at, pending.length());
    }

    private static String name(byte type, byte flags, int length) {
      String name = switch (type) {
        case 0 -> length == 0 ? "DATA(empty)" : "DATA";
        case 1 -> "HEADERS";
        default -> "type " + type;
      };
      boolean endStream = (type == 0 || type == 1) && (flags & 1) != 0;
      return endStream ? name + "+END_STREAM" : name;
    }
  }
}

package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.server.GreeterServer;
import lab.grpclb.transport.IoTransport;
import org.junit.jupiter.api.Test;

/**
 * {@code --transport}: the jar's event loops run on Netty's native epoll where it loads (as grpc-java's do), a
 * greeter and a client on different transports speak to each other, and a bad value names the valid ones.
 */
class IoTransportTest {
  private static final Set<String> EPOLL_ARCHES = Set.of("amd64", "x86_64", "aarch64");

  @Test
  void aBadTransportIsAStartupErrorNamingTheValidOnes() {
    MainTest.rejectedInEveryMode("--transport must be native|nio, got 'epoll'", "--transport", "epoll");
  }

  @Test
  void nativeIsEpollOnLinuxAndEachSideServesTheOther() throws Exception {
    assumeTrue(System.getProperty("os.name").equals("Linux") && EPOLL_ARCHES.contains(System.getProperty("os.arch")),
        "the jar carries epoll for Linux x86_64 and aarch64 only");
    Vertx epoll = IoTransport.NATIVE.newVertx();
    Vertx nio = IoTransport.NIO.newVertx();
    try {
      assertTrue(epoll.isNativeTransportEnabled(), () -> "epoll did not load: " + epoll.unavailableNativeTransportCause());
      assertFalse(nio.isNativeTransportEnabled());
      assertEquals("the native epoll transport (--transport native)", IoTransport.NATIVE.describe(epoll));
      assertEquals("NIO (--transport nio)", IoTransport.NIO.describe(nio));
      assertEquals("127.0.0.41", callThrough(nio, Greeters.start(epoll, "127.0.0.41", 10)));
      assertEquals("127.0.0.42", callThrough(epoll, Greeters.start(nio, "127.0.0.42", 10)));
    } finally {
      epoll.close().await(10, TimeUnit.SECONDS);
      nio.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** 100 calls from a shared connection on {@code client}'s event loops; the pod IP that answered them all. */
  private static String callThrough(Vertx client, GreeterServer server) throws Exception {
    SharedChannel channel = new SharedChannel(client, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
    try {
      HelloRequest request = HelloRequest.newBuilder().setName("transport").build();
      List<HelloReply> replies = Future.all(IntStream.range(0, 100)
          .mapToObj(i -> channel.sayHello(request)).toList()).await(10, TimeUnit.SECONDS).list();
      assertEquals(1, replies.stream().map(HelloReply::getIpAddress).distinct().count());
      return replies.get(0).getIpAddress();
    } finally {
      channel.close().await(10, TimeUnit.SECONDS);
    }
  }
}

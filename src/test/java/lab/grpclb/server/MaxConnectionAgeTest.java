package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.SteadyCalls;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.config.MaxConnectionAge;
import lab.grpclb.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MAX_CONNECTION_AGE (gRFC A9) on 127.0.0.111 (no other test uses it): a connection past its age is told to go
 * away, its calls in flight finish, and a shared-connection client moves to a new connection without a failure.
 */
@ExtendWith(VertxExtension.class)
class MaxConnectionAgeTest {
  static final String IP = "127.0.0.111";
  static final HelloRequest HELLO = HelloRequest.newBuilder().setName("aged").build();

  @Test
  void aSharedConnectionIsReplacedEveryHalfSecondAndNoCallFails(Vertx vertx) throws Exception {
    ServerConfig config = ServerConfig.forPod(IP, 0, 20).withMaxConnectionAge(new MaxConnectionAge(500, 10_000));
    GreeterServer server = new GreeterServer(vertx, config).start().await(10, TimeUnit.SECONDS);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
    channel.warmUp().await(5, TimeUnit.SECONDS);

    SteadyCalls calls = SteadyCalls.start(vertx, channel, 50);
    Thread.sleep(3_000); // the JUnit thread: 3 s of steady calls, about 6 connection ages
    calls.stop();

    assertEquals(0, calls.failed(), calls.toString());
    assertTrue(calls.ok() > 100, "steady calls all along: " + calls);
    System.out.println("max connection age 500 ms: " + calls.ok() + " calls in 3 s over " + channel.connectionsOpened()
        + " connections, 0 failed");
    assertTrue(channel.connectionsOpened() > 1, "connections opened: " + channel.connectionsOpened());
    assertTrue(server.connectionsAgedOut() >= 3, "connections aged out: " + server.connectionsAgedOut());
    channel.close().await(5, TimeUnit.SECONDS);
    server.kill().await(5, TimeUnit.SECONDS);
  }

  /**
   * A client whose event loop is busy when its connection ages out (on 127.0.0.214:53214): it writes the calls queued
   * behind the busy task before it reads the GOAWAY and answers the PING, 400 ms late. The server waits for that
   * answer, so it takes every one of those calls; it used to give up after the grace (150 ms here) and close the
   * connection under them once its active streams ended, failing calls it never saw.
   */
  @Test
  void callsOfABusyClientWrittenBeforeItAnswersThePingAreServed(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, "127.0.0.214", 53214, 20);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
    channel.warmUp().await(5, TimeUnit.SECONDS);
    channel.sayHello(HELLO).await(5, TimeUnit.SECONDS);

    channel.preferredContext().runOnContext(v -> busy(400));
    List<Future<HelloReply>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(channel.sayHello(HELLO)); // queued behind the busy task, on the client's event loop
    }
    server.maxConnectionAge(new MaxConnectionAge(1, 150)); // older than 1 ms already: it goes away now

    List<String> failed = new ArrayList<>();
    Future.join(calls).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    for (Future<HelloReply> call : calls) {
      if (call.failed()) {
        failed.add(call.cause().getMessage());
      }
    }
    assertEquals(List.of(), failed);
    assertTrue(server.connectionsAgedOut() >= 1, "aged out: " + server.connectionsAgedOut()); // its successors too
    assertEquals(0, channel.retries().total(), "the server took them all: none to send again");
    channel.close().await(5, TimeUnit.SECONDS);
    server.kill().await(5, TimeUnit.SECONDS);
  }

  private static void busy(long ms) {
    try {
      Thread.sleep(ms); // on purpose: a client event loop stalled, as 50 clients' were by a scale-up in local mode
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The same client with the age off keeps its one connection: what the test above changes. */
  @Test
  void withoutAnAgeTheConnectionStays(Vertx vertx) throws Exception {
    GreeterServer server = Greeters.start(vertx, IP, 20);
    SharedChannel channel = new SharedChannel(vertx, Greeters.address(server), 5_000, 5_000, KeepAlive.OFF);
    channel.warmUp().await(5, TimeUnit.SECONDS);
    SteadyCalls calls = SteadyCalls.start(vertx, channel, 50);
    Thread.sleep(700);
    calls.stop();
    assertEquals(0, calls.failed(), calls.toString());
    assertEquals(1, channel.connectionsOpened());
    assertEquals(0, server.connectionsAgedOut());

    server.maxConnectionAge(new MaxConnectionAge(100, 1_000)); // set at run time: the open connection is older
    SteadyCalls after = SteadyCalls.start(vertx, channel, 50);
    Await.until(() -> channel.connectionsOpened() > 2, "the aged connections are replaced, again and again");
    after.stop();
    assertEquals(0, after.failed(), after.toString());
    channel.close().await(5, TimeUnit.SECONDS);
    server.kill().await(5, TimeUnit.SECONDS);
  }
}

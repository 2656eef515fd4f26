package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
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

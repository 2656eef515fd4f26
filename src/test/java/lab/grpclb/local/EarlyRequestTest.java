package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.FreePort;
import lab.grpclb.Http;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A user who curls as soon as local mode says "bound; experiments asked for now wait for the JIT warm-up": the
 * request waits, as the line says, and ClientWithKubeResolver answers it with the pods, never a 503 saying the
 * endpoints are not known yet (2 of 9 starts by hand: the client binds its port before discovery's first list).
 * Pods on gRPC port 50881, which no other test uses.
 */
@ExtendWith(VertxExtension.class)
class EarlyRequestTest {

  @Test
  void aRequestDuringTheWarmUpWaitsForItAndGetsThePods(Vertx vertx) throws Exception {
    int httpPort = FreePort.onLoopback();
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--port", "50881",
        "--http-port", String.valueOf(httpPort), "--api-port", "0", "--dns-port", "0",
        "--kubeconfig", Files.createTempDirectory("kube").resolve("config").toString()}, Map.of()));
    LocalMode local = new LocalMode(vertx, config).withJitWarmUp(20_000, () -> false); // as --mode local has it
    Future<LocalMode> started = local.start();
    try {
      awaitBound(httpPort);
      boolean warmingUp = !started.isComplete();
      Http.Answer answer = new Http(vertx).get(httpPort, "/experiment/client?type=ClientWithKubeResolver&n=30");
      assertTrue(warmingUp, "the request was to come before the start ended, during the warm-up");
      assertEquals(200, answer.status(), answer.body().encode());
      assertEquals(30, answer.body().getInteger("ok"), answer.body().encode());
      assertEquals(3, answer.body().getJsonObject("count_per_ip").size(), answer.body().encode());
    } finally {
      started.otherwiseEmpty().await(30, TimeUnit.SECONDS);
      local.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** On the test's thread, never an event loop: the client's HTTP port accepts once it is bound. */
  private static void awaitBound(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(5);
      }
    }
    throw new AssertionError("the client's HTTP port " + port + " was not bound within 20 s");
  }
}

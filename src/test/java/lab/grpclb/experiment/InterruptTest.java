package lab.grpclb.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import lab.grpclb.ChildLog;
import lab.grpclb.Await;
import lab.grpclb.Greeters;
import lab.grpclb.Http;
import lab.grpclb.TestLab;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stopping the client during an experiment (SIGTERM, Ctrl-C): no new call is sent, the calls in flight get the
 * drain timeout, and the waiting request gets a complete report marked interrupted, with every call accounted
 * for; then the process exits 0 without a stack trace.
 */
@ExtendWith(VertxExtension.class)
class InterruptTest {
  static final Pattern LISTENING = Pattern.compile("experiment client listening on http://[0-9.]+:(\\d+)");

  /** A pod answering after {@code delayMs}, and a client with these limits whose stop is under test. */
  static TestLab lab(Vertx vertx, int delayMs, int maxInFlight, int drainMs) throws Exception {
    return TestLab.direct(vertx).withGreeters("127.0.0.15", 1, 0, delayMs).withClient(c -> c.withMaxN(100_000)
        .withMaxConnections(100).withMaxInFlight(maxInFlight).withConnectTimeoutMs(5_000).withDrainTimeoutMs(drainMs))
        .start();
  }

  @Test
  void stoppingMidRunAnswersTheWaitingRequestWithTheCallsInFlightFinished(Vertx vertx) throws Exception {
    // 5 rounds of 1 s: the stop lands in the first even if the machine stalls
    try (TestLab lab = lab(vertx, 1_000, 1_000, 10_000)) {
      GreeterServer server = lab.servers().get(0);
      Future<Http.Answer> answer = lab.http().sendAsync(HttpMethod.GET, lab.client().port(),
          "/experiment/client?type=ClientWithReuseConn&n=5000");
      Await.until(() -> server.greeter().callsInFlight() == 1000, "the in-flight cap is full");
      lab.closeClient(lab.client());
      JsonObject report = answer.await(5, TimeUnit.SECONDS).body();
      assertTrue(report.getBoolean("interrupted"), report.encode());
      assertEquals(5000, report.getInteger("ok") + report.getInteger("failed"), "every call accounted for: " + report.encode());
      int cut = report.getJsonObject("errors").getInteger("CANCELLED: client shutting down", 0);
      assertEquals(report.getInteger("failed"), cut, "the only failures are the calls never sent: " + report.encode());
      assertTrue(report.getInteger("ok") >= 1000, "the calls in flight finished: " + report.encode());
      assertTrue(cut > 0, "the calls not yet sent were not sent: " + report.encode());
    }
  }

  @Test
  void callsStillInFlightAfterTheDrainTimeoutAreCountedAsCancelled(Vertx vertx) throws Exception {
    try (TestLab lab = lab(vertx, 5_000, 10_000, 200)) {
      GreeterServer server = lab.servers().get(0);
      Future<Http.Answer> answer = lab.http().sendAsync(HttpMethod.GET, lab.client().port(),
          "/experiment/client?type=ClientWithReuseConn&n=300");
      Await.until(() -> server.greeter().callsInFlight() == 300, "every call waits on the slow pod");
      long start = System.nanoTime();
      lab.closeClient(lab.client());
      assertTrue(System.nanoTime() - start < 3_000_000_000L, "the drain timeout, not the pod, bounded the stop");
      JsonObject report = answer.await(5, TimeUnit.SECONDS).body();
      assertTrue(report.getBoolean("interrupted"));
      assertEquals(new JsonObject().put("CANCELLED: client shutting down", 300), report.getJsonObject("errors"));
    }
  }

  /**
   * Calls of the Ctrl-C run: 25 rounds of the 2 000-call cap at 300 ms, so the run is still going when the signal
   * lands (at 10 000 a slow machine once finished the run first).
   */
  static final int CTRL_C_N = 50_000;

  /**
   * A process started with & from a script (or under nohup) ignores SIGINT, its children inherit that, and the
   * JVM then honours it: Ctrl-C cannot be tested from such a shell, which is no fault of the client.
   */
  static void assumeSigintDeliverable() throws java.io.IOException {
    long ignored = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("SigIgn:"))
        .map(l -> Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16)).findFirst().orElse(0L);
    assumeFalse((ignored & (1L << (2 - 1))) != 0, "SIGINT is ignored by this JVM (started in the background of a "
        + "script or under nohup), so its child would ignore Ctrl-C too: run the tests from a terminal");
  }

  /** The real process and a real SIGINT, as Ctrl-C sends it. */
  @Test
  void ctrlCDuringAnExperimentAnswersTheRequestAndExitsZero(Vertx vertx) throws Exception {
    assumeSigintDeliverable();
    GreeterServer server = Greeters.start(vertx, "127.0.0.15", 300);
    Path log = Files.createTempFile("client", ".log");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "lab.grpclb.Main",
        "--mode", "client", "--http-host", "127.0.0.1", "--http-port", "0", "--target", "127.0.0.15:" + server.port(),
        "--max-in-flight", "2000", "--jit-warmup-calls", "0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      int port = ChildLog.awaitPort(log, LISTENING);
      Future<Http.Answer> answer = new Http(vertx).sendAsync(HttpMethod.GET, port,
          "/experiment/client?type=ClientWithReuseConn&n=" + CTRL_C_N);
      // not "the cap is full": a cold client may take longer to send 2 000 calls than the pod takes to answer one
      try {
        Await.until(() -> server.greeter().callsInFlight() >= 1000, "a thousand calls wait on the pod");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; the client logged:\n" + Files.readString(log), e);
      }
      new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
      Http.Answer reply = answer.await(15, TimeUnit.SECONDS);
      assertEquals(200, reply.status(), reply.body().encode());
      assertTrue(reply.body().getBoolean("interrupted"), reply.body().encode());
      assertEquals(CTRL_C_N, reply.body().getInteger("ok") + reply.body().getInteger("failed"));
      assertTrue(reply.body().getInteger("ok") >= 1000, "the calls in flight drained: " + reply.body().encode());
      assertTrue(process.waitFor(15, TimeUnit.SECONDS), "the client exits after answering");
      assertEquals(0, process.exitValue());
      String printed = Files.readString(log);
      assertTrue(printed.contains("SIGINT received"), printed);
      assertFalse(printed.contains("Exception") || printed.contains("SEVERE"), printed);
    } finally {
      process.destroyForcibly();
      server.kill().await(5, TimeUnit.SECONDS);
      Files.deleteIfExists(log);
    }
  }

  /** Ctrl-C while the CLI's client still warms its JIT up (its default): the warm-up stops and the process exits 0. */
  @Test
  void ctrlCDuringTheJitWarmUpExitsAtOnce() throws Exception {
    assumeSigintDeliverable();
    Path log = Files.createTempFile("client", ".log");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "lab.grpclb.Main",
        "--mode", "client", "--http-host", "127.0.0.1", "--http-port", "0", "--target", "127.0.0.15:50099")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      ChildLog.await(log, Pattern.compile("JIT warm-up: 40000 calls"));
      Thread.sleep(500); // a burst is under way
      long signalled = System.nanoTime();
      new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
      assertTrue(process.waitFor(5, TimeUnit.SECONDS), "the client exits soon after the signal: " + Files.readString(log));
      long ms = (System.nanoTime() - signalled) / 1_000_000;
      assertEquals(0, process.exitValue());
      String printed = Files.readString(log);
      assertTrue(printed.contains("JIT warm-up cut short by the stop"), printed);
      assertTrue(ms < 3_000, "exited " + ms + " ms after SIGINT\n" + printed);
      assertFalse(printed.contains("Exception") || printed.contains("SEVERE"), printed);
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }
}

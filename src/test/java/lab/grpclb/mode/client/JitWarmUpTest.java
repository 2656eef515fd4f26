package lab.grpclb.mode.client;

import lab.grpclb.experiment.FirerPool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.LogLines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The warm-up the CLI's client runs before it listens: real calls to in-process greeters, cut short by a stop. */
@ExtendWith(VertxExtension.class)
class JitWarmUpTest {
  private LogLines log;

  @BeforeEach
  void listen() {
    log = LogLines.start(JitWarmUp.class.getName());
  }

  @AfterEach
  void stopListening() {
    log.close();
  }

  @Test
  void runsItsCallsWithoutAFailureAndSaysHowLongItTook(Vertx vertx) throws Exception {
    FirerPool pool = FirerPool.deploy(vertx, 2).await(10, TimeUnit.SECONDS);
    JitWarmUp.run(vertx, pool, 3_000, () -> false).await(30, TimeUnit.SECONDS);
    List<String> lines = log.lines();
    assertEquals(List.of("INFO JIT warm-up: 3000 calls to in-process greeters before experiments run"
        + " (--jit-warmup-calls 0 skips it)"), lines.subList(0, 1));
    assertTrue(lines.get(1).matches("INFO JIT warm-up done in \\d+ ms"), lines.toString()); // no ", N calls failed"
    assertEquals(2, lines.size(), lines.toString());
  }

  @Test
  void aStopDuringItEndsItWithinASecond(Vertx vertx) throws Exception {
    FirerPool pool = FirerPool.deploy(vertx, 2).await(10, TimeUnit.SECONDS);
    long start = System.nanoTime();
    JitWarmUp.run(vertx, pool, 1_000_000, () -> System.nanoTime() - start > 300_000_000L).await(5, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - start) / 1_000_000;
    List<String> lines = log.lines();
    assertTrue(ms < 1_500, "a stop 300 ms in ended the warm-up after " + ms + " ms");
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(lines.get(1).startsWith("INFO JIT warm-up cut short by the stop after "), lines.toString());
  }

  @Test
  void zeroCallsIsNoWarmUp(Vertx vertx) throws Exception {
    FirerPool pool = FirerPool.deploy(vertx, 2).await(10, TimeUnit.SECONDS);
    JitWarmUp.run(vertx, pool, 0, () -> false).await(1, TimeUnit.SECONDS);
    assertTrue(log.lines().isEmpty(), log.lines().toString());
  }
}

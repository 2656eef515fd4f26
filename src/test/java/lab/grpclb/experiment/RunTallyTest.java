package lab.grpclb.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Arrays;
import java.util.SplittableRandom;
import lab.grpclb.call.CallFailure;
import org.junit.jupiter.api.Test;

/** The HdrHistogram figures against the exact ones for the same calls, merged from several firers. */
class RunTallyTest {

  @Test
  void percentilesAgreeWithTheExactOnesWithinTheHistogramsPrecision() {
    SplittableRandom random = new SplittableRandom(7);
    int calls = 50_000;
    long[] micros = new long[calls];
    RunTally[] parts = {new RunTally(0), new RunTally(0), new RunTally(0)};
    HelloReply reply = HelloReply.newBuilder().setIpAddress("127.0.0.2").build();
    for (int i = 0; i < calls; i++) {
      // a long tail: most calls near 500 ms, a few up to 2 s
      micros[i] = 500_000 + (long) (random.nextDouble() < 0.98 ? random.nextDouble() * 20_000 : random.nextDouble() * 1_500_000);
      parts[i % 3].record(Future.succeededFuture(reply), 0, micros[i] * 1_000);
    }
    ExperimentReport.Latency latency = TallySummary.latency(RunTally.merge(0, parts).latencyMicros);
    Arrays.sort(micros);
    for (double[] point : new double[][] {{50, latency.p50()}, {90, latency.p90()}, {99, latency.p99()},
        {99.9, latency.p999()}, {100, latency.max()}}) {
      double exactMs = micros[(int) Math.ceil(point[0] / 100 * calls) - 1] / 1e3;
      // 3 significant digits: within 0.1 %, plus the report's rounding to the µs
      assertEquals(exactMs, point[1], exactMs * 0.001 + 0.0005, "p" + point[0]);
    }
  }

  @Test
  void bucketsCountEveryCallOnceAndFailuresCountAtTheirPod() {
    RunTally tally = new RunTally(0);
    HelloReply reply = HelloReply.newBuilder().setIpAddress("127.0.0.2").build();
    for (int i = 1; i <= 1000; i++) {
      tally.record(Future.succeededFuture(reply), 0, i * 1_000_000L);
    }
    tally.record(Future.failedFuture(new CallFailure(GrpcStatus.UNAVAILABLE, "down").at("127.0.0.3")), 0, 5_000_000L);
    long counted = TallySummary.buckets(tally.latencyMicros).stream().mapToLong(ExperimentReport.Bucket::count).sum();
    assertEquals(1001, counted);
    assertEquals(1, tally.endpoints.get("127.0.0.3").errors);
    assertEquals(0, tally.endpoints.get("127.0.0.3").ok);
    assertEquals(1000, tally.endpoints.get("127.0.0.2").ok);
    assertTrue(tally.seconds.size() >= 1);
  }

  @Test
  void aCallOfAFewHundredMicrosecondsIsReportedToTheMicrosecond() {
    RunTally tally = new RunTally(0);
    HelloReply reply = HelloReply.newBuilder().setIpAddress("127.0.0.2").build();
    for (int micros = 101; micros <= 200; micros++) { // loopback at concurrency 1: the benchmark's latency table
      tally.record(Future.succeededFuture(reply), 0, micros * 1_000L);
    }
    ExperimentReport.Latency latency = TallySummary.latency(tally.latencyMicros);
    assertEquals(0.150, latency.p50(), 1e-9);
    assertEquals(0.199, latency.p99(), 1e-9);
    assertEquals(0.200, latency.max(), 1e-9);
  }
}

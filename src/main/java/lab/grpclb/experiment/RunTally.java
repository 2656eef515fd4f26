package lab.grpclb.experiment;

import experiment.Experiment.HelloReply;
import io.vertx.core.AsyncResult;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import lab.grpclb.client.CallFailure;

/**
 * The outcome of the calls one firer sent. Touched only on that firer's event loop, so it needs no locks;
 * tallies are merged once every call has ended.
 */
final class RunTally {
  final Map<String, Integer> countPerIp = new HashMap<>();
  final Map<String, Integer> errors = new HashMap<>();
  int[] latencyMicros;
  int recorded;
  int ok;
  int failed;

  RunTally(int calls) {
    latencyMicros = new int[calls];
  }

  void record(AsyncResult<HelloReply> result, long nanos) {
    latencyMicros[recorded++] = (int) Math.min(Integer.MAX_VALUE, nanos / 1_000);
    if (result.succeeded()) {
      ok++;
      countPerIp.merge(result.result().getIpAddress(), 1, Integer::sum);
    } else {
      failed++;
      errors.merge(CallFailure.of(result.cause()).getMessage(), 1, Integer::sum);
    }
  }

  /** Calls that never got an outcome (never sent, or abandoned): failed with the given reason, no latency. */
  void cancelled(int count, String reason) {
    if (count > 0) {
      failed += count;
      errors.merge(reason, count, Integer::sum);
    }
  }

  static RunTally merge(RunTally[] parts) {
    int total = 0;
    for (RunTally part : parts) {
      total += part.recorded;
    }
    RunTally all = new RunTally(0);
    all.latencyMicros = new int[total];
    for (RunTally part : parts) {
      System.arraycopy(part.latencyMicros, 0, all.latencyMicros, all.recorded, part.recorded);
      all.recorded += part.recorded;
      all.ok += part.ok;
      all.failed += part.failed;
      part.countPerIp.forEach((ip, c) -> all.countPerIp.merge(ip, c, Integer::sum));
      part.errors.forEach((e, c) -> all.errors.merge(e, c, Integer::sum));
    }
    Arrays.sort(all.latencyMicros);
    return all;
  }

  /** The latency below which the given fraction of calls fell, in milliseconds (nearest rank). */
  double percentileMs(double fraction) {
    if (recorded == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(fraction * recorded);
    return latencyMicros[Math.max(0, Math.min(recorded - 1, rank - 1))] / 1000.0;
  }
}

package lab.grpclb.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lab.grpclb.client.Attempts;
import lab.grpclb.client.Retries;
import lab.grpclb.config.ClientType;

/** What a chaos soak saw: per client type, the process's RSS and fds over time, the chaos done, the log's warnings. */
record SoakResult(SoakOptions options, Duration elapsed, List<TypeSummary> types, List<ProcSample> samples, Chaos.ChaosActions chaos,
                  LogTally.LogCounts logs) {

  /** One burst: the report's numbers, or for an answer other than a report every call counted failed under its error. */
  record Round(ClientType type, int n, long ok, long failed, Map<String, Long> errors, Retries retried, Attempts attempts,
               double p99Ms) {
  }

  /** All bursts of one type. p99 is over the runs that answered a report. */
  record TypeSummary(ClientType type, int runs, long calls, long ok, long failed, Map<String, Long> errors, Retries retried,
                     long hedged, long hedgeWon, double p99MaxMs, double p99MedianMs) {

    static TypeSummary of(ClientType type, List<Round> runs) {
      Map<String, Long> errors = new TreeMap<>();
      runs.forEach(r -> r.errors().forEach((k, v) -> errors.merge(k, v, Long::sum)));
      List<Double> p99s = new ArrayList<>(runs.stream().map(Round::p99Ms).filter(p -> !Double.isNaN(p)).sorted().toList());
      return new TypeSummary(type, runs.size(), runs.stream().mapToLong(Round::n).sum(), runs.stream().mapToLong(Round::ok).sum(),
          runs.stream().mapToLong(Round::failed).sum(), errors,
          new Retries(runs.stream().mapToLong(r -> r.retried().transparent()).sum(),
              runs.stream().mapToLong(r -> r.retried().policy()).sum()),
          runs.stream().mapToLong(r -> r.attempts().hedged()).sum(), runs.stream().mapToLong(r -> r.attempts().hedgeWon()).sum(),
          p99s.isEmpty() ? Double.NaN : p99s.get(p99s.size() - 1),
          p99s.isEmpty() ? Double.NaN : p99s.get((p99s.size() - 1) / 2));
    }
  }

  TypeSummary type(ClientType type) {
    return types.stream().filter(t -> t.type() == type).findFirst().orElse(null);
  }

  /** ClientWithKubeResolver ran and lost no call, and nothing logged a stack trace. */
  boolean passed() {
    TypeSummary kube = type(ClientType.KUBE_RESOLVER);
    return kube != null && kube.runs() > 0 && kube.failed() == 0 && logs.stackTraceTotal() == 0;
  }

  ProcSample first() {
    return samples.get(0);
  }

  ProcSample last() {
    return samples.get(samples.size() - 1);
  }

  /** Change per minute from the first sample to the last. */
  static double slopePerMinute(ProcSample from, ProcSample to, long value0, long value1) {
    double minutes = (to.atMs() - from.atMs()) / 60_000.0;
    return minutes <= 0 ? 0 : (value1 - value0) / minutes;
  }
}

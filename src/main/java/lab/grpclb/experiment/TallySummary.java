package lab.grpclb.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lab.grpclb.experiment.ExperimentReport.Bucket;
import lab.grpclb.experiment.ExperimentReport.ChannelSeen;
import lab.grpclb.experiment.ExperimentReport.EndpointStats;
import lab.grpclb.experiment.ExperimentReport.Latency;
import lab.grpclb.experiment.ExperimentReport.Outcome;
import lab.grpclb.experiment.ExperimentReport.Pacing;
import lab.grpclb.experiment.ExperimentReport.Second;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/** Turns a run's merged tally into its {@link ExperimentReport}: percentiles, buckets, timeline and warnings. */
final class TallySummary {
  /** About as many histogram buckets as ghz prints, log-spaced from the fastest call to the slowest. */
  static final int BUCKETS = 16;

  private TallySummary() {
  }

  /** What a run measured, beside its tally. */
  /** What the run saw beyond its calls' outcomes; {@code attemptsPerSecond} is {@link AttemptSampler}'s. */
  record Seen(long elapsedNanos, ChannelSeen channel, int maxInFlight, int callsWaited, long clientGcMs,
              boolean interrupted, List<Map<String, Integer>> attemptsPerSecond) {
  }

  static ExperimentReport report(ExperimentPlan experiment, RunTally tally, Seen seen) {
    Outcome outcome = new Outcome(tally.ok, tally.failed, countPerIp(tally), new TreeMap<>(tally.errors));
    double sendMs = tally.sent > 1 ? (tally.lastSentNanos - tally.firstSentNanos) / 1e6 : 0;
    Pacing pacing = experiment.shape() instanceof LoadShape.OpenLoop open ? pacing(open, tally) : null;
    return new ExperimentReport(experiment, seen.elapsedNanos(), round(sendMs), outcome, latency(tally.latencyMicros),
        buckets(tally.latencyMicros), perEndpoint(tally), timeline(tally, seen.attemptsPerSecond()), pacing, seen.channel(), seen.maxInFlight(),
        seen.callsWaited(), seen.clientGcMs(), seen.interrupted(), warnings(experiment, seen, sendMs, pacing), null,
        experiment.sloMs() == null ? null : tally.okWithin(experiment.sloMs() * 1_000L));
  }

  static Latency latency(AbstractHistogram micros) {
    if (micros.getTotalCount() == 0) {
      return new Latency(0, 0, 0, 0, 0, 0);
    }
    return new Latency(ms(micros, 50), ms(micros, 90), ms(micros, 99), ms(micros, 99.9),
        toMicros(micros.getMaxValue() / 1e3), toMicros(micros.getMean() / 1e3));
  }

  /**
   * A percentile in ms to the µs the histogram holds: at 0.01 ms a call at concurrency 1 on loopback (about
   * 100 µs) was rounded by up to 5 %, coarser than the histogram's 3 significant digits.
   */
  private static double ms(AbstractHistogram micros, double percentile) {
    return toMicros(micros.getValueAtPercentile(percentile) / 1e3);
  }

  /** A time in ms rounded to the µs. */
  static double toMicros(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }

  /** Log-spaced buckets from the fastest call to the slowest; each recorded value counts in exactly one. */
  static List<Bucket> buckets(AbstractHistogram micros) {
    if (micros.getTotalCount() == 0) {
      return List.of();
    }
    double low = Math.max(1, micros.getMinValue());
    double high = Math.max(low, micros.getMaxValue());
    int count = high > low ? BUCKETS : 1;
    double[] bounds = new double[count];
    for (int i = 0; i < count; i++) {
      bounds[i] = count == 1 ? high : low * Math.pow(high / low, (i + 1) / (double) count);
    }
    bounds[count - 1] = Double.MAX_VALUE; // the slowest call lands here whatever rounding did
    long[] counts = new long[count];
    int at = 0;
    for (HistogramIterationValue value : micros.recordedValues()) {
      while (value.getValueIteratedTo() > bounds[at]) {
        at++;
      }
      counts[at] += value.getCountAddedInThisIterationStep();
    }
    List<Bucket> buckets = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      double bound = i == count - 1 ? micros.getMaxValue() : bounds[i];
      buckets.add(new Bucket(round(bound / 1e3), counts[i]));
    }
    return buckets;
  }

  private static Map<String, Integer> countPerIp(RunTally tally) {
    Map<String, Integer> counts = new TreeMap<>();
    tally.endpoints.forEach((ip, endpoint) -> {
      if (endpoint.ok > 0) {
        counts.put(ip, endpoint.ok);
      }
    });
    return counts;
  }

  private static Map<String, EndpointStats> perEndpoint(RunTally tally) {
    Map<String, EndpointStats> stats = new TreeMap<>();
    tally.endpoints.forEach((ip, e) -> stats.put(ip, new EndpointStats(e.ok,
        e.latencyMicros.getTotalCount() == 0 ? 0 : ms(e.latencyMicros, 50),
        e.latencyMicros.getTotalCount() == 0 ? 0 : ms(e.latencyMicros, 99), e.errors)));
    return stats;
  }

  private static List<Second> timeline(RunTally tally, List<Map<String, Integer>> attemptsPerSecond) {
    List<Second> seconds = new ArrayList<>(tally.seconds.size());
    for (int i = 0; i < tally.seconds.size(); i++) {
      RunTally.SecondTally second = tally.seconds.get(i);
      Map<String, Integer> perIp = new TreeMap<>();
      second.okPerIp.forEach((ip, c) -> perIp.put(ip, c[0]));
      Map<String, Integer> sentPerIp = new TreeMap<>();
      second.sentPerIp.forEach((ip, c) -> sentPerIp.put(ip, c[0]));
      double p99 = second.completed == 0 ? 0 : second.latencyMillis.getValueAtPercentile(99);
      seconds.add(new Second(i, second.completed, second.failed, p99, perIp, sentPerIp,
          i < attemptsPerSecond.size() ? attemptsPerSecond.get(i) : Map.of()));
    }
    return seconds;
  }

  private static Pacing pacing(LoadShape.OpenLoop open, RunTally tally) {
    double spanS = (tally.lastSentNanos - tally.firstSentNanos) / 1e9;
    // n calls on an even schedule span (n - 1) / rate seconds
    double achieved = tally.sent > 1 && spanS > 0 ? (tally.sent - 1) / spanS : open.ratePerS();
    AbstractHistogram lag = tally.scheduleLagMicros;
    return new Pacing(open.ratePerS(), round(achieved), ms(lag, 50), ms(lag, 99), round(lag.getMaxValue() / 1e3));
  }

  private static List<String> warnings(ExperimentPlan experiment, Seen seen, double sendMs, Pacing pacing) {
    List<String> warnings = new ArrayList<>();
    if (pacing != null) {
      pacing.warning("client", seen.clientGcMs()).ifPresent(warnings::add);
    }
    if (experiment.shape() instanceof LoadShape.Burst && !seen.interrupted()
        && seen.maxInFlight() < experiment.inFlightCap()) {
      warnings.add("max_in_flight " + seen.maxInFlight() + " < " + experiment.inFlightCap() + ": sending took "
          + round(sendMs) + " ms (send_ms), so replies came back before the last call was sent and this burst"
          + " never had every call in flight at once");
    }
    return warnings;
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}

package lab.grpclb.experiment;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import lab.grpclb.client.Attempts;
import lab.grpclb.client.Retries;

/**
 * What one experiment measured: the one model behind the HTTP answer, {@code --report} and the benchmark
 * ({@link ReportJson} is its JSON). Times are in milliseconds unless a name says otherwise.
 *
 * @param elapsedNanos from the first call sent to the last call ended
 * @param sendMs       from the first call sent to the last call sent: when it is longer than the servers' delay,
 *                     the first replies come back before the burst is all out
 * @param pacing       how an open loop kept its schedule; null for the other shapes
 * @param runs         the spread over repeated runs when {@code runs=K} asked for more than one; null otherwise
 * @param withinSlo    the calls that replied within the experiment's {@code slo_ms}; null without one
 */
public record ExperimentReport(
    ExperimentPlan experiment,
    long elapsedNanos,
    double sendMs,
    Outcome outcome,
    Latency latency,
    List<Bucket> histogram,
    Map<String, EndpointStats> perEndpoint,
    List<Second> timeline,
    Pacing pacing,
    ChannelSeen channel,
    int maxInFlight,
    int callsWaited,
    long clientGcMs,
    boolean interrupted,
    List<String> warnings,
    Runs runs,
    Integer withinSlo) {

  /** How the calls ended: replies per pod IP, failures by status and reason. */
  public record Outcome(int ok, int failed, Map<String, Integer> countPerIp, Map<String, Integer> errors) {
  }

  /** Latency percentiles over every call that ended (replied or failed), from an HdrHistogram. */
  public record Latency(double p50, double p90, double p99, double p999, double max, double mean) {
  }

  /** Calls whose latency was at most {@code leMs} and above the previous bucket's bound. */
  public record Bucket(double leMs, long count) {
  }

  /** One pod: its replies (as in count_per_ip), its failures, and the latency of the calls that ended there. */
  public record EndpointStats(int count, double p50, double p99, int errors) {
  }

  /**
   * The calls that ended in one second of the run (second 0 is the first), their replies per pod; and
   * {@code sentPerIp}, the calls that left in that second by where they went, failed ones at the endpoint they
   * failed at: where a pod that never answers shows. A retried call counts at its last attempt's pod there;
   * {@code attemptsPerIp} (balancing types only, else empty) counts every attempt sent in that second at its pod.
   */
  public record Second(int second, int completed, int failed, double p99, Map<String, Integer> countPerIp,
                       Map<String, Integer> sentPerIp, Map<String, Integer> attemptsPerIp) {
  }

  /** An open loop's schedule: the rate asked, the rate sent, and how late calls left against their slot. */
  public record Pacing(double askedPerS, double achievedPerS, double lagP50Ms, double lagP99Ms, double lagMaxMs) {
    /** Below this share of its rate, an open loop fell behind it. */
    static final double BEHIND_RATE_SHARE = 0.97;
    /** Calls leaving this late (p99) against their slots went out in bunches, whatever rate they averaged. */
    static final double LATE_P99_MS = 100;

    /**
     * What a reader must know before trusting an open loop's numbers, if anything. {@code who} sent the calls;
     * {@code gcMs} is the time its JVM spent collecting during the run, the usual cause of a stall.
     */
    public Optional<String> warning(String who, long gcMs) {
      String asked = perSecond(askedPerS);
      String sent = "it sent " + perSecond(achievedPerS) + "/s of " + asked + "/s";
      if (achievedPerS < BEHIND_RATE_SHARE * askedPerS) {
        return Optional.of("the " + who + " fell behind the asked rate: " + sent + ", with calls leaving up to "
            + lagP99Ms + " ms late (p99); these numbers describe a lower rate than asked");
      }
      if (lagP99Ms > LATE_P99_MS) {
        return Optional.of("the " + who + " left calls late though it kept the asked rate (" + sent + "): they left up to "
            + lagP99Ms + " ms after their slots (p99, max " + lagMaxMs + " ms), so a stall (GC took " + gcMs
            + " ms of this run) sent them in bunches; latency and max_in_flight describe those bunches, not an even "
            + asked + "/s");
      }
      return Optional.empty();
    }

    /** A rate as a reader wants it: whole above 100/s, else three significant figures (0.01/s is not 0/s). */
    static String perSecond(double rate) {
      if (rate >= 100) {
        return String.valueOf(Math.round(rate));
      }
      return new java.math.BigDecimal(rate).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }
  }

  /** What the channel saw during the run: connections, endpoints, retries, and hedges and attempts per call. */
  public record ChannelSeen(long connections, List<String> endpointsAtStart, List<String> endpointsAtEnd,
                            Retries retried, Attempts attempts) {
    /** A channel that counts no hedges nor attempts per call (it makes one attempt per call). */
    public ChannelSeen(long connections, List<String> endpointsAtStart, List<String> endpointsAtEnd, Retries retried) {
      this(connections, endpointsAtStart, endpointsAtEnd, retried, Attempts.NONE);
    }
  }

  /**
   * K runs of the same experiment: this report is the median run by elapsed time, and these are the ranges.
   * {@code medianIndex} is the median's place in {@code elapsedMs}, which is in run order.
   */
  public record Runs(List<Double> elapsedMs, List<Double> p99Ms, int medianIndex) {
    public Range elapsed() {
      return Range.of(elapsedMs);
    }

    public Range p99() {
      return Range.of(p99Ms);
    }
  }

  public double elapsedMs() {
    return elapsedNanos / 1e6;
  }

  public int ok() {
    return outcome.ok();
  }

  public int failed() {
    return outcome.failed();
  }

  public Map<String, Integer> countPerIp() {
    return outcome.countPerIp();
  }

  /** Completed calls per second over the whole run. */
  public double throughputPerS() {
    return elapsedNanos <= 0 ? 0 : (outcome.ok() + outcome.failed()) / (elapsedNanos / 1e9);
  }

  /** The elapsed range over the runs, or this run's alone. */
  public Range elapsedRange() {
    return runs == null ? new Range(elapsedMs(), elapsedMs()) : runs.elapsed();
  }

  /** The p99 range over the runs, or this run's alone. */
  public Range p99Range() {
    return runs == null ? new Range(latency.p99(), latency.p99()) : runs.p99();
  }

  public ExperimentReport withRuns(Runs runs) {
    return new ExperimentReport(experiment, elapsedNanos, sendMs, outcome, latency, histogram, perEndpoint, timeline,
        pacing, channel, maxInFlight, callsWaited, clientGcMs, interrupted, warnings, runs, withinSlo);
  }

  /**
   * The median of K reports by elapsed time (the lower middle for even K), carrying every run's elapsed and p99.
   */
  public static ExperimentReport median(List<ExperimentReport> reports) {
    return median(reports, reports.size());
  }

  /**
   * The median of a series asked for {@code asked} runs: one asked for several carries its runs even when a stop
   * left only one, so that its answer says how many ran.
   */
  public static ExperimentReport median(List<ExperimentReport> reports, int asked) {
    if (reports.size() == 1 && asked == 1) {
      return reports.get(0);
    }
    List<Integer> order = IntStream.range(0, reports.size()).boxed()
        .sorted(Comparator.comparingDouble(i -> reports.get(i).elapsedMs())).toList();
    int median = order.get((reports.size() - 1) / 2);
    Runs runs = new Runs(reports.stream().map(ExperimentReport::elapsedMs).toList(),
        reports.stream().map(r -> r.latency().p99()).toList(), median);
    return reports.get(median).withRuns(runs);
  }
}

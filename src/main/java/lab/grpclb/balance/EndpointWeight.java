package lab.grpclb.balance;

import lab.grpclb.config.WeightedRoundRobinConfig;

/**
 * One endpoint's weight under weighted_round_robin (gRFC A58's subchannel weight, grpc-java's
 * {@code WeightedChildLbState}): the weight its pod's last usable report gave, when that came, and since when usable
 * reports have come without a lapse (A58's {@code non_empty_since}), which the blackout counts from. Blackout and
 * expiration are judged when the weight is read, as in A58, so no endpoint needs a timer. On the balancer's event
 * loop only.
 */
public final class EndpointWeight {
  private final double errorPenalty;
  private final long blackoutNanos;
  private final long expirationNanos;
  private boolean weighed;
  private double weight;
  private long lastUpdatedNanos;
  /** Since when usable reports have come; unset after READY, as A58 resets it there. */
  private boolean counting;
  private long nonEmptySinceNanos;
  private LoadReport lastReport;
  private long lastReportNanos;

  /** Where a weight stands: only a {@link #USABLE} one is used; the others get the mean weight. */
  public enum WeightState {
    /** No usable report yet. */
    NO_REPORT,
    /** Reports come, but not yet for the blackout period (or not since the connection turned READY again). */
    BLACKOUT,
    USABLE,
    /** No usable report for the expiration period: the next one starts the blackout again. */
    EXPIRED
  }

  /** What /status shows: where the weight stands, the last weight reported, and the last report (null: none). */
  public record WeightStatus(WeightState state, double weight, LastReport lastReport) {
  }

  /** A report and how long ago it came. */
  public record LastReport(LoadReport report, long ageMs) {
  }

  public EndpointWeight(WeightedRoundRobinConfig config) {
    this.errorPenalty = config.errorPenalty();
    this.blackoutNanos = config.blackoutMs() * 1_000_000L;
    this.expirationNanos = config.expirationMs() * 1_000_000L;
  }

  /**
   * A58's weight: qps / (utilization + eps / qps x penalty), utilization being the application's when reported, else
   * the CPU's; 0 (no weight) when the pod served nothing or reports no utilization.
   */
  public static double weightOf(LoadReport report, double errorPenalty) {
    double qps = report.rpsFractional();
    double utilization = report.utilization();
    if (!(qps > 0) || !(utilization > 0)) {
      return 0;
    }
    double penalty = report.eps() > 0 && errorPenalty > 0 ? report.eps() / qps * errorPenalty : 0;
    return qps / (utilization + penalty);
  }

  /** A report came now; one that gives no weight is kept for /status and changes nothing else. */
  public void reported(LoadReport report, long nowNanos) {
    lastReport = report;
    lastReportNanos = nowNanos;
    double next = weightOf(report, errorPenalty);
    if (next == 0) {
      return;
    }
    if (!counting || expired(nowNanos)) {
      counting = true; // the first usable report, or the first after a lapse: the blackout starts here
      nonEmptySinceNanos = nowNanos;
    }
    weighed = true;
    weight = next;
    lastUpdatedNanos = nowNanos;
  }

  /** The connection turned READY (again): its weight waits out the blackout from the next usable report (A58). */
  public void becameReady() {
    counting = false;
  }

  /** The weight to schedule with now; 0 unless {@link WeightState#USABLE}. */
  public double weightAt(long nowNanos) {
    return stateAt(nowNanos) == WeightState.USABLE ? weight : 0;
  }

  public WeightState stateAt(long nowNanos) {
    if (!weighed) {
      return WeightState.NO_REPORT;
    }
    if (expired(nowNanos)) {
      return WeightState.EXPIRED;
    }
    boolean waiting = !counting || nowNanos - nonEmptySinceNanos < blackoutNanos;
    return blackoutNanos > 0 && waiting ? WeightState.BLACKOUT : WeightState.USABLE;
  }

  public WeightStatus status(long nowNanos) {
    return new WeightStatus(stateAt(nowNanos), weight,
        lastReport == null ? null : new LastReport(lastReport, (nowNanos - lastReportNanos) / 1_000_000));
  }

  private boolean expired(long nowNanos) {
    return nowNanos - lastUpdatedNanos >= expirationNanos;
  }
}

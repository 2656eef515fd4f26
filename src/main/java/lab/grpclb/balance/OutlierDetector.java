package lab.grpclb.balance;

import java.util.Collection;
import java.util.List;
import lab.grpclb.config.OutlierEjection;

/**
 * The arithmetic of gRFC A50's outlier detection, failure-percentage only, as grpc-java's
 * {@code OutlierDetectionLoadBalancer} does it. Each {@link #sweep} (A50's timer, every interval):
 * <ol>
 *   <li>every tracker swaps its buckets, so the inactive one holds the interval just ended;</li>
 *   <li>when fewer than {@code minimumHosts} endpoints had {@code requestVolume} calls, nothing is ejected;
 *       otherwise each of them whose failure share is above the threshold is ejected, while the ejected share
 *       of all endpoints is below {@code maxEjectionPercent} (so at least one can always be ejected, as in
 *       grpc-java and Envoy). An endpoint already ejected is not ejected again;</li>
 *   <li>an endpoint in service has its multiplier lowered by one; an ejected one returns once
 *       {@code min(base x multiplier, max(base, maxEjection))} has passed since its ejection.</li>
 * </ol>
 * A50 says "after" that time; sweeps come exactly one interval apart on a fake clock and a hair later on a real
 * timer, so "at or after" is used here to make both return at the same sweep.
 */
public final class OutlierDetector {
  private final OutlierEjection settings;

  public OutlierDetector(OutlierEjection settings) {
    this.settings = settings;
  }

  public OutlierEjection settings() {
    return settings;
  }

  /** One sweep at {@code nowNanos} over every endpoint's tracker; true when an endpoint was ejected or returned. */
  /** Ejection switched off or reconfigured: every endpoint is back (gRFC A50). */
  public static void returnAll(Collection<OutlierTracker> trackers) {
    trackers.forEach(OutlierTracker::uneject);
  }

  public boolean sweep(Collection<OutlierTracker> trackers, long nowNanos) {
    trackers.forEach(OutlierTracker::swapBuckets);
    boolean changed = ejectFailing(trackers, nowNanos);
    for (OutlierTracker tracker : trackers) {
      if (!tracker.ejected()) {
        tracker.decrementMultiplier();
      } else if (nowNanos >= tracker.ejectedAtNanos() + ejectionNanos(tracker)) {
        tracker.uneject();
        changed = true;
      }
    }
    return changed;
  }

  private boolean ejectFailing(Collection<OutlierTracker> trackers, long nowNanos) {
    List<OutlierTracker> withVolume = trackers.stream().filter(t -> t.volume() >= settings.requestVolume()).toList();
    if (withVolume.isEmpty() || withVolume.size() < settings.minimumHosts()) {
      return false;
    }
    boolean ejected = false;
    for (OutlierTracker tracker : withVolume) {
      if (ejectedPercent(trackers) >= settings.maxEjectionPercent()) {
        break;
      }
      if (!tracker.ejected() && tracker.failurePercent() > settings.thresholdPercent()) {
        tracker.eject(nowNanos);
        ejected = true;
      }
    }
    return ejected;
  }

  private static double ejectedPercent(Collection<OutlierTracker> trackers) {
    return 100.0 * trackers.stream().filter(OutlierTracker::ejected).count() / trackers.size();
  }

  /** How long an ejected endpoint stays out: base x multiplier, capped at max(base, maxEjection). */
  public long ejectionNanos(OutlierTracker tracker) {
    long base = settings.baseEjectionMs() * 1_000_000L;
    long cap = Math.max(base, settings.maxEjectionMs() * 1_000_000L);
    return Math.min(base * tracker.multiplier(), cap);
  }

  /** The sweep that will return an ejected endpoint: the first at or after its ejection time has passed. */
  public long returnsAtNanos(OutlierTracker tracker) {
    long interval = settings.intervalMs() * 1_000_000L;
    long sweeps = (ejectionNanos(tracker) + interval - 1) / interval;
    return tracker.ejectedAtNanos() + sweeps * interval;
  }
}

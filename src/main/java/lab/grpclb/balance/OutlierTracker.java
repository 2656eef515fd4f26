package lab.grpclb.balance;

/**
 * One endpoint's entry in outlier detection (gRFC A50's map entry): its call counter and its ejection. The
 * counter has two buckets: calls count into the active one as they end; at each sweep the active bucket
 * becomes the inactive one, which the sweep judges, and counting goes on in a zeroed bucket. Plain fields on
 * the balancer's event loop, where calls end and sweeps run.
 */
public final class OutlierTracker {
  private long activeSuccesses;
  private long activeFailures;
  private long inactiveSuccesses;
  private long inactiveFailures;
  private boolean ejected;
  private long ejectedAtNanos;
  /** How many times in a row it was ejected: each sweep it spends in service takes one off. */
  private int multiplier;

  /** A call to this endpoint ended: OK is a success, any other status a failure. */
  public void callEnded(boolean ok) {
    if (ok) {
      activeSuccesses++;
    } else {
      activeFailures++;
    }
  }

  /** A50's swap: the inactive bucket is zeroed and the buckets change places. */
  void swapBuckets() {
    inactiveSuccesses = activeSuccesses;
    inactiveFailures = activeFailures;
    activeSuccesses = 0;
    activeFailures = 0;
  }

  /** Calls that ended in the last full interval. */
  public long volume() {
    return inactiveSuccesses + inactiveFailures;
  }

  /** Failures among the calls of the last full interval, in percent (0 when there were none). */
  public double failurePercent() {
    long volume = volume();
    return volume == 0 ? 0 : 100.0 * inactiveFailures / volume;
  }

  void eject(long nowNanos) {
    ejected = true;
    ejectedAtNanos = nowNanos;
    multiplier++;
  }

  void uneject() {
    ejected = false;
  }

  void decrementMultiplier() {
    if (multiplier > 0) {
      multiplier--;
    }
  }

  public boolean ejected() {
    return ejected;
  }

  public long ejectedAtNanos() {
    return ejectedAtNanos;
  }

  public int multiplier() {
    return multiplier;
  }
}

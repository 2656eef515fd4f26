package lab.grpclb.server;

import org.HdrHistogram.AbstractHistogram;

/**
 * A pod's rates over its last {@link #SECONDS} seconds: calls answered and failed per second, mean utilization and
 * the queue wait p99. Ticked once a second on the pod's event loop from cumulative counters, so the call path pays
 * nothing for it and a read ({@link #rates}) is one volatile read.
 */
final class LoadWindow {
  /**
   * Long enough to smooth a second's noise, short enough that weighted round robin (gRFC A58: weights updated every
   * second, used after a 10 s blackout) sees a pod slow down within its blackout.
   */
  static final int SECONDS = 5;

  /** The window's figures, as of the last tick. */
  record Rates(double rps, double eps, double meanUtilization, double queueWaitP99Ms) {
    static final Rates NONE = new Rates(0, 0, 0, 0);
  }

  /** Cumulative counts at each of the last SECONDS + 1 ticks, oldest at {@code next} once the ring is full. */
  private final long[] nanos = new long[SECONDS + 1];
  private final long[] answered = new long[SECONDS + 1];
  private final long[] errors = new long[SECONDS + 1];
  private final long[] busy = new long[SECONDS + 1];
  /** Each second's queue waits, and their sum over the window. */
  private final AbstractHistogram[] waits = new AbstractHistogram[SECONDS + 1];
  private final AbstractHistogram windowWaits = ServiceQueue.newWaits();
  private int next;
  private int taken;
  private volatile Rates rates = Rates.NONE;

  LoadWindow(long startNanos) {
    nanos[0] = startNanos;
    next = 1;
    taken = 1;
  }

  /**
   * One second more: the cumulative counts now ({@code answeredTotal} OK or not, {@code errorsTotal} of them failed)
   * and, when the pod has a queue, its busy time and the waits it recorded since the last tick.
   */
  void tick(long now, long answeredTotal, long errorsTotal, ServiceQueue queue) {
    int slot = next;
    next = (slot + 1) % nanos.length;
    taken = Math.min(taken + 1, nanos.length);
    nanos[slot] = now;
    answered[slot] = answeredTotal;
    errors[slot] = errorsTotal;
    busy[slot] = queue == null ? 0 : queue.busyNanos(now);
    waits[slot] = queue == null ? null : queue.takeWaits(leaving()); // without a queue, every slot is empty
    if (waits[slot] != null) {
      windowWaits.add(waits[slot]);
    }
    rates = rates(slot, taken == nanos.length ? next : 0, queue);
  }

  /**
   * The waits of the second that just left the window (each slot holds the second before its tick, and the oldest
   * tick only bounds the window), taken out of the sum and emptied for the queue to record into again.
   */
  private AbstractHistogram leaving() {
    AbstractHistogram leaving = waits[next];
    waits[next] = null;
    if (leaving == null) {
      return ServiceQueue.newWaits();
    }
    windowWaits.subtract(leaving);
    leaving.reset();
    return leaving;
  }

  private Rates rates(int newest, int oldest, ServiceQueue queue) {
    double seconds = (nanos[newest] - nanos[oldest]) / 1e9;
    if (seconds <= 0) {
      return Rates.NONE;
    }
    int slots = queue == null ? 0 : queue.capacity().calls();
    double utilization = slots == 0 ? 0 : (busy[newest] - busy[oldest]) / 1e9 / seconds / slots;
    double p99 = windowWaits.getTotalCount() == 0 ? 0 : windowWaits.getValueAtPercentile(99) / 1e3;
    return new Rates((answered[newest] - answered[oldest]) / seconds, (errors[newest] - errors[oldest]) / seconds,
        Math.min(1, utilization), p99);
  }

  Rates rates() {
    return rates;
  }
}

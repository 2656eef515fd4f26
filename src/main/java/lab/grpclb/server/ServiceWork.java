package lab.grpclb.server;

/**
 * How a call in service spends its service time: the one step of a {@link ServiceQueue} that differs between a pod
 * that pretends to work ({@link #timers}: a timer, nothing runs) and one that burns CPU ({@link CpuWork}). A strategy
 * beside the {@link ServiceClock} rather than a second clock: the queue measures waits and deadlines in wall time,
 * while burnt work is counted in a thread's own CPU time, which on a busy machine runs slower than the wall; one
 * clock cannot be both, and the queue stays the same whichever way the time is spent.
 */
interface ServiceWork {
  /** Told once, on the pod's event loop, how a call's service ended, unless it was {@link #stop stopped} first. */
  interface Ending {
    /** {@code served}: its whole service time was spent; else its deadline came first. */
    void serviceEnded(boolean served);
  }

  /**
   * Serves one call for {@code serviceNanos}, unless its deadline, {@code untilDeadlineNanos} of wall time from now,
   * comes first; called on the pod's event loop. The id {@link #stop}s it.
   */
  long serve(long serviceNanos, long untilDeadlineNanos, Ending ending);

  /** The call ended early (cancelled, its client gone): its service stops as soon as it can. */
  void stop(long id);

  /** The service time as one timer on {@code clock} (the deadline's, if that comes first): no thread works. */
  static ServiceWork timers(ServiceClock clock) {
    return new ServiceWork() {
      @Override
      public long serve(long serviceNanos, long untilDeadlineNanos, Ending ending) {
        return untilDeadlineNanos <= serviceNanos ? clock.schedule(untilDeadlineNanos, () -> ending.serviceEnded(false))
            : clock.schedule(serviceNanos, () -> ending.serviceEnded(true));
      }

      @Override
      public void stop(long id) {
        clock.cancel(id);
      }
    };
  }
}

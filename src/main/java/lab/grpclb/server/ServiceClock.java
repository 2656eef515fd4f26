package lab.grpclb.server;

import io.vertx.core.Vertx;

/**
 * Time for a pod's {@link ServiceQueue}: a clock and one-shot timers, on the pod's event loop. Vert.x timers in a
 * pod ({@link #of}); simulated time in tests, so that a queue is checked against queueing theory exactly and fast.
 * Timers are plain ids, not handles: a call costs one timer, as the greeter's plain path does, and nothing more.
 */
public interface ServiceClock {
  /** Now, for intervals (System.nanoTime in a pod). */
  long nanoTime();

  /** Runs {@code task} once {@code delayNanos} have passed, on the caller's event loop; the id cancels it. */
  long schedule(long delayNanos, Runnable task);

  void cancel(long timer);

  /**
   * Vert.x timers, which count whole milliseconds from 1: a delay is rounded to the nearest (at least 1), so a mean of
   * tens of ms keeps its mean within a few hundredths of a ms.
   */
  static ServiceClock of(Vertx vertx) {
    return new ServiceClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public long schedule(long delayNanos, Runnable task) {
        return vertx.setTimer(Math.max(1, Math.round(delayNanos / 1e6)), id -> task.run());
      }

      @Override
      public void cancel(long timer) {
        vertx.cancelTimer(timer);
      }
    };
  }
}

package lab.grpclb.balance;

import java.time.Instant;

/**
 * Time for the balancer: a clock and one-shot timers on the balancer's event loop. Vert.x timers in use; a fake
 * clock in tests, so that backoff, sweeps and waits are tested in microseconds (grpc-java's {@code FakeClock}).
 */
public interface Scheduler {

  /** Now, for intervals (System.nanoTime in use). */
  long nanoTime();

  /** The wall-clock time of a {@link #nanoTime()} reading, for status pages. */
  Instant wallTime(long nanoTime);

  /** Runs {@code task} on the caller's event loop once {@code delayMs} have passed. */
  Timer schedule(long delayMs, Runnable task);

  /** A scheduled task that may still be cancelled. */
  interface Timer {
    Timer NONE = () -> { };

    void cancel();
  }
}

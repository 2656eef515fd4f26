package lab.grpclb.balance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Virtual time for balancer tests, in nanoseconds (grpc-java's {@code FakeClock}): it moves only when told to,
 * and a move runs the timers that came due, in order, each at its own time.
 */
public final class FakeClock implements LongSupplier, Scheduler {
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
  private final List<Task> tasks = new ArrayList<>();
  private long nanos;
  private long sequence;

  private final class Task implements Timer {
    final long dueNanos;
    final long order = sequence++;
    final Runnable run;

    Task(long dueNanos, Runnable run) {
      this.dueNanos = dueNanos;
      this.run = run;
    }

    @Override
    public void cancel() {
      tasks.remove(this);
    }
  }

  @Override
  public long getAsLong() {
    return nanos;
  }

  @Override
  public long nanoTime() {
    return nanos;
  }

  @Override
  public Instant wallTime(long nanoTime) {
    return EPOCH.plusNanos(nanoTime);
  }

  @Override
  public Timer schedule(long delayMs, Runnable task) {
    Task scheduled = new Task(nanos + Math.max(1, delayMs) * 1_000_000, task);
    tasks.add(scheduled);
    return scheduled;
  }

  /** Timers not run yet. */
  public int pendingTimers() {
    return tasks.size();
  }

  public void advanceMs(double ms) {
    long until = nanos + Math.round(ms * 1_000_000);
    while (true) {
      Task next = tasks.stream().filter(t -> t.dueNanos <= until)
          .min(Comparator.<Task>comparingLong(t -> t.dueNanos).thenComparingLong(t -> t.order)).orElse(null);
      if (next == null) {
        break;
      }
      tasks.remove(next);
      nanos = next.dueNanos;
      next.run.run();
    }
    nanos = until;
  }

  /** One call to {@code endpoint} that takes {@code ms}: a round-trip sample. */
  public void call(LoadedEndpoint endpoint, double ms) {
    long started = endpoint.load().callStarted();
    advanceMs(ms);
    endpoint.load().callEnded(started);
  }
}

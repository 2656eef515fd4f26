package lab.grpclb.client;

import java.time.Instant;
import java.util.ArrayDeque;
import lab.grpclb.balance.Scheduler;

/**
 * Timers that come due in the order they are set share one timer of the scheduler beneath: a channel's hedges all
 * wait one delay, so only the earliest pending one needs a timer, and a hedged call costs a queue entry instead of a
 * Vert.x timer (a timer per call cost 5-10 % of the client's CPU for deadlines, see {@code call/Deadlines}). A timer
 * due before the last one set (a request with a shorter delay) gets one of its own. On one event loop only.
 */
final class OrderedTimers implements Scheduler {
  private final Scheduler scheduler;
  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private boolean armed;

  private static final class Entry implements Timer {
    final long dueNanos;
    Runnable task;

    Entry(long dueNanos, Runnable task) {
      this.dueNanos = dueNanos;
      this.task = task;
    }

    @Override
    public void cancel() {
      task = null; // lets the call go at once; the entry leaves the queue when it comes due
    }
  }

  OrderedTimers(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public long nanoTime() {
    return scheduler.nanoTime();
  }

  @Override
  public Instant wallTime(long nanoTime) {
    return scheduler.wallTime(nanoTime);
  }

  @Override
  public Timer schedule(long delayMs, Runnable task) {
    long due = scheduler.nanoTime() + Math.max(1, delayMs) * 1_000_000;
    Entry newest = pending.peekLast();
    if (newest != null && due < newest.dueNanos) {
      return scheduler.schedule(delayMs, task); // out of order: its own timer
    }
    Entry entry = new Entry(due, task);
    pending.addLast(entry);
    arm();
    return entry;
  }

  /** Pending entries, cancelled ones included until they come due. */
  int queued() {
    return pending.size();
  }

  private void arm() {
    if (armed || pending.isEmpty()) {
      return;
    }
    armed = true;
    long ms = (pending.peekFirst().dueNanos - scheduler.nanoTime() + 999_999) / 1_000_000;
    scheduler.schedule(Math.max(1, ms), () -> {
      runDue(); // still armed meanwhile: a task that sets a timer queues it and no more
      armed = false;
      arm();
    });
  }

  /** Runs the entries that came due, and drops the cancelled ones before the next live one. */
  private void runDue() {
    long now = scheduler.nanoTime();
    while (!pending.isEmpty() && (pending.peekFirst().dueNanos <= now || pending.peekFirst().task == null)) {
      Runnable task = pending.pollFirst().task;
      if (task != null) {
        task.run();
      }
    }
  }
}

package lab.grpclb.client;

import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.time.Instant;
import lab.grpclb.balance.Scheduler;

/**
 * The balancer's time in use: System.nanoTime, and Vert.x timers bound to the balancer's event loop (wherever they
 * are set from, so a balancer built on another thread still runs on its own loop only).
 */
final class VertxScheduler implements Scheduler {
  private final ContextInternal context;
  /** One reading of both clocks, so that a time reads the same in every snapshot. */
  private final Instant wallAtStart = Instant.now();
  private final long nanosAtStart = System.nanoTime();

  VertxScheduler(Context context) {
    this.context = (ContextInternal) context;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Instant wallTime(long nanoTime) {
    return wallAtStart.plusNanos(nanoTime - nanosAtStart);
  }

  @Override
  public Timer schedule(long delayMs, Runnable task) {
    long id = context.setTimer(Math.max(1, delayMs), v -> task.run());
    return () -> context.owner().cancelTimer(id);
  }
}

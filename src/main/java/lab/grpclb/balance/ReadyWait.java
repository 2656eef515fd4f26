package lab.grpclb.balance;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The wait of calls that find no READY endpoint (grpc's "wait for ready" picker, bounded): one window, with one
 * timer, at a time, shared by every such call, so that waiting costs nothing per call. The window closes when an
 * endpoint is READY or after {@code maxWaitMs}; a call then picks again, and fails saying why if it finds nothing.
 * On the balancer's event loop only.
 */
public final class ReadyWait {
  private final Scheduler scheduler;
  private final long maxWaitMs;
  private Promise<Void> window;

  public ReadyWait(Scheduler scheduler, long maxWaitMs) {
    this.scheduler = scheduler;
    this.maxWaitMs = Math.max(1, maxWaitMs);
  }

  /** Completes when some endpoint is READY, or when the current window closes. */
  public Future<Void> window() {
    if (window == null) {
      Promise<Void> opened = Promise.promise();
      window = opened;
      Scheduler.Timer timer = scheduler.schedule(maxWaitMs, () -> close(opened));
      opened.future().onComplete(v -> timer.cancel());
    }
    return window.future();
  }

  /** An endpoint is READY: the waiting calls go now. */
  public void ready() {
    if (window != null) {
      close(window);
    }
  }

  private void close(Promise<Void> closing) {
    if (window == closing) {
      window = null;
    }
    closing.tryComplete();
  }
}

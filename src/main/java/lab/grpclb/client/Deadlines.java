package lab.grpclb.client;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Expires calls past their deadline with one timer per event loop instead of one per call: calls with the
 * same timeout started on one event loop have deadlines in start order, so only the oldest pending call
 * needs a timer. (A Vert.x timer per call cost 5-10 % of the client's CPU.) Touched only on its event loop.
 */
final class Deadlines {
  private static final ThreadLocal<Map<Long, Deadlines>> PER_EVENT_LOOP = ThreadLocal.withInitial(HashMap::new);

  private final Vertx vertx;
  private final ArrayDeque<GrpcCall> pending = new ArrayDeque<>();
  private boolean armed;

  private Deadlines(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Watches a call started on the current event loop; it expires unless it completes by its deadline. */
  static void watch(Vertx vertx, long timeoutMs, GrpcCall call) {
    PER_EVENT_LOOP.get().computeIfAbsent(timeoutMs, t -> new Deadlines(vertx)).add(call);
  }

  private void add(GrpcCall call) {
    dropCompletedHead();
    pending.addLast(call);
    arm();
  }

  private void arm() {
    if (armed || pending.isEmpty()) {
      return;
    }
    armed = true;
    long waitNanos = pending.peekFirst().deadlineNanos() - System.nanoTime();
    vertx.setTimer(Math.max(1, (waitNanos + 999_999) / 1_000_000), id -> {
      armed = false;
      sweep();
    });
  }

  private void sweep() {
    long now = System.nanoTime();
    dropCompletedHead();
    while (!pending.isEmpty() && pending.peekFirst().deadlineNanos() <= now) {
      pending.pollFirst().expire();
      dropCompletedHead();
    }
    arm();
  }

  /** Calls mostly complete in start order, so this keeps the queue about as long as the calls in flight. */
  private void dropCompletedHead() {
    while (!pending.isEmpty() && pending.peekFirst().completed()) {
      pending.pollFirst();
    }
  }
}

package lab.grpclb.client;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * Expires calls past their deadline with one timer per event loop instead of one per call: calls of one
 * experiment share a timeout, so on one event loop their deadlines come in start order and only the oldest
 * pending call needs a timer. (A Vert.x timer per call cost 5-10 % of the client's CPU.) A call whose deadline
 * comes before the newest one watched (a retry, which keeps its call's original deadline) gets a timer of its
 * own. Touched only on its event loop.
 */
final class Deadlines {
  private static final ThreadLocal<Deadlines> PER_EVENT_LOOP = new ThreadLocal<>();

  private final Vertx vertx;
  private final ArrayDeque<GrpcCall> pending = new ArrayDeque<>();
  private boolean armed;

  private Deadlines(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Watches a call started on the current event loop; it expires unless it completes by its deadline. */
  static void watch(Vertx vertx, GrpcCall call) {
    Deadlines deadlines = PER_EVENT_LOOP.get();
    if (deadlines == null) {
      deadlines = new Deadlines(vertx);
      PER_EVENT_LOOP.set(deadlines);
    }
    deadlines.add(call);
  }

  private void add(GrpcCall call) {
    dropCompletedHead();
    GrpcCall newest = pending.peekLast();
    if (newest != null && call.deadlineNanos() < newest.deadlineNanos()) {
      vertx.setTimer(Math.max(1, millisUntil(call.deadlineNanos())), id -> call.expire()); // out of order: its own timer
      return;
    }
    pending.addLast(call);
    arm();
  }

  private void arm() {
    if (armed || pending.isEmpty()) {
      return;
    }
    armed = true;
    vertx.setTimer(Math.max(1, millisUntil(pending.peekFirst().deadlineNanos())), id -> {
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

  /** Whole milliseconds until the deadline, rounded up (negative once past). */
  static long millisUntil(long deadlineNanos) {
    return (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000;
  }
}

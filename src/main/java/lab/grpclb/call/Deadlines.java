package lab.grpclb.call;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Expires calls past their deadline with one timer per event loop instead of one per call: calls of one
 * experiment share a timeout, so on one event loop their deadlines come in start order and only the oldest
 * pending call needs a timer. (A Vert.x timer per call cost 5-10 % of the client's CPU.) A call whose deadline
 * comes well before the newest one watched (a retry, which keeps its call's original deadline) gets a timer of its
 * own. Touched only on its event loop. The same queues find the calls of a {@link Cancellation} in flight.
 */
final class Deadlines {
  private static final ThreadLocal<Deadlines> PER_EVENT_LOOP = new ThreadLocal<>();
  /**
   * Every event loop's queue, so that a cancellation reaches the calls on all of them; weakly, so that the queues
   * of a closed Vert.x go with their threads.
   */
  private static final Set<Deadlines> ALL = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /**
   * Out of order by less than this, a call joins the queue anyway: calls fired from two event loops reach a
   * connection's loop a little out of their deadlines' order, nearly every other one under load, and a timer each
   * cost what this class saves. Such a call expires behind the one before it, at most this late, which is no later
   * than a Vert.x timer's whole milliseconds make any deadline here.
   */
  static final long TIMER_GRAIN_NANOS = 1_000_000;
  private final Vertx vertx;
  private final Context context;
  private final ArrayDeque<GrpcCall<?, ?>> pending = new ArrayDeque<>();
  /** The sweep's timer, or -1; and the deadline it was set for. */
  private long timer = -1;
  private long armedForNanos;

  private Deadlines(Vertx vertx, Context context) {
    this.vertx = vertx;
    this.context = context;
  }

  /** Watches a call started on the current event loop; it expires unless it completes by its deadline. */
  static void watch(Vertx vertx, GrpcCall<?, ?> call) {
    Deadlines deadlines = PER_EVENT_LOOP.get();
    if (deadlines == null) {
      deadlines = new Deadlines(vertx, vertx.getOrCreateContext());
      PER_EVENT_LOOP.set(deadlines);
      ALL.add(deadlines);
    }
    deadlines.add(call);
  }

  /**
   * Cancels, on each event loop, the calls in flight that were started with {@code cancellation}. (A retry with a
   * timer of its own is not in a queue: it ends at its deadline, and the experiment counts it cut short.)
   */
  static void cancelEverywhere(Cancellation cancellation) {
    List<Deadlines> queues;
    synchronized (ALL) {
      queues = new ArrayList<>(ALL);
    }
    for (Deadlines deadlines : queues) {
      try {
        deadlines.context.runOnContext(v -> deadlines.cancel(cancellation));
      } catch (RejectedExecutionException closed) {
        ALL.remove(deadlines); // a closed Vert.x's event loop: it has no call left
      }
    }
  }

  private void cancel(Cancellation cancellation) {
    for (GrpcCall<?, ?> call : pending) {
      if (call.cancellation().within(cancellation)) {
        call.cancel();
      }
    }
    dropCompletedHead();
  }

  private void add(GrpcCall<?, ?> call) {
    dropCompletedHead();
    GrpcCall<?, ?> newest = pending.peekLast();
    if (newest != null && call.deadlineNanos() < newest.deadlineNanos() - TIMER_GRAIN_NANOS) {
      vertx.setTimer(Math.max(1, millisUntil(call.deadlineNanos())), id -> call.expire()); // out of order: its own timer
      return;
    }
    pending.addLast(call);
    arm();
  }

  /**
   * A timer for the oldest pending call's deadline. One already set for a later deadline is set again: the calls it
   * was set for may have completed and left a call with a shorter timeout at the head (a 10 s call's timer must not
   * hold a 100 ms call past its deadline).
   */
  private void arm() {
    if (pending.isEmpty()) {
      return;
    }
    long due = pending.peekFirst().deadlineNanos();
    if (timer >= 0) {
      if (armedForNanos <= due + TIMER_GRAIN_NANOS) {
        return;
      }
      vertx.cancelTimer(timer);
    }
    armedForNanos = due;
    timer = vertx.setTimer(Math.max(1, millisUntil(due)), id -> {
      timer = -1;
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

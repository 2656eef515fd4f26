package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.ServiceTime;
import lab.grpclb.config.WarmUp;
import org.junit.jupiter.api.Test;

/** The capacity model's rules, in simulated time: first in first out, the queue limit, cancellation, deadlines. */
class ServiceQueueTest {
  static final int MEAN_MS = 100;

  final SimulatedTime time = new SimulatedTime();
  final List<String> served = new ArrayList<>();

  /** A call that says how it ended, and when. */
  final class RecordedCall implements ServiceQueue.Job {
    final String name;
    final long deadlineNanos;
    String ended;
    long endedAtMs = -1;

    RecordedCall(String name, long deadlineMs) {
      this.name = name;
      this.deadlineNanos = deadlineMs == 0 ? Long.MAX_VALUE : time.nanoTime() + deadlineMs * 1_000_000;
    }

    @Override
    public long deadlineNanos() {
      return deadlineNanos;
    }

    @Override
    public void serve() {
      end("served");
      served.add(name);
    }

    @Override
    public void expire() {
      end("expired");
    }

    @Override
    public void refuse(String reason) {
      end("refused: " + reason);
    }

    private void end(String how) {
      assertNull(ended, name + " ended twice: " + ended + ", then " + how);
      ended = how;
      endedAtMs = time.nanoTime() / 1_000_000;
    }
  }

  ServiceQueue queue(Capacity capacity, WarmUp warmUp) {
    return new ServiceQueue(capacity, warmUp, () -> MEAN_MS, time, new SplittableRandom(1), time.nanoTime());
  }

  static Capacity fixed(int calls, int queueLimit) {
    return new Capacity(calls, queueLimit, ServiceTime.FIXED);
  }

  RecordedCall call(String name) {
    return new RecordedCall(name, 0);
  }

  @Test
  void aFullPodQueuesFirstInFirstOutAndRefusesPastTheLimitNamingTheFlags() {
    ServiceQueue queue = queue(fixed(2, 2), WarmUp.OFF);
    List<RecordedCall> calls = List.of(call("a"), call("b"), call("c"), call("d"), call("e"));
    List<ServiceQueue.Ticket> tickets = calls.stream().map(queue::admit).toList();
    assertEquals(2, queue.inService());
    assertEquals(2, queue.queueLength());
    assertNull(tickets.get(4), "the fifth call is refused: 2 in service, 2 waiting");
    assertEquals("refused: queue full: 2 calls waiting for the 2 in service (--queue-limit 2, --capacity 2)",
        calls.get(4).ended);
    assertEquals(1, queue.refused());

    time.advanceMs(MEAN_MS);
    assertEquals(List.of("a", "b"), served);
    assertEquals(2, queue.inService(), "the waiting two took the slots at once");
    assertEquals(0, queue.queueLength());
    time.runAll();
    assertEquals(List.of("a", "b", "c", "d"), served, "first in, first out");
    assertEquals(2L * MEAN_MS, calls.get(3).endedAtMs);
    assertEquals(MEAN_MS / 2.0, queue.meanWaitMs(), 1e-9, "two waited 100 ms, two none");
    assertEquals(0, queue.inService());
  }

  @Test
  void aCancelledCallGivesUpItsSlotOrItsPlace() {
    ServiceQueue queue = queue(fixed(1, Capacity.UNLIMITED_QUEUE), WarmUp.OFF);
    RecordedCall a = call("a");
    RecordedCall b = call("b");
    RecordedCall c = call("c");
    ServiceQueue.Ticket inService = queue.admit(a);
    ServiceQueue.Ticket waiting = queue.admit(b);
    queue.admit(c);
    waiting.cancel();
    assertEquals(1, queue.queueLength(), "b left the queue");
    time.advanceMs(10);
    inService.cancel();
    assertEquals(1, queue.inService(), "c took a's slot at once");
    assertEquals(0, queue.queueLength());
    inService.cancel(); // twice is harmless
    time.runAll();
    assertEquals(List.of("c"), served, "neither cancelled call is answered");
    assertEquals(10 + MEAN_MS, c.endedAtMs);
    assertNull(a.ended);
    assertNull(b.ended);
    assertEquals(0, time.pendingTimers(), "a's timer was cancelled");
  }

  @Test
  void aDeadlineEndsACallWhileItWaitsAtItsTurnAndWhileItIsServedAtTheDeadline() {
    ServiceQueue queue = queue(fixed(1, Capacity.UNLIMITED_QUEUE), WarmUp.OFF);
    RecordedCall first = call("first");
    RecordedCall gaveUpWaiting = new RecordedCall("gave up waiting", 50);
    RecordedCall tooLate = new RecordedCall("too late", 150);
    RecordedCall last = call("last");
    List.of(first, gaveUpWaiting, tooLate, last).forEach(queue::admit);
    time.runAll();
    assertEquals("expired", gaveUpWaiting.ended);
    assertEquals(MEAN_MS, gaveUpWaiting.endedAtMs, "dropped when its turn came, taking no slot");
    assertEquals("expired", tooLate.ended);
    assertEquals(150, tooLate.endedAtMs, "served from 100 ms, ended at its deadline");
    assertEquals(150 + MEAN_MS, last.endedAtMs, "the slot freed at the deadline");
    assertEquals(List.of("first", "last"), served);
  }

  @Test
  void aLargerCapacityServesTheWaitingCallsAtOnceAndASmallerOneTakesNothingAway() {
    ServiceQueue queue = queue(fixed(1, Capacity.UNLIMITED_QUEUE), WarmUp.OFF);
    for (int i = 0; i < 4; i++) {
      queue.admit(call("call " + i));
    }
    queue.reconfigure(fixed(3, Capacity.UNLIMITED_QUEUE));
    assertEquals(3, queue.inService());
    assertEquals(1, queue.queueLength());
    queue.reconfigure(fixed(1, 0));
    assertEquals(3, queue.inService(), "calls in service finish");
    assertEquals(1, queue.queueLength(), "the waiting call keeps its place");
    RecordedCall refused = call("refused");
    assertNull(queue.admit(refused));
    time.runAll();
    assertEquals(4, served.size());
    assertEquals(2L * MEAN_MS, time.nanoTime() / 1_000_000, "the last one waited for a slot under the new capacity");
  }

  /** Linear decay: factor 5 at start, 3 halfway through, 1 once warm. */
  @Test
  void aColdPodServesSlowerAndWarmsUpLinearly() {
    ServiceQueue queue = queue(Capacity.UNLIMITED, new WarmUp(1_000, 5));
    RecordedCall cold = call("cold");
    queue.admit(cold);
    time.advanceMs(500);
    RecordedCall halfway = call("halfway");
    queue.admit(halfway);
    time.advanceMs(600);
    RecordedCall warm = call("warm");
    queue.admit(warm);
    time.runAll();
    assertEquals(5L * MEAN_MS, cold.endedAtMs);
    assertEquals(500 + 3L * MEAN_MS, halfway.endedAtMs);
    assertEquals(1_100 + MEAN_MS, warm.endedAtMs);
  }

  @Test
  void aPodWithNoDelayAnswersAtOnceAndTakesNoSlot() {
    ServiceQueue queue = new ServiceQueue(fixed(1, 0), WarmUp.OFF, () -> 0, time, new SplittableRandom(1), 0);
    RecordedCall a = call("a");
    RecordedCall b = call("b");
    queue.admit(a);
    queue.admit(b);
    assertEquals(List.of("a", "b"), served);
    assertEquals(0, queue.inService());
    assertEquals(0, time.pendingTimers());
  }

  @Test
  void everyShapeKeepsTheMeanAndLognormalHasItsTail() {
    SplittableRandom random = new SplittableRandom(7);
    int n = 200_000;
    for (ServiceTime shape : List.of(ServiceTime.FIXED, new ServiceTime.Exponential(), new ServiceTime.Lognormal(0.5),
        new ServiceTime.Lognormal(1))) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += shape.sampleMs(MEAN_MS, random);
      }
      // the sample mean's sd is mean * cv / sqrt(n): cv is at most 1.31 (lognormal, sigma 1), so 0.3 %; allow 1.5 %
      assertEquals(MEAN_MS, sum / n, MEAN_MS * 0.015, shape.wireName() + " keeps its mean");
    }
    double[] samples = new double[n];
    ServiceTime lognormal = new ServiceTime.Lognormal(0.5);
    for (int i = 0; i < n; i++) {
      samples[i] = lognormal.sampleMs(MEAN_MS, random);
    }
    java.util.Arrays.sort(samples);
    double ratio = samples[n * 99 / 100] / samples[n / 2];
    assertEquals(Math.exp(0.5 * 2.3263), ratio, 0.1, "p99 / median = exp(sigma * z99)");
    assertTrue(samples[0] > 0, "never negative");
  }

  /** Capacity 1, no queue, a call every 50 ms served in 100 ms: every other one is refused and the slot never idles. */
  @Test
  void theWindowCountsAnswersErrorsAndUtilization() {
    ServiceQueue queue = queue(fixed(1, 0), WarmUp.OFF);
    LoadWindow window = new LoadWindow(time.nanoTime());
    for (int second = 0; second < 2 * LoadWindow.SECONDS; second++) {
      for (int i = 0; i < 20; i++) {
        queue.admit(call("call"));
        time.advanceMs(50);
      }
      window.tick(time.nanoTime(), served.size() + queue.refused(), queue.refused(), queue);
    }
    LoadWindow.Rates rates = window.rates();
    assertEquals(20, rates.rps(), 1e-9, "answered per second, refusals included");
    assertEquals(10, rates.eps(), 1e-9);
    assertEquals(1, rates.meanUtilization(), 1e-9);
    assertEquals(0, rates.queueWaitP99Ms(), "no call ever waited");
  }

  /**
   * Capacity 1, bursts of 10 calls served in 50 ms each, one a second: they wait 0, 50, ... 450 ms, so the p99 is
   * 450 ms (to HdrHistogram's 2 digits); the slot is busy half the time. Once the bursts stop, the window empties.
   */
  @Test
  void theWindowGivesTheQueueWaitP99AndForgetsOldSeconds() {
    ServiceQueue queue = new ServiceQueue(fixed(1, Capacity.UNLIMITED_QUEUE), WarmUp.OFF, () -> 50, time,
        new SplittableRandom(1), 0);
    LoadWindow window = new LoadWindow(time.nanoTime());
    for (int second = 0; second < 2 * LoadWindow.SECONDS; second++) {
      for (int i = 0; i < 10; i++) {
        queue.admit(call("call"));
      }
      time.advanceMs(1_000);
      window.tick(time.nanoTime(), served.size(), 0, queue);
    }
    LoadWindow.Rates rates = window.rates();
    assertEquals(450, rates.queueWaitP99Ms(), 450 * 0.01);
    assertEquals(0.5, rates.meanUtilization(), 1e-9);
    assertEquals(10, rates.rps(), 1e-9);
    for (int second = 0; second < LoadWindow.SECONDS; second++) {
      time.advanceMs(1_000);
      window.tick(time.nanoTime(), served.size(), 0, queue);
    }
    assertEquals(0, window.rates().queueWaitP99Ms(), "the busy seconds left the window");
    assertEquals(0, window.rates().rps());
  }
}

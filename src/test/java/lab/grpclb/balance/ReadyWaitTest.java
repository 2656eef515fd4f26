package lab.grpclb.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

/** Calls with nowhere to go share one window, with one timer, that an endpoint's READY or the clock closes. */
class ReadyWaitTest {
  final FakeClock clock = new FakeClock();
  final ReadyWait wait = new ReadyWait(clock, 1_000);

  @Test
  void callsShareOneWindowThatClosesAfterTheMaximumWait() {
    Future<Void> first = wait.window();
    Future<Void> second = wait.window();
    assertSame(first, second, "one window for every waiting call");
    assertEquals(1, clock.pendingTimers(), "and one timer");
    clock.advanceMs(999);
    assertFalse(first.isComplete());
    clock.advanceMs(1);
    assertTrue(first.succeeded(), "closed by the clock: the calls pick again, and fail saying why");
    Future<Void> next = wait.window();
    assertNotSame(first, next, "a later call opens a new window");
    assertFalse(next.isComplete());
  }

  @Test
  void anEndpointBecomingReadyReleasesTheWaitingCallsAtOnce() {
    Future<Void> waiting = wait.window();
    clock.advanceMs(10);
    wait.ready();
    assertTrue(waiting.succeeded());
    assertEquals(0, clock.pendingTimers(), "its timer is cancelled");
    wait.ready(); // nothing waits: nothing happens
    assertEquals(0, clock.pendingTimers());
  }
}

package lab.grpclb.client;

import io.vertx.core.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import lab.grpclb.balance.CallRoute;
import lab.grpclb.balance.Scheduler;
import lab.grpclb.balance.SubchannelPicker;

/**
 * What a {@link BalancedCall} needs from its channel: the picker the balancer last published, a short wait for a
 * READY endpoint, time and the timers that start hedges, the channel's retry throttle and its counters. A
 * {@link BalancedChannel}'s own in use, a fake clock's and fake endpoints' in tests. On the channel's event loop.
 */
record CallRouting(Supplier<SubchannelPicker> pickers, Function<CallRoute, Future<Void>> readyWait, Scheduler scheduler,
                   RetryThrottle throttle, CallCounters counters) {

  SubchannelPicker picker() {
    return pickers.get();
  }

  /** Completes when some endpoint is READY for a call on {@code route}, or the current wait window closes. */
  Future<Void> awaitSomeReady(CallRoute route) {
    return readyWait.apply(route);
  }
}

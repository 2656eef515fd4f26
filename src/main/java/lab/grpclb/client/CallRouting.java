package lab.grpclb.client;

import io.vertx.core.Future;
import lab.grpclb.balance.Scheduler;
import lab.grpclb.balance.SubchannelPicker;

/**
 * What a {@link BalancedCall} needs from its channel: the picker the balancer last published, a short wait for a
 * READY endpoint, time and timers, the channel's retry throttle and its counters. {@link BalancedChannel} in use,
 * fakes in tests. On the channel's event loop only.
 */
interface CallRouting {

  SubchannelPicker picker();

  /** Completes when some endpoint is READY or the current wait window closes. */
  Future<Void> awaitSomeReady();

  /** Now, and the timers that start hedges. */
  Scheduler scheduler();

  RetryThrottle throttle();

  CallCounters counters();
}

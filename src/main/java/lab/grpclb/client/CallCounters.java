package lab.grpclb.client;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.RetryPolicy;

/**
 * What a balanced channel's calls count as they go: picks per picker, retries by kind, hedges, and attempts per
 * call. Added to on the channel's event loop (one uncontended add each); read by reports and metrics from others.
 */
final class CallCounters {
  private final LongAdder[] picks = adders(LbPolicy.values().length);
  private final LongAdder retriedTransparent = new LongAdder();
  private final LongAdder retriedPolicy = new LongAdder();
  private final LongAdder hedged = new LongAdder();
  private final LongAdder hedgeWon = new LongAdder();
  private final LongAdder throttled = new LongAdder();
  /** Index: attempts a call made, 0 to A6's clamp. */
  private final LongAdder[] callsByAttempts = adders(RetryPolicy.MAX_ATTEMPTS + 1);

  private static LongAdder[] adders(int count) {
    return Stream.generate(LongAdder::new).limit(count).toArray(LongAdder[]::new);
  }

  /** An attempt went to an endpoint {@code lb} picked. */
  void picked(LbPolicy lb) {
    picks[lb.ordinal()].increment();
  }

  long picks(LbPolicy lb) {
    return picks[lb.ordinal()].sum();
  }

  void retriedTransparently() {
    retriedTransparent.increment();
  }

  void retriedByPolicy() {
    retriedPolicy.increment();
  }

  void hedged() {
    hedged.increment();
  }

  void hedgeWon() {
    hedgeWon.increment();
  }

  /** The throttle refused a policy retry or a hedge. */
  void throttled() {
    throttled.increment();
  }

  /** A call ended after {@code attempts} attempts. */
  void callEnded(int attempts) {
    callsByAttempts[Math.min(attempts, callsByAttempts.length - 1)].increment();
  }

  Retries retries() {
    return new Retries(retriedTransparent.sum(), retriedPolicy.sum());
  }

  Attempts attempts() {
    return new Attempts(hedged.sum(), hedgeWon.sum(), throttled.sum(),
        Arrays.stream(callsByAttempts).map(LongAdder::sum).toList());
  }
}

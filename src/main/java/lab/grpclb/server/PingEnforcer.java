package lab.grpclb.server;

import java.util.function.LongSupplier;
import lab.grpclb.config.PingPolicy;

/**
 * gRFC A8's ping policing for one connection, with grpc-java's and grpc-go's arithmetic: a ping sooner than the
 * permitted time after the last good one is a strike, and a third strike means the client misbehaves. Anything the
 * server sends (a reply's headers or data) clears the strikes, since pings that follow traffic are fair. Without a
 * call in flight, and unless permitted, a ping is good only once per two hours. On the connection's event loop.
 */
final class PingEnforcer {
  static final int MAX_STRIKES = 2;
  static final long IDLE_PERMIT_NANOS = 2L * 3600 * 1_000_000_000;

  private final boolean permitWithoutCalls;
  private final long minNanos;
  private final LongSupplier clock;
  private final long epoch;
  private long lastGoodPing;
  private int strikes;
  private int callsInFlight;

  PingEnforcer(PingPolicy policy, LongSupplier clock) {
    this.permitWithoutCalls = policy.permitWithoutCalls();
    this.minNanos = Math.min(policy.permitTimeMs() * 1_000_000, IDLE_PERMIT_NANOS);
    this.clock = clock;
    this.epoch = clock.getAsLong();
    this.lastGoodPing = epoch;
  }

  /** False once the client has pinged too often: send it away. */
  boolean pingAcceptable() {
    long now = clock.getAsLong();
    long wait = callsInFlight == 0 && !permitWithoutCalls ? IDLE_PERMIT_NANOS : minNanos;
    if (now - (lastGoodPing + wait) >= 0) {
      lastGoodPing = now;
      return true;
    }
    strikes++;
    return strikes <= MAX_STRIKES;
  }

  /** The server sent something: pings in answer to traffic are fair. */
  void sent() {
    lastGoodPing = epoch;
    strikes = 0;
  }

  void callStarted() {
    callsInFlight++;
  }

  void callEnded() {
    callsInFlight--;
  }
}

package lab.grpclb.balance;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * gRPC's connection backoff (grpc {@code doc/connection-backoff.md}): the first retry after 1 s, each next one
 * 1.6 times longer up to 120 s, each delay jittered by ±20 %; reset once a connection is READY. One per
 * endpoint, touched on its connection's event loop only.
 */
public final class ConnectionBackoff {
  public static final long INITIAL_MS = 1_000;
  public static final double MULTIPLIER = 1.6;
  public static final double JITTER = 0.2;
  public static final long MAX_MS = 120_000;

  private final DoubleSupplier random;
  private double currentMs = INITIAL_MS;

  public ConnectionBackoff() {
    this(() -> ThreadLocalRandom.current().nextDouble());
  }

  /** With a given source of uniform [0, 1) numbers (tests). */
  public ConnectionBackoff(DoubleSupplier random) {
    this.random = random;
  }

  /** The delay before the next attempt; each call moves one step up the schedule. */
  public long nextDelayMs() {
    double base = currentMs;
    currentMs = Math.min(currentMs * MULTIPLIER, MAX_MS);
    double jittered = base * (1 + JITTER * (2 * random.getAsDouble() - 1));
    return Math.round(jittered);
  }

  public void reset() {
    currentMs = INITIAL_MS;
  }
}

package lab.grpclb.discovery;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff, capped, with jitter: each delay is drawn from [base/2, ceiling); reset after a success. */
final class Backoff {
  private final long baseMs;
  private final long capMs;
  private int attempt;

  Backoff(long baseMs, long capMs) {
    this.baseMs = baseMs;
    this.capMs = capMs;
  }

  long nextDelayMs() {
    long ceiling = Math.min(capMs, baseMs << Math.min(attempt++, 20));
    return baseMs / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, ceiling - baseMs / 2));
  }

  void reset() {
    attempt = 0;
  }
}

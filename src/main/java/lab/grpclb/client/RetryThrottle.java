package lab.grpclb.client;

import lab.grpclb.config.RetryThrottling;

/**
 * One channel's retry budget (gRFC A6 retryThrottling), kept in thousandths of a token as grpc-java keeps it, so
 * that a ratio of 0.1 adds up exactly. Changed on the channel's event loop; metrics read the tokens from another.
 */
final class RetryThrottle {
  private static final int MILLI = 1000;
  private final int maxMilli;
  private final int ratioMilli;
  private final int thresholdMilli;
  private volatile int milliTokens;

  RetryThrottle(RetryThrottling throttling) {
    this.maxMilli = throttling.maxTokens() * MILLI;
    this.ratioMilli = (int) Math.round(throttling.tokenRatio() * MILLI);
    this.thresholdMilli = maxMilli / 2;
    this.milliTokens = maxMilli;
  }

  /** A reply: gives back the token ratio, up to the maximum. */
  void succeeded() {
    if (maxMilli > 0 && milliTokens < maxMilli) {
      milliTokens = Math.min(maxMilli, milliTokens + ratioMilli);
    }
  }

  /** An attempt failed UNAVAILABLE (not one re-sent transparently): takes a token. */
  void failed() {
    if (maxMilli > 0) {
      milliTokens = Math.max(0, milliTokens - MILLI);
    }
  }

  /** Whether a policy retry or a hedge may go now: more than half the tokens are left, or the throttle is off. */
  boolean allowsResend() {
    return maxMilli == 0 || milliTokens > thresholdMilli;
  }

  /** The tokens left (the maximum while the throttle is off, 0 tokens). */
  double tokens() {
    return milliTokens / (double) MILLI;
  }
}

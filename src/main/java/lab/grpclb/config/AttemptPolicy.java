package lab.grpclb.config;

/**
 * What the balancing types may do beyond a call's first attempt, gRFC A6's three parts: the retry policy, hedging,
 * and the throttle over both. A call is hedged when hedging is on, else it follows the retry policy, never both (as
 * A6 gives a method one or the other).
 */
public record AttemptPolicy(RetryPolicy retry, HedgingPolicy hedging, RetryThrottling throttling) {
  /** The flags' defaults: retries by the policy, no hedging, no throttle. */
  public static final AttemptPolicy DEFAULT = from(Flags.none());

  static AttemptPolicy from(Flags flags) {
    return new AttemptPolicy(RetryPolicy.from(flags), HedgingPolicy.from(flags), RetryThrottling.from(flags));
  }

  /** The retry policy alone: no hedging, no throttle. */
  public static AttemptPolicy retrying(RetryPolicy retry) {
    return new AttemptPolicy(retry, HedgingPolicy.OFF, RetryThrottling.OFF);
  }

  /** Attempts a call may make in all (a transparent retry, of a call that never ran, not counted). */
  public int maxAttempts() {
    if (hedging.on()) {
      return hedging.maxAttempts();
    }
    return retry.kind() == RetryPolicy.Kind.IDEMPOTENT ? retry.maxAttempts() : 1;
  }

  /** Whether a call that may have reached a pod and failed UNAVAILABLE after {@code attemptsMade} may go again. */
  public boolean allowsAnother(int attemptsMade) {
    return attemptsMade < maxAttempts();
  }

  public AttemptPolicy withRetry(RetryPolicy newRetry) {
    return new AttemptPolicy(newRetry, hedging, throttling);
  }

  public AttemptPolicy withHedging(HedgingPolicy newHedging) {
    return new AttemptPolicy(retry, newHedging, throttling);
  }

  public AttemptPolicy withThrottling(RetryThrottling newThrottling) {
    return new AttemptPolicy(retry, hedging, newThrottling);
  }
}

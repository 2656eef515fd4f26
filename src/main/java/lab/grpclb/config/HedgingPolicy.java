package lab.grpclb.config;

/**
 * gRFC A6's hedgingPolicy for the balancing types: a call's first attempt goes out at once, and while no attempt
 * has answered, another goes to an endpoint not tried yet every {@code delayMs}, up to {@code maxAttempts} in all
 * and never past the call's deadline. The first reply wins and the other attempts are cancelled. An attempt that
 * fails UNAVAILABLE (A6's non-fatal status here) lets the next one go at once; any other status ends the call.
 * {@code delayMs} 0 is off: the call follows the {@link RetryPolicy} instead (A6 lets a call have one or the other).
 */
public record HedgingPolicy(int delayMs, int maxAttempts) {
  /** Hedging needs a second attempt; A6 clamps maxAttempts to 5, as for retries. */
  public static final int MIN_ATTEMPTS = 2;
  public static final HedgingPolicy OFF = new HedgingPolicy(0, MIN_ATTEMPTS);

  public HedgingPolicy {
    if (delayMs < 0 || maxAttempts < MIN_ATTEMPTS || maxAttempts > RetryPolicy.MAX_ATTEMPTS) {
      throw new IllegalArgumentException("hedging needs a delay >= 0 and " + MIN_ATTEMPTS + " to "
          + RetryPolicy.MAX_ATTEMPTS + " attempts, got " + delayMs + " ms and " + maxAttempts);
    }
  }

  static HedgingPolicy from(Flags flags) {
    return new HedgingPolicy(flags.integer(FlagTable.HEDGING_DELAY_MS), flags.integer(FlagTable.HEDGING_MAX_ATTEMPTS));
  }

  public boolean on() {
    return delayMs > 0;
  }

  /** The same attempts, hedged {@code newDelayMs} apart (0: off); a request's {@code hedging_delay_ms=}. */
  public HedgingPolicy withDelayMs(int newDelayMs) {
    return new HedgingPolicy(newDelayMs, maxAttempts);
  }
}

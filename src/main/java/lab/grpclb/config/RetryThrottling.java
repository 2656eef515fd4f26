package lab.grpclb.config;

/**
 * gRFC A6's retryThrottling, one budget per channel so that a failing fleet is not hit by a storm of re-sent
 * calls: the channel holds {@code maxTokens} tokens at first; an attempt that fails UNAVAILABLE takes one, a reply
 * gives back {@code tokenRatio} (never above {@code maxTokens}); retries by the policy and hedges go out only while
 * more than {@code maxTokens / 2} are left. Transparent retries (the call never ran) are never throttled.
 * {@code maxTokens} 0 is off.
 */
public record RetryThrottling(int maxTokens, double tokenRatio) {
  /** A6's bounds: maxTokens up to 1000, tokenRatio with at most three decimals. */
  public static final int MAX_TOKENS = 1000;
  public static final RetryThrottling OFF = new RetryThrottling(0, 0.1);

  public RetryThrottling {
    if (maxTokens < 0 || maxTokens > MAX_TOKENS || !(tokenRatio > 0 && tokenRatio <= MAX_TOKENS)) {
      throw new IllegalArgumentException("retry throttling needs 0 to " + MAX_TOKENS + " tokens and a token ratio"
          + " above 0, got " + maxTokens + " and " + tokenRatio);
    }
  }

  static RetryThrottling from(Flags flags) {
    Flag.Text ratioFlag = FlagTable.RETRY_THROTTLE_TOKEN_RATIO;
    String raw = flags.text(ratioFlag);
    Double ratio = PlainNumber.decimal(raw);
    if (ratio == null || ratio <= 0 || ratio > MAX_TOKENS) {
      throw new ConfigException("--" + ratioFlag.name() + " must be " + ratioFlag.expected() + ", got '" + raw + "'");
    }
    return new RetryThrottling(flags.integer(FlagTable.RETRY_THROTTLE_MAX_TOKENS), ratio);
  }

  public boolean on() {
    return maxTokens > 0;
  }
}

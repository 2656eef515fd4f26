package lab.grpclb.config;

/**
 * How ClientWithKubeResolver balances: the default picker, the peak-EWMA picker's decay and initial RTT
 * (Linkerd's defaults: 10 s and 30 ms), and outlier ejection.
 */
public record BalancerConfig(LbPolicy lb, int ewmaDecayMs, int ewmaInitialRttMs, OutlierEjection ejection) {
  public static final int DEFAULT_EWMA_DECAY_MS = 10_000;
  public static final int DEFAULT_EWMA_INITIAL_RTT_MS = 30;
  public static final BalancerConfig DEFAULT = new BalancerConfig(LbPolicy.ROUND_ROBIN, DEFAULT_EWMA_DECAY_MS,
      DEFAULT_EWMA_INITIAL_RTT_MS, OutlierEjection.OFF);

  static BalancerConfig from(Flags flags) {
    return new BalancerConfig(
        LbPolicy.from(flags),
        flags.integer("ewma-decay-ms", DEFAULT_EWMA_DECAY_MS, 1, 3_600_000),
        flags.integer("ewma-initial-rtt-ms", DEFAULT_EWMA_INITIAL_RTT_MS, 1, 3_600_000),
        OutlierEjection.from(flags));
  }

  public BalancerConfig withEjection(OutlierEjection newEjection) {
    return new BalancerConfig(lb, ewmaDecayMs, ewmaInitialRttMs, newEjection);
  }
}

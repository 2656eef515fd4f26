package lab.grpclb.config;

/**
 * How ClientWithKubeResolver balances: the default picker, the peak-EWMA picker's decay and initial RTT
 * (Linkerd's defaults: 10 s and 30 ms), outlier ejection, and the health check each connection runs.
 */
public record BalancerConfig(LbPolicy lb, int ewmaDecayMs, int ewmaInitialRttMs, OutlierEjection ejection,
                             HealthCheck healthCheck) {
  public static final int DEFAULT_EWMA_DECAY_MS = FlagTable.EWMA_DECAY_MS.defaultValue();
  public static final int DEFAULT_EWMA_INITIAL_RTT_MS = FlagTable.EWMA_INITIAL_RTT_MS.defaultValue();
  /** The flags' defaults. */
  public static final BalancerConfig DEFAULT = from(Flags.none());

  static BalancerConfig from(Flags flags) {
    return new BalancerConfig(
        LbPolicy.from(flags),
        flags.integer(FlagTable.EWMA_DECAY_MS),
        flags.integer(FlagTable.EWMA_INITIAL_RTT_MS),
        OutlierEjection.from(flags),
        HealthCheck.from(flags));
  }

  public BalancerConfig withEjection(OutlierEjection newEjection) {
    return new BalancerConfig(lb, ewmaDecayMs, ewmaInitialRttMs, newEjection, healthCheck);
  }

  public BalancerConfig withHealthCheck(HealthCheck check) {
    return new BalancerConfig(lb, ewmaDecayMs, ewmaInitialRttMs, ejection, check);
  }
}

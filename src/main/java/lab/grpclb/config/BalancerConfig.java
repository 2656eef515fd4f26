package lab.grpclb.config;

/**
 * How ClientWithKubeResolver balances: the default picker, the peak-EWMA picker's decay and initial RTT
 * (Linkerd's defaults: 10 s and 30 ms), weighted_round_robin's weights (gRFC A58), slow start for round_robin and
 * least_request (Envoy's), outlier ejection, the health check each connection runs, and the client's place in
 * its fleet (subsetting, zones).
 */
public record BalancerConfig(LbPolicy lb, int ewmaDecayMs, int ewmaInitialRttMs, WeightedRoundRobinConfig wrr,
                             SlowStartConfig slowStart, OutlierEjection ejection, HealthCheck healthCheck,
                             FleetConfig fleet) {
  public static final int DEFAULT_EWMA_DECAY_MS = FlagTable.EWMA_DECAY_MS.defaultValue();
  public static final int DEFAULT_EWMA_INITIAL_RTT_MS = FlagTable.EWMA_INITIAL_RTT_MS.defaultValue();
  /** The flags' defaults. */
  public static final BalancerConfig DEFAULT = from(Flags.none());

  /** Without fleet settings: every endpoint, no zone routing. */
  public BalancerConfig(LbPolicy lb, int ewmaDecayMs, int ewmaInitialRttMs, WeightedRoundRobinConfig wrr,
                        SlowStartConfig slowStart, OutlierEjection ejection, HealthCheck healthCheck) {
    this(lb, ewmaDecayMs, ewmaInitialRttMs, wrr, slowStart, ejection, healthCheck, FleetConfig.DEFAULT);
  }

  static BalancerConfig from(Flags flags) {
    return new BalancerConfig(
        LbPolicy.from(flags),
        flags.integer(FlagTable.EWMA_DECAY_MS),
        flags.integer(FlagTable.EWMA_INITIAL_RTT_MS),
        WeightedRoundRobinConfig.from(flags),
        SlowStartConfig.from(flags),
        OutlierEjection.from(flags),
        HealthCheck.from(flags),
        FleetConfig.from(flags));
  }

  public BalancerConfig withEjection(OutlierEjection newEjection) {
    return new BalancerConfig(lb, ewmaDecayMs, ewmaInitialRttMs, wrr, slowStart, newEjection, healthCheck, fleet);
  }

  public BalancerConfig withSlowStart(SlowStartConfig ramp) {
    return new BalancerConfig(lb, ewmaDecayMs, ewmaInitialRttMs, wrr, ramp, ejection, healthCheck, fleet);
  }

  public BalancerConfig withHealthCheck(HealthCheck check) {
    return new BalancerConfig(lb, ewmaDecayMs, ewmaInitialRttMs, wrr, slowStart, ejection, check, fleet);
  }

  public BalancerConfig withFleet(FleetConfig newFleet) {
    return new BalancerConfig(lb, ewmaDecayMs, ewmaInitialRttMs, wrr, slowStart, ejection, healthCheck, newFleet);
  }
}

package lab.grpclb.config;

/**
 * weighted_round_robin's settings (gRFC A58's {@code WeightedRoundRobinLbConfig}), A58's defaults: an endpoint's
 * weight counts once it has reported load for {@code blackoutMs} since its first usable report, is dropped when no
 * report came for {@code expirationMs} (the blackout then starts again), and the picker takes fresh weights every
 * {@code updateMs} (A58's floor: {@link #MIN_UPDATE_MS}). {@code errorPenalty} weighs the error rate in
 * qps / (utilization + eps / qps x penalty). Reports come in each call's trailers, or, with {@code oob}, on each
 * connection's out-of-band stream, asked for every {@code oobPeriodMs}.
 */
public record WeightedRoundRobinConfig(int blackoutMs, int expirationMs, int updateMs, double errorPenalty,
                                       boolean oob, int oobPeriodMs) {
  /** A58: "Values less than 100ms are capped at 100ms"; a flag below it is refused instead of quietly changed. */
  public static final int MIN_UPDATE_MS = 100;
  /** The flags' defaults. */
  public static final WeightedRoundRobinConfig DEFAULT = from(Flags.none());

  public WeightedRoundRobinConfig {
    if (blackoutMs < 0 || expirationMs <= 0 || updateMs < MIN_UPDATE_MS || !(errorPenalty >= 0) || oobPeriodMs <= 0) {
      throw new IllegalArgumentException("weighted_round_robin needs a blackout of 0 or more, a positive expiration"
          + " and OOB period, an update period of " + MIN_UPDATE_MS + " ms or more and a penalty of 0 or more");
    }
  }

  static WeightedRoundRobinConfig from(Flags flags) {
    Flag.Text penaltyFlag = FlagTable.WRR_ERROR_PENALTY;
    String raw = flags.text(penaltyFlag);
    Double penalty = PlainNumber.decimal(raw); // digits only: a negative penalty, which A58 rejects, fails here
    if (penalty == null) {
      throw new ConfigException("--" + penaltyFlag.name() + " must be " + penaltyFlag.expected() + ", got '" + raw + "'");
    }
    return new WeightedRoundRobinConfig(
        flags.integer(FlagTable.WRR_BLACKOUT_MS),
        flags.integer(FlagTable.WRR_EXPIRATION_MS),
        flags.integer(FlagTable.WRR_UPDATE_MS),
        penalty,
        flags.bool(FlagTable.WRR_OOB),
        flags.integer(FlagTable.WRR_OOB_PERIOD_MS));
  }
}

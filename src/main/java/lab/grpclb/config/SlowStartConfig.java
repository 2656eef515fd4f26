package lab.grpclb.config;

/**
 * Slow start for round_robin and least_request, as Envoy's {@code slow_start_config}: an endpoint that joins after
 * the first ones takes a growing share for {@code windowMs} from when it turns READY, its weight scaled by
 * max({@code minWeightPercent} / 100, (time READY / window)^(1 / {@code aggression})). A window of 0 is off, the
 * default, as in Envoy and gRPC (which has none for round_robin: grpc-java#10688).
 */
public record SlowStartConfig(int windowMs, double aggression, int minWeightPercent) {
  /** The flags' defaults: off. */
  public static final SlowStartConfig OFF = from(Flags.none());

  public SlowStartConfig {
    if (windowMs < 0 || !(aggression > 0) || minWeightPercent < 0 || minWeightPercent > 100) {
      throw new IllegalArgumentException("slow start needs a window of 0 or more, an aggression above 0 and a minimum"
          + " weight from 0 to 100 %, got " + windowMs + ", " + aggression + " and " + minWeightPercent);
    }
  }

  static SlowStartConfig from(Flags flags) {
    Flag.Text aggressionFlag = FlagTable.SLOW_START_AGGRESSION;
    String raw = flags.text(aggressionFlag);
    Double aggression = PlainNumber.decimal(raw);
    if (aggression == null || aggression <= 0) {
      throw new ConfigException("--" + aggressionFlag.name() + " must be " + aggressionFlag.expected() + ", got '"
          + raw + "'");
    }
    return new SlowStartConfig(flags.integer(FlagTable.SLOW_START_WINDOW_MS), aggression,
        flags.integer(FlagTable.SLOW_START_MIN_WEIGHT_PERCENT));
  }

  public boolean on() {
    return windowMs > 0;
  }

  /**
   * Envoy's factor {@code elapsedMs} into the window: (max(1, elapsed) / window)^(1 / aggression), at least the
   * minimum weight; 1 once the window has passed (and always, when off). Here, not in the balancer, so that a report
   * can predict from a ramp what share it sends a new pod when.
   */
  public double weightAt(double elapsedMs) {
    if (elapsedMs >= windowMs) {
      return 1;
    }
    double timeFactor = Math.max(1, elapsedMs) / windowMs;
    double ramp = aggression == 1 ? timeFactor : Math.pow(timeFactor, 1 / aggression);
    return Math.max(minWeightPercent / 100.0, ramp);
  }
}

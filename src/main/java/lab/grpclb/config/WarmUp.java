package lab.grpclb.config;

/**
 * A cold pod, as a JVM before its JIT has compiled the hot paths: its service times start {@code factor} times
 * the usual and fall back to 1x over its first {@code ms} ({@code --warmup-ms}, {@code --warmup-factor}). The
 * server-side half of slow start: Envoy's slow_start_config ramps a new host's weight on the client side.
 */
public record WarmUp(int ms, double factor) {
  public static final double MAX_FACTOR = 100;
  public static final WarmUp OFF = new WarmUp(0, 1);

  public WarmUp {
    if (ms < 0 || !(factor >= 1 && factor <= MAX_FACTOR)) {
      throw new IllegalArgumentException("a warm-up needs ms >= 0 and a factor from 1 to " + MAX_FACTOR + ", got "
          + ms + " ms and " + factor);
    }
  }

  public boolean on() {
    return ms > 0 && factor > 1;
  }

  /**
   * How much slower than warm a pod {@code sinceStartMs} old is: {@code factor} at start, falling linearly to 1 at
   * {@code ms}. Linear, not exponential: it ends exactly at {@code ms}, as the flag says ("warm after W"), and it
   * mirrors Envoy's slow start at its default aggression 1.0 (a weight ramping linearly over its window), so a
   * client-side ramp over the same window undoes it exactly; an exponential decay never ends and would need a time
   * constant besides W.
   */
  public double slowdown(double sinceStartMs) {
    if (!on() || sinceStartMs >= ms) {
      return 1;
    }
    return factor - (factor - 1) * Math.max(0, sinceStartMs) / ms;
  }

  /** For logs: "5.0x slower at start, warm after 30000 ms" or "off". */
  public String describe() {
    return on() ? factor + "x slower at start, warm after " + ms + " ms" : "off";
  }

  /** {@code --warmup-ms} and {@code --warmup-factor}. */
  static WarmUp from(Flags flags) {
    int ms = flags.integer(FlagTable.WARMUP_MS);
    String raw = flags.text(FlagTable.WARMUP_FACTOR);
    Double factor = PlainNumber.decimal(raw);
    if (factor == null || factor < 1 || factor > MAX_FACTOR) {
      throw new ConfigException("--" + FlagTable.WARMUP_FACTOR.name() + " must be " + FlagTable.WARMUP_FACTOR.expected()
          + ", got '" + raw + "'");
    }
    return new WarmUp(ms, factor);
  }
}

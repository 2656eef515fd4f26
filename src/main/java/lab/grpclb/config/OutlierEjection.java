package lab.grpclb.config;

/**
 * Outlier ejection, failure-percentage only (a subset of gRPC's {@code outlier_detection}, gRFC A50): every
 * {@code intervalMs}, when at least {@code minimumHosts} endpoints had {@code requestVolume} calls in the last
 * interval, an endpoint whose failure share is above {@code thresholdPercent} is ejected for
 * {@code baseEjectionMs} x the times it was ejected (at most {@code max(baseEjectionMs, maxEjectionMs)}), with
 * at most {@code maxEjectionPercent} of the endpoints out at once, but always at least one. Off by default.
 */
public record OutlierEjection(boolean enabled, int intervalMs, int thresholdPercent, int minimumHosts,
                              int requestVolume, int baseEjectionMs, int maxEjectionMs, int maxEjectionPercent) {
  /** The query parameters {@link #with} reads. */
  public static final String[] PARAMETERS =
      {"enabled", "interval_ms", "threshold", "min_hosts", "request_volume", "base_ms"};
  /** gRFC A50's: the ones no flag sets. */
  public static final int MAX_EJECTION_MS = 300_000;
  public static final int MAX_EJECTION_PERCENT = 10;
  /** The flags' defaults, gRFC A50's. */
  public static final OutlierEjection OFF = from(Flags.none());

  static OutlierEjection from(Flags flags) {
    return new OutlierEjection(
        flags.bool(FlagTable.OUTLIER_EJECTION),
        flags.integer(FlagTable.EJECTION_INTERVAL_MS),
        flags.integer(FlagTable.EJECTION_THRESHOLD),
        flags.integer(FlagTable.EJECTION_MIN_HOSTS),
        flags.integer(FlagTable.EJECTION_REQUEST_VOLUME),
        flags.integer(FlagTable.EJECTION_BASE_MS),
        MAX_EJECTION_MS,
        MAX_EJECTION_PERCENT);
  }

  /**
   * These settings changed by a request's query ({@code enabled=true|false}, {@code interval_ms}, {@code threshold},
   * {@code min_hosts}, {@code request_volume}, {@code base_ms}); a bad value fails naming the valid ones.
   */
  public OutlierEjection with(java.util.function.Function<String, String> query) {
    String enabledRaw = query.apply("enabled");
    if (enabledRaw != null && !enabledRaw.equals("true") && !enabledRaw.equals("false")) {
      throw new IllegalArgumentException("enabled must be true or false, got '" + enabledRaw + "'");
    }
    return new OutlierEjection(enabledRaw == null ? enabled : Boolean.parseBoolean(enabledRaw),
        value(query, "interval_ms", intervalMs, 1, 3_600_000),
        value(query, "threshold", thresholdPercent, 0, 100),
        value(query, "min_hosts", minimumHosts, 0, 100_000),
        value(query, "request_volume", requestVolume, 0, 100_000_000),
        value(query, "base_ms", baseEjectionMs, 1, 3_600_000),
        maxEjectionMs, maxEjectionPercent);
  }

  private static int value(java.util.function.Function<String, String> query, String name, int current, int min, int max) {
    String raw = query.apply(name);
    if (raw == null) {
      return current;
    }
    Integer value = PlainNumber.whole(raw);
    if (value != null && value >= min && value <= max) {
      return value;
    }
    throw new IllegalArgumentException(name + " must be an integer from " + min + " to " + max + ", got '" + raw + "'");
  }

  /** The same settings, switched on. */
  public OutlierEjection on() {
    return new OutlierEjection(true, intervalMs, thresholdPercent, minimumHosts, requestVolume, baseEjectionMs,
        maxEjectionMs, maxEjectionPercent);
  }
}

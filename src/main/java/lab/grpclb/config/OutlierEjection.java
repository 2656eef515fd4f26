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
  /** gRFC A50's defaults. */
  public static final int DEFAULT_INTERVAL_MS = 10_000;
  public static final int DEFAULT_THRESHOLD_PERCENT = 85;
  public static final int DEFAULT_MINIMUM_HOSTS = 5;
  public static final int DEFAULT_REQUEST_VOLUME = 50;
  public static final int DEFAULT_BASE_EJECTION_MS = 30_000;
  public static final int MAX_EJECTION_MS = 300_000;
  public static final int MAX_EJECTION_PERCENT = 10;
  public static final OutlierEjection OFF = new OutlierEjection(false, DEFAULT_INTERVAL_MS, DEFAULT_THRESHOLD_PERCENT,
      DEFAULT_MINIMUM_HOSTS, DEFAULT_REQUEST_VOLUME, DEFAULT_BASE_EJECTION_MS, MAX_EJECTION_MS, MAX_EJECTION_PERCENT);

  static OutlierEjection from(Flags flags) {
    return new OutlierEjection(
        flags.bool("outlier-ejection"),
        flags.integer("ejection-interval-ms", DEFAULT_INTERVAL_MS, 1, 3_600_000),
        flags.integer("ejection-threshold", DEFAULT_THRESHOLD_PERCENT, 0, 100),
        flags.integer("ejection-min-hosts", DEFAULT_MINIMUM_HOSTS, 0, 100_000),
        flags.integer("ejection-request-volume", DEFAULT_REQUEST_VOLUME, 0, 100_000_000),
        flags.integer("ejection-base-ms", DEFAULT_BASE_EJECTION_MS, 1, 3_600_000),
        MAX_EJECTION_MS,
        MAX_EJECTION_PERCENT);
  }

  /** The same settings, switched on. */
  public OutlierEjection on() {
    return new OutlierEjection(true, intervalMs, thresholdPercent, minimumHosts, requestVolume, baseEjectionMs,
        maxEjectionMs, maxEjectionPercent);
  }
}

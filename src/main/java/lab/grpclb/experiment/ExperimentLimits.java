package lab.grpclb.experiment;

/** What one request may ask for: calls (--max-n), calls in flight (--max-in-flight), open-loop seconds. */
public record ExperimentLimits(int maxN, int maxInFlight, int maxDurationS) {
  /** Repeated runs per request: enough for a median and a range, few enough that a request ends. */
  public static final int MAX_RUNS = 10;
  /** Calls per second an open loop may ask for: far above what one client sends. */
  public static final int MAX_RATE = 1_000_000;
  /** The slowest open loop: one call per 100 s. Below it a request could outlast any run ("it sent 0/s"). */
  public static final double MIN_RATE = 0.01;
}

package lab.grpclb.experiment;

import java.util.Locale;

/**
 * How an experiment's calls are sent, after ghz's {@code -n}, {@code -c}, {@code --rps} and {@code -z}: all at
 * once (the write-up's burst), a closed loop that keeps a fixed number in flight, or an open loop that starts
 * calls on a schedule whether or not earlier ones returned (the shape that exposes a slow pod).
 */
public sealed interface LoadShape {

  /** The wire name: burst, closed or open. */
  String kind();

  /** n calls fired at once (up to the in-flight cap): the write-up's experiment and the default. */
  record Burst() implements LoadShape {
    @Override
    public String kind() {
      return "burst";
    }
  }

  /** n calls in total, never more than {@code concurrency} in flight; a call starts as soon as one ends. */
  record ClosedLoop(int concurrency) implements LoadShape {
    @Override
    public String kind() {
      return "closed";
    }
  }

  /**
   * Calls start at {@code ratePerS} on a fixed schedule, for {@code durationS} seconds (null when n was given
   * instead), spaced evenly or as a Poisson process.
   */
  record OpenLoop(double ratePerS, Arrival arrival, Integer durationS) implements LoadShape {
    /**
     * A pacer wakes when its next call is due, but at most once per this grain, and sends every call due by then.
     * Calls released together leave in one write and meet the server together, each waiting on those before it: at
     * a 1 ms grain, 24 000 calls/s went out 24 at a time and p50 was 2.5x what a 100 µs grain gives (issue #24).
     * Both our client and the grpc-java peer pace with it.
     */
    public static final long PACER_GRAIN_NANOS = 100_000;

    @Override
    public String kind() {
      return "open";
    }
  }

  /** How an open loop spaces its calls. */
  enum Arrival {
    UNIFORM, POISSON;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The arrival with this wire name, or null. */
    public static Arrival parse(String raw) {
      for (Arrival arrival : values()) {
        if (arrival.wireName().equals(raw)) {
          return arrival;
        }
      }
      return null;
    }
  }

  LoadShape BURST = new Burst();
}

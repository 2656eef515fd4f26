package lab.grpclb.experiment;

import lab.grpclb.config.LbPolicy;

/**
 * What one run will do, as a request resolved it: the client type, how many calls, how many may be in flight at
 * once, for the per-request client how many connections may be open at once, how the calls are sent, the picker asked for (null: the
 * channel's default), the latency objective to count calls against (null: none) and the hedging delay asked for
 * (null: the channel's default, 0: no hedging).
 */
public record ExperimentPlan(String type, int n, int inFlightCap, Integer maxOpenConnections, LoadShape shape,
                             LbPolicy lb, Integer sloMs, Integer hedgingDelayMs) {

  /** A burst with the default picker: the write-up's experiment. */
  public ExperimentPlan(String type, int n, int inFlightCap, Integer maxOpenConnections) {
    this(type, n, inFlightCap, maxOpenConnections, LoadShape.BURST);
  }

  /** A load shape with the default picker and no latency objective. */
  public ExperimentPlan(String type, int n, int inFlightCap, Integer maxOpenConnections, LoadShape shape) {
    this(type, n, inFlightCap, maxOpenConnections, shape, null, null, null);
  }
}

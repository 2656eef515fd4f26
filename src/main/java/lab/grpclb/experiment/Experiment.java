package lab.grpclb.experiment;

/**
 * One run as requested: the client type, how many calls, how many may be in flight at once, for the per-request
 * client how many connections may be open at once, and how the calls are sent.
 */
public record Experiment(String type, int n, int inFlightCap, Integer maxOpenConnections, LoadShape shape) {

  /** A burst: the write-up's experiment. */
  public Experiment(String type, int n, int inFlightCap, Integer maxOpenConnections) {
    this(type, n, inFlightCap, maxOpenConnections, LoadShape.BURST);
  }
}
